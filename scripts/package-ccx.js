#!/usr/bin/env node
// Writes an installable .ccx: a zip of the built plugin folder (dist/plugin) with manifest.json at its root.
const fs = require("fs");
const path = require("path");
const yazl = require("yazl");

const root = path.join(__dirname, "..");
const pluginDir = path.join(root, "dist", "plugin");

function listFiles(dir, prefix = "") {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, rel));
    else if (entry.isFile() && !entry.name.endsWith(".map")) out.push(rel);
  }
  return out;
}

function packageCcx(outDir = path.join(root, "dist")) {
  const manifestPath = path.join(pluginDir, "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new Error("dist/plugin/manifest.json is missing: run `npm run build` first");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const file = path.join(outDir, `${manifest.id}_${manifest.version}.ccx`);
  const zip = new yazl.ZipFile();
  for (const rel of listFiles(pluginDir)) zip.addFile(path.join(pluginDir, rel), rel, { mtime: new Date(0) });
  zip.end();
  return new Promise((resolve, reject) => {
    zip.outputStream
      .pipe(fs.createWriteStream(file))
      .on("close", () => resolve(file))
      .on("error", reject);
  });
}

module.exports = { packageCcx };

if (require.main === module) {
  packageCcx().then(
    (file) => console.log(`wrote ${path.relative(root, file)}`),
    (err) => {
      console.error(`package: ${err.message}`);
      process.exit(1);
    },
  );
}
