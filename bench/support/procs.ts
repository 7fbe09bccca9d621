// What the broker and scale benches share: child processes (each with a small request/answer
// channel over IPC, so the parent can ask a child for its CPU time and the like), the fake
// Firefly in its own child, a plain HTTP request helper and percentiles.
//
// Children run plain JavaScript: the sources they need are transpiled once per run, with the
// production compiler settings (tsconfig.node.json: CommonJS, ES2020), into a temporary folder.
// So a measured broker runs as the built one does — no TypeScript compiler in its heap for every
// full garbage collection to mark, and no node:domain (which ts-node's REPL loads, slowing every
// EventEmitter).

import { execFileSync, fork, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

/** The fake Firefly as the benches see it (what bench/support/upstream.ts reports). */
export interface Upstream {
  url: string;
  imsUrl: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The environment of a broker in front of the fake Firefly `up`: its credentials and addresses, any
 * free port, and its config and data folders in `dir`. Benches add their own limits.
 */
export function upstreamBrokerEnv(up: Upstream, dir: string): Record<string, string> {
  return {
    FIREFLY_SERVICES_CLIENT_ID: up.clientId,
    FIREFLY_SERVICES_CLIENT_SECRET: up.clientSecret,
    INFILL_IMS_URL: up.imsUrl,
    INFILL_FIREFLY_URL: up.url,
    INFILL_PORT: "0",
    INFILL_CONFIG_DIR: path.join(dir, "cfg"),
    INFILL_DATA_DIR: path.join(dir, "data"),
  };
}

/** A child process started by `forkTs`; `msg` is the first message it sent (its "ready"). */
export interface Child<T> {
  msg: T;
  child: ChildProcess;
}

const ROOT = path.join(__dirname, "..", "..");
/** What children may load, from the repository root. */
const CHILD_SOURCES = ["src/common", "src/broker", "test/fakes/firefly", "bench/support", "bench/broker"];
/** Compiled folders by source revision ("" is the working tree). */
const compiledRoots = new Map<string, string>();

/**
 * The folder holding CHILD_SOURCES as JavaScript (made on first use, removed at exit): from the
 * working tree, or from the git revision `rev` (e.g. "main", "HEAD~3") to measure against.
 */
function compiled(rev = ""): string {
  const known = compiledRoots.get(rev);
  if (known) return known;
  const ts = require("typescript") as typeof import("typescript");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.node.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  const compilerOptions = { ...parsed?.options, noEmit: false, sourceMap: false, inlineSourceMap: false, declaration: false };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "infill-bench-js-"));
  process.once("exit", () => fs.rmSync(out, { recursive: true, force: true }));
  let sourceRoot = ROOT;
  if (rev) {
    // That revision's sources, unpacked beside the output (the same dependencies are used).
    sourceRoot = path.join(out, "source");
    fs.mkdirSync(sourceRoot);
    const tar = execFileSync("git", ["-C", ROOT, "archive", "--format=tar", rev, "--", ...CHILD_SOURCES, "package.json"], { maxBuffer: 1 << 28 });
    execFileSync("tar", ["-x", "-C", sourceRoot], { input: tar });
  }
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(sourceRoot, rel), { withFileTypes: true })) {
      const from = path.join(rel, e.name);
      if (e.isDirectory()) walk(from);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
        const { outputText } = ts.transpileModule(fs.readFileSync(path.join(sourceRoot, from), "utf8"), {
          compilerOptions,
          fileName: path.join(sourceRoot, from),
        });
        fs.mkdirSync(path.join(out, rel), { recursive: true });
        fs.writeFileSync(path.join(out, from.replace(/\.ts$/, ".js")), outputText);
      } else if (e.name.endsWith(".json")) {
        fs.mkdirSync(path.join(out, rel), { recursive: true });
        fs.copyFileSync(path.join(sourceRoot, from), path.join(out, from));
      }
    }
  };
  for (const rel of CHILD_SOURCES) walk(rel);
  fs.copyFileSync(path.join(sourceRoot, "package.json"), path.join(out, "package.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules"), "dir");
  compiledRoots.set(rev, out);
  return out;
}

/**
 * Run `file` (a TypeScript file, path from the bench folder, within CHILD_SOURCES) in a child
 * process with `env` added to this one's. Resolves with the child's first IPC message.
 * `execArgv` adds Node flags (e.g. --cpu-prof); `rev` runs that git revision's file instead of
 * the working tree's.
 */
export function forkTs<T>(file: string, env: Record<string, string | undefined> = {}, execArgv: string[] = [], rev = ""): Promise<Child<T>> {
  const child = fork(path.join(compiled(rev), "bench", file.replace(/\.ts$/, ".js")), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${file} exited (${code})`));
    child.once("exit", onExit);
    child.once("message", (msg) => {
      child.off("exit", onExit);
      resolve({ msg: msg as T, child });
    });
  });
}

/** Ask the child to stop (it closes on disconnect) and wait until it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    if (child.connected) child.disconnect();
    else child.kill();
  });
}

// ---- request/answer over IPC ---------------------------------------------------------------------

interface Ask {
  ask: number;
  cmd: string;
  arg?: unknown;
}
interface Answer {
  answer: number;
  result?: unknown;
  error?: string;
}

let nextAsk = 1;

/** Send `cmd` to a child that runs `answerAsks` and wait for its answer. */
export function ask<R>(child: ChildProcess, cmd: string, arg?: unknown): Promise<R> {
  const id = nextAsk++;
  return new Promise((resolve, reject) => {
    const on = (m: unknown) => {
      const a = m as Answer;
      if (a?.answer !== id) return;
      child.off("message", on);
      if (a.error) reject(new Error(`${cmd}: ${a.error}`));
      else resolve(a.result as R);
    };
    child.on("message", on);
    child.send({ ask: id, cmd, arg } satisfies Ask);
  });
}

/**
 * In a child: answer the parent's `ask`s. Every child answers "cpu" (its process.cpuUsage(), µs)
 * besides the `handlers` given; on disconnect `onStop` runs and the process exits.
 */
export function answerAsks(handlers: Record<string, (arg: unknown) => unknown>, onStop: () => Promise<void>): void {
  const all: Record<string, (arg: unknown) => unknown> = { cpu: () => process.cpuUsage(), ...handlers };
  process.on("message", (m: unknown) => {
    const a = m as Ask;
    if (typeof a?.ask !== "number") return;
    const fn = all[a.cmd];
    Promise.resolve()
      .then(() => (fn ? fn(a.arg) : Promise.reject(new Error(`unknown command ${a.cmd}`))))
      .then(
        (result) => process.send!({ answer: a.ask, result } satisfies Answer),
        (err: Error) => process.send!({ answer: a.ask, error: String(err?.message ?? err) } satisfies Answer),
      );
  });
  process.on("disconnect", () => void onStop().then(() => process.exit(0)));
}

/** CPU time (user + system, µs) a child has used so far. */
export async function cpuMicros(child: ChildProcess): Promise<number> {
  const u = await ask<NodeJS.CpuUsage>(child, "cpu");
  return u.user + u.system;
}

// ---- the fake upstream ---------------------------------------------------------------------------

/** The fake Firefly (jobs never finish: every poll reads "running") in a child process. */
export function startUpstream(): Promise<Child<Upstream>> {
  return forkTs<Upstream>("support/upstream.ts");
}

/** An IMS token for calling the fake Firefly directly. */
export async function upstreamHeaders(agent: http.Agent, up: Upstream): Promise<Record<string, string>> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: up.clientId,
    client_secret: up.clientSecret,
    scope: "firefly_api",
  }).toString();
  const r = await request(agent, new URL(up.imsUrl), { "content-type": "application/x-www-form-urlencoded" }, "POST", form);
  return { authorization: `Bearer ${JSON.parse(r.body).access_token}`, "x-api-key": up.clientId };
}

// ---- HTTP and figures ----------------------------------------------------------------------------

export function request(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  method = "GET",
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The p-quantile (0..1) of ascending `sorted`. */
export const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** A numeric command-line option `--name value`, or `def`. */
export function arg(name: string, def: number): number {
  const v = textArg(name);
  return v === undefined ? def : Number(v);
}

/** A command-line option `--name value` as written, or undefined when it is not given. */
export function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (!v || v.startsWith("--")) throw new Error(`--${name} needs a value`);
  return v;
}
