// Broker bench: what a status poll costs by going through the broker, against the same poll sent
// straight to the fake upstream and through a bare node:http pass-through proxy, all in one run.
//
//   npm run bench:broker -- [--clients 50] [--low-rate 50] [--high-rate 1000]
//                           [--low-seconds 8] [--high-seconds 3] [--requests 4000] [--rounds 3]
//                           [--phases ABC] [--baseline <git revision>]
//
// Processes: the load generator is this process; the fake Firefly, the bare proxy and two brokers
// each run in a child process of their own, so what is measured does not share an event loop (or
// a CPU-time count) with the clients. 50 jobs are submitted through each broker and stay
// "running" upstream. The targets:
//   upstream direct               the fake Firefly itself, with an IMS token (the baseline);
//   bare node:http proxy          pipes each request to the upstream (the yardstick for throughput);
//   broker (every poll upstream)  collapsing off: every poll pays the broker's whole path — key
//                                 check, ownership and store lookups, an upstream call, rewriting
//                                 the body, the log line — this is the figure the targets are about;
//   broker (default: collapsed)   as configured by default: one upstream call per job per second.
//   broker at <rev>               with --baseline: the broker of another git revision (e.g. main),
//                                 every poll upstream, to measure a change against in the same run.
// Three loads per target, each on every target in turn, the order reversed every round:
//   A. open loop at a realistic rate: 50 clients, each with its own keep-alive connection (opened
//      before the clock starts), each polling its own job every 1000 ms (50 req/s in all — 50
//      panels polling every second).
//      Latency counts from when the poll was due, so a client kept waiting is not hidden.
//   B. the same 50 clients at a much higher stated rate (1000 req/s in all: every 50 ms each).
//   C. closed loop: 50 requests always in flight, as fast as the machine answers (saturation).
// Which figure answers which target:
//   "added latency p50 ≤ 1 ms, p99 ≤ 5 ms at 50 concurrent" → A and B: broker (every poll
//     upstream) minus upstream direct, at a stated load below saturation;
//   "throughput ≥ 0.7× a bare node:http proxy" → C: req/s of the broker over the bare proxy's.
// C's latencies are printed too; they are mostly queueing behind saturated cores (the clients,
// the target and the upstream share the machine), not time the broker spends on a request.
// CPU µs per request is each child's own process.cpuUsage() over the phase (asked over IPC): the
// broker's or the proxy's process, and the upstream's. At 50 req/s it includes each process's
// upkeep while idle (timers, GC) spread over few requests; C's figure is the steadiest measure of
// what a poll costs. Figures only — the machine is shared; repeat the run and read ranges.

import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { arg, ask, cpuMicros, textArg, forkTs, quantile, request, startUpstream, stopChild, upstreamBrokerEnv, upstreamHeaders } from "../support/procs";

const CLIENTS = arg("clients", 50);
const LOW_RATE = arg("low-rate", 50);
const HIGH_RATE = arg("high-rate", 1000);
const LOW_SECONDS = arg("low-seconds", 8);
const HIGH_SECONDS = arg("high-seconds", 3);
const REQUESTS = arg("requests", 4000);
const ROUNDS = arg("rounds", 3);
/** Which of the phases A, B, C to run (all by default). */
const PHASES = phasesArg();
/** A git revision whose broker runs as one more target (every poll upstream). */
const BASELINE = textArg("baseline");
const JOBS = 50;
const KEY = "ifk_bench_0123456789abcdefghijklmnopqrstuv";
/** BENCH_CPU_PROF=<dir>: the brokers and the bare proxy write V8 CPU profiles there when they stop. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** BENCH_BROKER_FLAGS: more Node flags for the brokers and the bare proxy (e.g. --trace-gc). */
const BROKER_FLAGS = (process.env.BENCH_BROKER_FLAGS ?? "").split(" ").filter(Boolean);

type Phase = "A" | "B" | "C";

function phasesArg(): Set<Phase> {
  const text = textArg("phases") ?? "ABC";
  if (!/^[ABC]+$/.test(text)) throw new Error("--phases takes letters from ABC, e.g. --phases A");
  return new Set(text.split("") as Phase[]);
}

interface Target {
  name: string;
  urls: URL[];
  headers: Record<string, string>;
  /** The process between the clients and the upstream (none for "upstream direct"). */
  middle?: ChildProcess;
}

/** Samples of one target in one phase, summed over rounds. */
interface Tally {
  times: number[];
  requests: number;
  secs: number;
  middleCpuUs: number;
  upstreamCpuUs: number;
  /** The p50 of each round on its own (to show how much rounds differ). */
  roundP50s: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function check(name: string, r: { status: number; body: string }): void {
  if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
}

/**
 * Open loop: `CLIENTS` clients, each on its own keep-alive connection (opened beforehand), each
 * polling its own job every CLIENTS/rate seconds, started evenly spread. A poll's time runs from
 * when it was sent — or, when the client was still waiting for its previous answer at that time,
 * from when it was due.
 */
async function openLoop(t: Target, rate: number, seconds: number): Promise<{ times: number[]; requests: number; secs: number }> {
  const periodMs = (CLIENTS / rate) * 1000;
  const times: number[] = [];
  // Every client opens its connection with one poll that is not counted (a panel stays connected).
  const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  await Promise.all(agents.map(async (agent, c) => check(t.name, await request(agent, t.urls[c % t.urls.length], t.headers))));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const client = async (c: number) => {
    const agent = agents[c];
    const url = t.urls[c % t.urls.length];
    for (let due = t0 + (c * periodMs) / CLIENTS; due < end; due += periodMs) {
      let start = performance.now();
      if (start < due) {
        await sleep(due - start);
        start = performance.now();
      } else start = due;
      check(t.name, await request(agent, url, t.headers));
      times.push(performance.now() - start);
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return { times, requests: times.length, secs: (performance.now() - t0) / 1000 };
}

/** Closed loop: `n` polls, CLIENTS always in flight, spread over the jobs. */
async function closedLoop(t: Target, n: number): Promise<{ times: number[]; requests: number; secs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  // Open the connections first with one uncounted poll each.
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => check(t.name, await request(agent, t.urls[c % t.urls.length], t.headers))));
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      check(t.name, await request(agent, t.urls[i % t.urls.length], t.headers));
      times.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  return { times, requests: n, secs };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-bench-"));
  const { msg: up, child: upstream } = await startUpstream();
  const brokerEnv = (name: string, statusIntervalMs?: number) => ({
    ...upstreamBrokerEnv(up, path.join(dir, name)),
    INFILL_API_KEY: KEY,
    INFILL_RATE_PER_MINUTE: "100000",
    INFILL_MAX_QUEUED_PER_KEY: "1000",
    BENCH_STATUS_INTERVAL_MS: statusIntervalMs === undefined ? "" : String(statusIntervalMs),
  });
  const prof = (name: string) => [
    ...BROKER_FLAGS,
    ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
  ];
  const every = await forkTs<{ url: string }>("support/broker.ts", brokerEnv("every", 0), prof("broker-every"));
  const collapsed = await forkTs<{ url: string }>("support/broker.ts", brokerEnv("collapsed"), prof("broker-collapsed"));
  const proxy = await forkTs<{ url: string }>("broker/proxy.ts", { BENCH_UPSTREAM: up.url }, prof("proxy"));
  const baseline = BASELINE ? await forkTs<{ url: string }>("support/broker.ts", brokerEnv("baseline", 0), prof("broker-baseline"), BASELINE) : undefined;
  const children = [every.child, collapsed.child, proxy.child, upstream, ...(baseline ? [baseline.child] : [])];
  try {
    const agent = new http.Agent({ keepAlive: true });
    const auth = { authorization: `Bearer ${KEY}` };
    const submitJobs = async (b: { msg: { url: string }; child: ChildProcess }) => {
      const ids: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        const r = await request(
          agent,
          new URL(`${b.msg.url}/v3/images/generate-async`),
          { ...auth, "content-type": "application/json" },
          "POST",
          JSON.stringify({ prompt: `bench ${i}` }),
        );
        if (r.status !== 202) throw new Error(`submit: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        ids.push(JSON.parse(r.body).jobId);
      }
      return { ids, upstreamIds: await ask<string[]>(b.child, "providerJobs", ids) };
    };
    const everyJobs = await submitJobs(every);
    const collapsedJobs = await submitJobs(collapsed);
    const baselineJobs = baseline ? await submitJobs(baseline) : undefined;
    const upHeaders = await upstreamHeaders(agent, up);
    agent.destroy();

    const targets: Target[] = [
      { name: "upstream direct", urls: everyJobs.upstreamIds.map((id) => new URL(`${up.url}/v3/status/${id}`)), headers: upHeaders },
      {
        name: "bare node:http proxy",
        urls: everyJobs.upstreamIds.map((id) => new URL(`${proxy.msg.url}/v3/status/${id}`)),
        headers: upHeaders,
        middle: proxy.child,
      },
      {
        name: "broker (every poll upstream)",
        urls: everyJobs.ids.map((id) => new URL(`${every.msg.url}/v3/status/${id}`)),
        headers: auth,
        middle: every.child,
      },
      {
        name: "broker (default: collapsed)",
        urls: collapsedJobs.ids.map((id) => new URL(`${collapsed.msg.url}/v3/status/${id}`)),
        headers: auth,
        middle: collapsed.child,
      },
    ];
    const baseline_ = `broker at ${BASELINE} (every poll)`;
    if (baseline && baselineJobs)
      targets.push({
        name: baseline_,
        urls: baselineJobs.ids.map((id) => new URL(`${baseline.msg.url}/v3/status/${id}`)),
        headers: auth,
        middle: baseline.child,
      });
    console.log(
      `broker bench: ${CLIENTS} clients; A: open loop ${LOW_RATE} req/s for ${LOW_SECONDS} s, B: open loop ${HIGH_RATE} req/s for ${HIGH_SECONDS} s, C: closed loop ${REQUESTS} polls; ` +
        `${ROUNDS} rounds; ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
    );
    // Warm up every target (connections, IMS token, JIT) before anything is measured.
    for (const t of targets) await closedLoop(t, 1000);

    const tallies = new Map<string, Tally>();
    const measure = async (t: Target, phase: Phase, run: () => Promise<{ times: number[]; requests: number; secs: number }>) => {
      const m0 = t.middle ? await cpuMicros(t.middle) : 0;
      const u0 = await cpuMicros(upstream);
      const r = await run();
      const m1 = t.middle ? await cpuMicros(t.middle) : 0;
      const u1 = await cpuMicros(upstream);
      const k = `${phase} ${t.name}`;
      const tally = tallies.get(k) ?? { times: [], requests: 0, secs: 0, middleCpuUs: 0, upstreamCpuUs: 0, roundP50s: [] };
      for (const x of r.times) tally.times.push(x);
      tally.roundP50s.push(
        quantile(
          [...r.times].sort((a, b) => a - b),
          0.5,
        ),
      );
      tally.requests += r.requests;
      tally.secs += r.secs;
      tally.middleCpuUs += m1 - m0;
      tally.upstreamCpuUs += u1 - u0;
      tallies.set(k, tally);
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      if (PHASES.has("A")) for (const t of order) await measure(t, "A", () => openLoop(t, LOW_RATE, LOW_SECONDS));
      if (PHASES.has("B")) for (const t of order) await measure(t, "B", () => openLoop(t, HIGH_RATE, HIGH_SECONDS));
      if (PHASES.has("C")) for (const t of order) await measure(t, "C", () => closedLoop(t, REQUESTS));
    }

    const fig = (phase: Phase, name: string) => {
      const t = tallies.get(`${phase} ${name}`)!;
      t.times.sort((a, b) => a - b);
      return {
        p50: quantile(t.times, 0.5),
        p99: quantile(t.times, 0.99),
        rps: t.requests / t.secs,
        middleCpu: t.middleCpuUs / t.requests,
        upstreamCpu: t.upstreamCpuUs / t.requests,
        n: t.requests,
      };
    };
    const pad = (s: string, n: number) => s.padEnd(n);
    const table = (phase: Phase) => {
      console.log(
        `${pad("  target", 34)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("req/s", 9)}${pad("polls", 8)}${pad("CPU µs/req: broker/proxy", 26)}upstream`,
      );
      for (const t of targets) {
        const f = fig(phase, t.name);
        console.log(
          `${pad(`  ${t.name}`, 34)}${pad(f.p50.toFixed(2), 9)}${pad(f.p99.toFixed(2), 9)}${pad(f.rps.toFixed(0), 9)}${pad(String(f.n), 8)}${pad(t.middle ? f.middleCpu.toFixed(0) : "-", 26)}${f.upstreamCpu.toFixed(0)}`,
        );
      }
    };
    const added = (phase: Phase, name: string, withTarget: boolean) => {
      const base = fig(phase, "upstream direct");
      const f = fig(phase, name);
      const p50 = f.p50 - base.p50;
      const p99 = f.p99 - base.p99;
      const verdict = withTarget ? ` — target ≤ 1 / ≤ 5 ms: ${p50 <= 1 && p99 <= 5 ? "met" : "NOT met"}` : "";
      const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
      const rounds =
        ROUNDS > 1
          ? ` (p50 by round: ${tallies
              .get(`${phase} ${name}`)!
              .roundP50s.map((x, i) => signed(x - tallies.get(`${phase} upstream direct`)!.roundP50s[i]))
              .join(" / ")})`
          : "";
      console.log(`  added by the ${pad(name + ":", 30)} p50 ${signed(p50)} ms, p99 ${signed(p99)} ms${verdict}${rounds}`);
    };
    const every_ = "broker (every poll upstream)";
    const coll_ = "broker (default: collapsed)";
    for (const [phase, rate] of [
      ["A", LOW_RATE],
      ["B", HIGH_RATE],
    ] as const) {
      if (!PHASES.has(phase)) continue;
      console.log(
        `\n${phase}. latency at ${CLIENTS} concurrent clients, open loop: ${rate} req/s in all (each client polls its own job every ${((CLIENTS / rate) * 1000).toFixed(0)} ms)` +
          `\n   answers "added latency p50 ≤ 1 ms, p99 ≤ 5 ms" at this stated load`,
      );
      table(phase);
      added(phase, every_, true);
      added(phase, coll_, false);
      added(phase, "bare node:http proxy", false);
      if (baseline) added(phase, baseline_, false);
    }
    if (PHASES.has("C")) {
      console.log(
        `\nC. saturation: closed loop, ${CLIENTS} requests always in flight (clients, target and upstream share ${os.cpus().length} cores)` +
          `\n   answers "throughput ≥ 0.7× a bare node:http proxy"; latencies here are queueing at saturation, not the broker's own cost`,
      );
      table("C");
      const bare = fig("C", "bare node:http proxy").rps;
      const ratio = fig("C", every_).rps / bare;
      console.log(`  throughput broker (every poll upstream) / bare proxy: ${ratio.toFixed(2)}× — target ≥ 0.7×: ${ratio >= 0.7 ? "met" : "NOT met"}`);
      console.log(`  throughput broker (default: collapsed) / bare proxy:  ${(fig("C", coll_).rps / bare).toFixed(2)}×`);
      if (baseline) console.log(`  throughput ${baseline_} / bare proxy: ${(fig("C", baseline_).rps / bare).toFixed(2)}×`);
    }
    const calls = await ask<number>(collapsed.child, "upstreamStatusCalls");
    const polls = [...tallies.entries()].filter(([k]) => k.endsWith(coll_)).reduce((s, [, t]) => s + t.requests, 1000);
    console.log(`\nupstream status calls by the collapsing broker: ${calls} for ${polls} polls (${JOBS} jobs, at most one per job per second)`);
    console.log(`load average at the end: ${os.loadavg()[0].toFixed(1)} (on ${os.cpus().length} cores)`);
  } finally {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
