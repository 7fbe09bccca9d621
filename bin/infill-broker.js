#!/usr/bin/env node
// The Infill token broker. Compiled from src/broker by `npm run build`.
const path = require("path");
const fs = require("fs");
const main = path.join(__dirname, "..", "dist", "node", "broker", "main.js");
if (!fs.existsSync(main)) {
  console.error("infill-broker: not built yet. Run `npm run build` first (npm start does it for you).");
  process.exit(1);
}
require(main).main(process.argv.slice(2)).catch((err) => {
  console.error(`infill-broker: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
