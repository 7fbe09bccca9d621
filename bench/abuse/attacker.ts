// One attack of the abuse bench, in its own process: `attacker.ts <broker url> <attack name>`.
// Says "ready" once loaded; on the parent's { ms } message runs the attack that long, sends
// back what it did ({ opened } connections, its { cpuMs }), then exits.

import { ATTACKS } from "./attacks";

const [url, name] = process.argv.slice(2);
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) throw new Error(`no attack named ${name}`);
process.once("message", (m: { ms: number }) => {
  const end = Date.now() + m.ms;
  const target = { url: new URL(url), opened: 0 };
  const cpu0 = process.cpuUsage();
  void attack
    .run(target, () => Date.now() >= end)
    .then(() => {
      const cpu = process.cpuUsage(cpu0);
      process.send!({ opened: target.opened, cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
    });
});
process.send!("ready");
