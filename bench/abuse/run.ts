// Abuse bench: hostile clients against one broker (in a child process, on loopback, against the
// fake Firefly in another), each attack for a bounded time and count. For each attack it prints
// whether the broker stayed up (its process alive and /health answering), the broker's peak RSS
// and open descriptors while the attack ran (sampled from /proc every 50 ms), the broker's CPU
// use, how many connections the attacker opened, and the p99 of an honest client's status polls
// (another key, its own connection, from another client address) during the attack against the
// same client's p99 while no attack runs. `--broker-rev main,.` measures two brokers (that revision
// and the working tree) in turns within the same rounds; `--cpu-prof` keeps each broker's profile.
//
//   npx ts-node --transpile-only --project bench/tsconfig.json bench/abuse/run.ts \
//     [--rounds 3] [--slices 3] [--seconds 2] [--poll-ms 25] [--nice 19] [--attacks idle,slow]
//     [--broker-rev <git revision>[,<another>|.]] [--cpu-prof <folder>]
//
// Attacks (attacks.ts) run in a process of their own (attacker.ts) from 127.0.0.2, at nice
// `--nice`: a remote attacker spends none of the broker host's CPU, so the local stand-in yields
// it to the broker and the honest client whenever they want it. The honest client polls from
// this process and 127.0.0.1 (Linux answers all of 127/8):
//   aborted uploads     2000 a second (at most 256 at once): an upload's headers and first bytes, then the socket destroyed;
//   slow uploads        64 connections, each an upload trickling 1 KB every 200 ms (refused ones reconnect);
//   /health trickle     1000 a second (at most 500 open): /health declaring a 1 TB body, then a byte a second;
//   idle connections    2000 connections that never send a byte;
//   many-address flood  3000 connections that never send a byte, from 64 addresses (127.0.1.1–64).
// The two flood attacks open connections at a fixed rate whatever the broker answers, so brokers
// compared with --broker-rev meet the same offered load; "conns/s" is what the attacker managed.
// Every poll goes upstream (the status collapsing interval is 0). In each round every attack
// alternates with quiet: `--slices` pairs of a quiet slice and an attacked slice, `--seconds`
// each, so a change in the machine's own load falls on both alike; the p99s are over each side's
// pooled polls. "µs CPU/conn" is the broker's CPU over the attacked slices less that over the
// quiet ones, per connection the attacker opened: it moves less with the machine's load than the
// p99s. The summary gives the median and the range over the rounds. Figures only: the
// machine may be shared. Linux only (/proc).

import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { fork } from "child_process";
import { arg, cpuMicros, forkTs, quantile, request, startUpstream, stopChild, textArg, upstreamBrokerEnv, type Upstream } from "../support/procs";
import { ATTACKER, ATTACKS } from "./attacks";

const ROUNDS = arg("rounds", 3);
const SLICES = arg("slices", 3);
const SECONDS = arg("seconds", 2);
const POLL_MS = arg("poll-ms", 25);
const NICE = arg("nice", 19);
/**
 * The brokers to measure, by git revision, comma-separated ("" or "." is the working tree): e.g.
 * `--broker-rev main,.` runs the two side by side in the same rounds.
 */
const BROKER_REVS = (textArg("broker-rev") ?? "").split(",").map((r) => (r.trim() === "." ? "" : r.trim()));
/** Only the attacks whose names contain one of these (comma-separated). */
const ONLY = (textArg("attacks") ?? "").split(",").filter(Boolean);
/** Write each broker's CPU profile (node --cpu-prof) into this folder when it stops. */
const CPU_PROF = textArg("cpu-prof");
const HONEST = "ifk_bench_honest_0123456789abcdefghijklmn";
/** A whole 1×1 PNG, for the honest client's uploads. */
const ONE_PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

interface AttackReport {
  opened: number;
  cpuMs: number;
}

interface Attacker {
  /** Run the attack for `ms`; resolves with what it did once it has stopped. */
  run(ms: number): Promise<AttackReport>;
  stop(): Promise<void>;
}

/** Attack `name` loaded in a process of its own at nice NICE (loading it is not part of the attack). */
async function attackProcess(url: URL, name: string): Promise<Attacker> {
  const child = fork(path.join(__dirname, "attacker.ts"), [url.href, name], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  os.setPriority(child.pid!, NICE);
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", () => reject(new Error(`attacker ${name} exited before it was ready`)));
  });
  return {
    run: (ms) =>
      new Promise((resolve, reject) => {
        const onExit = () => reject(new Error(`attacker ${name} exited during the attack`));
        child.once("exit", onExit);
        child.once("message", (m) => {
          child.off("exit", onExit);
          resolve(m as AttackReport);
        });
        child.send({ ms });
      }),
    stop: () => stopChild(child),
  };
}

interface Target {
  /** The broker's git revision ("" the working tree). */
  rev: string;
  url: URL;
  child: ChildProcess;
  /** The honest client's job. */
  jobPath: string;
}

/** The broker process's resident set (kB) and open descriptors, from /proc. */
function sample(pid: number): { rssKb: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssKb, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The honest client's status polls, one every POLL_MS on one keep-alive connection, until `stop`; latencies in ms. */
async function honestPolls(t: Target, stop: () => boolean): Promise<{ times: number[]; failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: "127.0.0.1" } as http.AgentOptions);
  const times: number[] = [];
  let failed = 0;
  const headers = { authorization: `Bearer ${HONEST}` };
  let due = performance.now();
  while (!stop()) {
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const r = await request(agent, new URL(t.jobPath, t.url), headers).catch(() => ({ status: 0, body: "" }));
    // Latency counts from when the poll was due, so a poll kept waiting is not hidden.
    times.push(performance.now() - due);
    if (r.status !== 200) failed++;
    due += POLL_MS;
  }
  agent.destroy();
  return { times, failed };
}

interface Slice {
  times: number[];
  failed: number;
  peakRssKb: number;
  peakFds: number;
  /** The broker's CPU time over the slice (ms). */
  brokerCpuMs: number;
  attack?: AttackReport;
}

/** SECONDS of honest polls, with `attacker` running alongside if given. */
async function slice(t: Target, attacker: Attacker | undefined): Promise<Slice> {
  const cpu0 = await cpuMicros(t.child);
  const end = performance.now() + SECONDS * 1000;
  const stop = () => performance.now() >= end || !alive(t.child);
  let peakRssKb = 0;
  let peakFds = 0;
  const sampler = setInterval(() => {
    if (!alive(t.child)) return;
    const s = sample(t.child.pid!);
    peakRssKb = Math.max(peakRssKb, s.rssKb);
    peakFds = Math.max(peakFds, s.fds);
  }, 50);
  const [polls, attack] = await Promise.all([honestPolls(t, stop), attacker?.run(end - performance.now())]);
  clearInterval(sampler);
  const brokerCpuMs = alive(t.child) ? ((await cpuMicros(t.child)) - cpu0) / 1000 : NaN;
  return { ...polls, peakRssKb, peakFds, brokerCpuMs, attack };
}

interface Side {
  p99: number;
  p50: number;
  polls: number;
  failed: number;
  peakRssMb: number;
  peakFds: number;
  /** The broker's CPU use, % of one core. */
  brokerCpu: number;
  /** Connections the attacker opened per second. */
  connsPerSecond: number;
  /** The attacker's CPU use, % of one core. */
  attackerCpu: number;
}

/** One side's slices taken together. */
function pooled(slices: Slice[]): Side {
  const times = slices.flatMap((s) => s.times).sort((a, b) => a - b);
  const ms = slices.length * SECONDS * 1000;
  const sum = (f: (s: Slice) => number) => slices.reduce((n, s) => n + f(s), 0);
  return {
    p99: quantile(times, 0.99),
    p50: quantile(times, 0.5),
    polls: times.length,
    failed: sum((s) => s.failed),
    peakRssMb: Math.max(...slices.map((s) => s.peakRssKb)) / 1024,
    peakFds: Math.max(...slices.map((s) => s.peakFds)),
    brokerCpu: (sum((s) => s.brokerCpuMs) / ms) * 100,
    connsPerSecond: (sum((s) => s.attack?.opened ?? 0) / ms) * 1000,
    attackerCpu: (sum((s) => s.attack?.cpuMs ?? 0) / ms) * 100,
  };
}

interface AttackRun {
  quiet: Side;
  attacked: Side;
  /** Alive and answering /health after the attack. */
  up: boolean;
}

/** SLICES pairs of a quiet slice and an attacked slice. */
async function measure(t: Target, name: string): Promise<AttackRun> {
  const attacker = await attackProcess(t.url, name);
  const quiet: Slice[] = [];
  const attacked: Slice[] = [];
  try {
    for (let i = 0; i < SLICES && alive(t.child); i++) {
      quiet.push(await slice(t, undefined));
      attacked.push(await slice(t, attacker));
      // Let the broker settle (closed sockets, timers) before the next quiet slice.
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await attacker.stop();
  }
  const health = alive(t.child)
    ? await request(new http.Agent(), new URL("/health", t.url), {}).catch(() => ({ status: 0, body: "" }))
    : { status: 0, body: "" };
  return { quiet: pooled(quiet), attacked: pooled(attacked), up: alive(t.child) && health.status === 200 };
}

/**
 * The broker's CPU time per attacking connection (µs): its CPU over the attacked slices less that
 * over the quiet ones, per connection the attacker opened. It moves less with the machine's load
 * than the p99s do.
 */
function cpuPerConn(r: AttackRun): number {
  const ms = SLICES * SECONDS * 1000;
  const opened = (r.attacked.connsPerSecond * ms) / 1000;
  return opened ? (((r.attacked.brokerCpu - r.quiet.brokerCpu) / 100) * ms * 1000) / opened : NaN;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** "median [min–max]" of `xs`, each with `digits` decimals. */
const spread = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
}

/** A broker of revision `rev` ("" the working tree) with the honest client's job submitted. */
async function startTarget(rev: string, keysFile: string, dir: string, up: Upstream): Promise<Target> {
  const data = fs.mkdtempSync(path.join(dir, "broker-"));
  const { msg, child } = await forkTs<{ url: string }>(
    "support/broker.ts",
    {
      ...upstreamBrokerEnv(up, data),
      INFILL_KEYS_FILE: keysFile,
      INFILL_RATE_PER_MINUTE: "100000",
      BENCH_STATUS_INTERVAL_MS: "0",
    },
    CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(CPU_PROF)] : [],
    rev,
  );
  const url = new URL(msg.url);
  // The honest client's job: two uploads and a fill, then polled ("running" upstream for ever).
  const agent = new http.Agent();
  const uploadOne = () =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/v2/storage/image",
          agent,
          headers: { authorization: `Bearer ${HONEST}`, "content-type": "image/png", "content-length": ONE_PIXEL_PNG.length },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(text).images[0].id) : reject(new Error(`upload ${res.statusCode} ${text}`))));
        },
      );
      req.on("error", reject);
      req.end(ONE_PIXEL_PNG);
    });
  const [src, mask] = [await uploadOne(), await uploadOne()];
  const body = JSON.stringify({ image: { source: { uploadId: src } }, mask: { source: { uploadId: mask } }, prompt: "a boat" });
  const acc = await request(
    agent,
    new URL("/v3/images/fill-async", url),
    { authorization: `Bearer ${HONEST}`, "content-type": "application/json" },
    "POST",
    body,
  );
  agent.destroy();
  if (acc.status !== 202) throw new Error(`submit ${acc.status} ${acc.body}`);
  return { rev, url, child, jobPath: `/v3/status/${encodeURIComponent(JSON.parse(acc.body).jobId)}` };
}

const revName = (rev: string) => rev || "working tree";

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-abuse-"));
  const keysFile = path.join(dir, "keys.json");
  fs.writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        { name: "honest", key: HONEST },
        { name: "attacker", key: ATTACKER },
      ],
    }),
    { mode: 0o600 },
  );
  const attacks = ATTACKS.filter((a) => !ONLY.length || ONLY.some((n) => a.name.includes(n)));
  if (!attacks.length) throw new Error(`no attack matches --attacks ${ONLY.join(",")}`);
  const { msg: up, child: upstream } = await startUpstream();
  const targets: Target[] = [];
  try {
    for (const rev of BROKER_REVS) targets.push(await startTarget(rev, keysFile, dir, up));
    const allAlive = () => targets.every((t) => alive(t.child));
    console.log(
      `abuse bench: ${ROUNDS} rounds, per attack ${SLICES} × (${SECONDS} s quiet, ${SECONDS} s attacked), ` +
        `honest poll every ${POLL_MS} ms (every poll upstream); attacker in its own process at nice ${NICE}; ` +
        `broker ${BROKER_REVS.map(revName).join(" vs ")}; ${os.cpus().length} CPUs, load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")} at start\n`,
    );
    const runs = new Map<string, AttackRun[]>();
    const perRound: string[][] = [
      ["round", "broker", "attack", "quiet p99", "attacked p99", "ratio", "broker CPU %", "µs CPU/conn", "conns/s", "attacker CPU %", "load"],
    ];
    for (let round = 1; round <= ROUNDS && allAlive(); round++) {
      for (const attack of attacks) {
        // The brokers take turns, in the other order every round, so neither always goes first.
        const order = round % 2 ? targets : [...targets].reverse();
        for (const t of order) {
          if (!allAlive()) break;
          const r = await measure(t, attack.name);
          const key = `${attack.name}\0${t.rev}`;
          runs.set(key, [...(runs.get(key) ?? []), r]);
          perRound.push([
            String(round),
            revName(t.rev),
            attack.name,
            r.quiet.p99.toFixed(1),
            r.attacked.p99.toFixed(1),
            (r.attacked.p99 / r.quiet.p99).toFixed(2),
            r.attacked.brokerCpu.toFixed(0),
            cpuPerConn(r).toFixed(0),
            r.attacked.connsPerSecond.toFixed(0),
            r.attacked.attackerCpu.toFixed(0),
            os.loadavg()[0].toFixed(2),
          ]);
        }
      }
    }
    printTable(perRound);
    console.log(`\nsummary over ${ROUNDS} rounds: median [min–max]; load ${os.loadavg()[0].toFixed(2)} at the end\n`);
    const rows: string[][] = [
      [
        "attack",
        "broker",
        "broker up",
        "peak RSS MB",
        "peak fds",
        "failed polls",
        "broker CPU %",
        "µs CPU/conn",
        "conns/s",
        "quiet p99 ms",
        "attacked p99 ms",
        "p99 / quiet",
      ],
    ];
    for (const [key, rs] of runs) {
      const [name, rev] = key.split("\0");
      const att = rs.map((r) => r.attacked);
      rows.push([
        name,
        revName(rev),
        rs.every((r) => r.up) ? "yes" : "NO",
        Math.max(...att.map((r) => r.peakRssMb)).toFixed(0),
        String(Math.max(...att.map((r) => r.peakFds))),
        String(att.reduce((n, r) => n + r.failed, 0)),
        spread(
          att.map((r) => r.brokerCpu),
          0,
        ),
        spread(rs.map(cpuPerConn), 0),
        spread(
          att.map((r) => r.connsPerSecond),
          0,
        ),
        spread(
          rs.map((r) => r.quiet.p99),
          1,
        ),
        spread(
          att.map((r) => r.p99),
          1,
        ),
        spread(
          rs.map((r) => r.attacked.p99 / r.quiet.p99),
          2,
        ),
      ]);
    }
    printTable(rows);
    console.log("\ntarget: the honest client's p99 within 2× its quiet value; the broker up after every attack");
  } finally {
    for (const t of targets) await stopChild(t.child);
    await stopChild(upstream);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
