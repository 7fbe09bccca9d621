#!/usr/bin/env node
// The test suite in three lanes:
//   node scripts/test.js          everything: type-check, lint, build, then jest (unit, HTTP, Redis, end-to-end in headless Chromium)
//   node scripts/test.js --unit   jest without the build, Chromium or Redis (npm run test:unit)
//   node scripts/test.js --e2e    build, then the suites that drive the built panel in Chromium (npm run test:e2e)
// Every lane ends with a second pass of the date tests under a non-UTC timezone.
// Lanes that need system tools check for them first, and install them when they can
// (root with apt-get, as in CI); otherwise they say exactly what to install.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const DATE_TESTS = ["test/common/firefly/retry-after.test.ts", "test/common/firefly/classify.test.ts"];
/** Suites that need the build, Chromium or Redis (jest path patterns). */
// Panel suites that drive the built page in Chromium are named *Ui.test.ts (plus panelModelsReferences).
const BROWSER_SUITES = ["/test/e2e/", "/test/build/", "/test/panel/[A-Za-z]*Ui\\.test", "/test/panel/panelModelsReferences\\.test"];
// Suites that start a redis-server for some of their cases (grep startRedis).
const REDIS_SUITES = ["/test/scale/", "/test/store/redis-", "/test/store/differential\\.test", "/test/broker/composite\\.test", "/test/broker/quota\\.test"];

const args = process.argv.slice(2);
const lane = args.includes("--unit") ? "unit" : args.includes("--e2e") ? "e2e" : "all";
const jestArgs = args.filter((a) => a !== "--unit" && a !== "--e2e");
const laneArgs = {
  all: [],
  // Two workers: Jest's default on two cores is one (cores − 1), which leaves a core idle.
  unit: ["--maxWorkers=2", "--testPathIgnorePatterns", ...BROWSER_SUITES, ...REDIS_SUITES],
  e2e: ["--testPathPattern", ...BROWSER_SUITES],
}[lane];
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

const laneNeeds = { all: needs, unit: [], e2e: needs.filter((n) => n.pkg === "chromium") }[lane];
const missing = laneNeeds.filter((n) => !has(n.bin));
if (missing.length) {
  const pkgs = missing.map((m) => m.pkg);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && has("apt-get")) {
    console.log(`Installing ${pkgs.join(", ")} (needed for: ${missing.map((m) => m.why).join("; ")})`);
    if (
      run("apt-get", ["update", "-qq"]) !== 0 ||
      run("apt-get", ["install", "-y", "-qq", ...pkgs], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) !== 0
    ) {
      console.error("Could not install the packages above; install them and run the tests again.");
      process.exit(1);
    }
  } else {
    console.error(`Missing: ${pkgs.join(", ")}. Install them first, e.g.: sudo apt-get install ${pkgs.join(" ")}`);
    process.exit(1);
  }
}

let status = 0;
let lintStatus = 0;
if (lane === "all") {
  status = run("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
  if (status !== 0) process.exit(status);
  // A lint failure fails the run, but the tests still run so one report shows both.
  lintStatus = run("npm", ["run", "-s", "lint"]);
}
if (lane !== "unit") {
  status = run("npm", ["run", "-s", "build"]);
  if (status !== 0) process.exit(status);
}

// Every temporary folder the tests make (brokers' data folders, keys files, browser profiles) goes
// into one folder of this run, removed when the run ends: a run leaves nothing in the system's temp
// folder. The transpile caches stay in the system's temp folder, so the next run starts warm.
const systemTmp = os.tmpdir();
const runTmp = fs.mkdtempSync(path.join(systemTmp, "infill-test-run-"));
process.on("exit", () => fs.rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 }));
// Ctrl-C reaches the test processes too; this one waits for them, then removes the folder.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => undefined);
const testEnv = {
  ...process.env,
  TMPDIR: runTmp,
  INFILL_TS_CACHE_DIR: process.env.INFILL_TS_CACHE_DIR || path.join(systemTmp, "infill-ts-cache"),
};
const cacheArgs = jestArgs.some((a) => a.startsWith("--cacheDirectory")) ? [] : [`--cacheDirectory=${path.join(systemTmp, "infill-jest-cache")}`];

const report = path.join(root, "test-artifacts", "jest-results.json");
fs.mkdirSync(path.dirname(report), { recursive: true });
status = run("npx", ["jest", "--json", `--outputFile=${report}`, ...cacheArgs, ...laneArgs, ...jestArgs], { env: testEnv });
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
  status = run("npx", ["jest", "--maxWorkers=1", ...cacheArgs, ...DATE_TESTS], { env: { ...testEnv, TZ: "America/New_York" } });
}
if (status === 0 && lintStatus !== 0) {
  console.error("Lint failed (npm run lint): see its report above.");
  status = lintStatus;
}
process.exit(status);
