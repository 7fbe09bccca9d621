#!/usr/bin/env node
// The whole test suite: type-check, build, then jest (unit, HTTP, end-to-end in headless Chromium).
// Checks that the system tools the suite needs are present first, and installs them when it can
// (root with apt-get, as in CI); otherwise it says exactly what to install.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const DATE_TESTS = ["test/common/firefly/retry-after.test.ts", "test/common/firefly/classify.test.ts"];
const needs = [
  { bin: "/usr/bin/chromium", pkg: "chromium", why: "end-to-end tests of the panel and playground" },
  { bin: "redis-server", pkg: "redis-server", why: "team scale-out tests (shared queue on Redis)" },
];

function has(bin) {
  if (bin.startsWith("/")) return fs.existsSync(bin);
  return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  return r.status === null ? 1 : r.status;
}

const missing = needs.filter((n) => !has(n.bin));
if (missing.length) {
  const pkgs = missing.map((m) => m.pkg);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && has("apt-get")) {
    console.log(`Installing ${pkgs.join(", ")} (needed for: ${missing.map((m) => m.why).join("; ")})`);
    if (run("apt-get", ["update", "-qq"]) !== 0 || run("apt-get", ["install", "-y", "-qq", ...pkgs], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) !== 0) {
      console.error("Could not install the packages above; install them and run the tests again.");
      process.exit(1);
    }
  } else {
    console.error(`Missing: ${pkgs.join(", ")}. Install them first, e.g.: sudo apt-get install ${pkgs.join(" ")}`);
    process.exit(1);
  }
}

let status = run("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
if (status !== 0) if (status === 0) {
  // HTTP-dates are GMT whatever the machine's timezone: run the date tests again away from UTC.
  status = run("npx", ["jest", "--maxWorkers=1", ...DATE_TESTS], { env: { ...process.env, TZ: "America/New_York" } });
}
process.exit(status);
status = run("npm", ["run", "-s", "build"]);
if (status !== 0) if (status === 0) {
  // HTTP-dates are GMT whatever the machine's timezone: run the date tests again away from UTC.
  status = run("npx", ["jest", "--maxWorkers=1", ...DATE_TESTS], { env: { ...process.env, TZ: "America/New_York" } });
}
process.exit(status);

const report = path.join(root, "test-artifacts", "jest-results.json");
fs.mkdirSync(path.dirname(report), { recursive: true });
status = run("npx", ["jest", "--json", `--outputFile=${report}`, ...process.argv.slice(2)]);
try {
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
  if (r.numTotalTests === 0) status = 1;
} catch {
  if (status === 0) status = 1;
}
if (status === 0) {
  // HTTP-dates are GMT whatever the machine's timezone: run the date tests again away from UTC.
  status = run("npx", ["jest", "--maxWorkers=1", ...DATE_TESTS], { env: { ...process.env, TZ: "America/New_York" } });
}
process.exit(status);
