// Builds the UXP host bundle (webpack's "plugin" configuration) when it is missing or older than any
// source it is made from, so tests of the built bundle never run against a stale one.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "../..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The production build of the host bundle (webpack's "plugin" configuration). */
function buildHostBundle(): void {
  execFileSync(process.execPath, [require.resolve("webpack-cli/bin/cli.js"), "--mode", "production", "--config-name", "plugin"], { cwd: root, stdio: "pipe" });
}

export function ensureHostBundle(bundlePath: string, build: () => void = buildHostBundle): void {
  const sources = Math.max(
    newestMtime(path.join(root, "src/plugin")),
    newestMtime(path.join(root, "src/common")),
    fs.statSync(path.join(root, "manifest.json")).mtimeMs,
  );
  if (fs.existsSync(bundlePath) && fs.statSync(bundlePath).mtimeMs >= sources) return;
  build();
  // webpack leaves an output whose bytes did not change untouched, so a source edit that does not
  // change the bundle (a comment) would leave it looking stale, and rebuilt by every later run.
  const now = new Date();
  fs.utimesSync(bundlePath, now, now);
}
