// One attack of the abuse bench, in its own process: `attacker.ts <broker url> <attack name>`.
// Says "ready" once loaded; on each { ms } message from the parent runs the attack that long and
// answers what it did ({ opened } connections, its { cpuMs }); exits when the parent disconnects.

import { ATTACKS } from "./attacks";

const [url, name] = process.argv.slice(2);
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) throw new Error(`no attack named ${name}`);
process.on("message", (m: { ms: number }) => {
  const end = Date.now() + m.ms;
  const stopped = new Promise<void>((r) => setTimeout(r, m.ms));
  const target = { url: new URL(url), opened: 0 };
  const cpu0 = process.cpuUsage();
  void attack
    .run(target, () => Date.now() >= end, stopped)
    .then(() => {
      const cpu = process.cpuUsage(cpu0);
      process.send!({ opened: target.opened, cpuMs: (cpu.user + cpu.system) / 1000 });
    });
});
process.on("disconnect", () => process.exit(0));
process.send!("ready");
