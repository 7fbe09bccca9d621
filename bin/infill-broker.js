#!/usr/bin/env node
// The Infill token broker. Compiled from src/broker by `npm run build`.
//   infill-broker [options]          start the broker
//   infill-broker doctor [--generate] check the Firefly credentials (src/broker/doctor.ts)
const path = require("path");
const fs = require("fs");
const doctor = process.argv[2] === "doctor";
const entry = path.join(__dirname, "..", "dist", "node", "broker", doctor ? "doctor.js" : "main.js");
if (!fs.existsSync(entry)) {
  console.error("infill-broker: not built yet. Run `npm run build` first (npm start does it for you).");
  process.exit(1);
}
const mod = require(entry);
const run = doctor ? mod.doctorMain(process.argv.slice(3)).then((code) => (process.exitCode = code)) : mod.main(process.argv.slice(2));
run.catch((err) => {
  console.error(`infill-broker: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
