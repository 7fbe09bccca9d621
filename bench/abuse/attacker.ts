// One attack of the abuse bench, in its own process: `attacker.ts <broker url> <attack name>`.
// Says "ready" once loaded; on the parent's { ms } message runs the attack that long, then exits.

import { ATTACKS } from "./attacks";

const [url, name] = process.argv.slice(2);
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) throw new Error(`no attack named ${name}`);
process.once("message", (m: { ms: number }) => {
  const end = Date.now() + m.ms;
  void attack.run({ url: new URL(url) }, () => Date.now() >= end).then(() => process.exit(0));
});
process.send!("ready");
