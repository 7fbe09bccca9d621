// Scale-out bench: submit throughput and status-poll latency through 1 and 3 broker instances
// sharing one Redis, against 1 instance on the local file store, measured in the same run.
//
//   npm run bench:scale -- [--submits 1500] [--polls 5000] [--concurrency 50]
//
// Every broker instance is its own process (bench/support/broker.ts, configured by its environment
// as in production); the fake Firefly is another; a
// real redis-server (loopback, no persistence) is a third. The load generator spreads requests
// round-robin over the instances, like a load balancer. The rate limit is raised (1,000,000/min)
// so the bench measures the broker, not Adobe's pace. Phases per setup:
//   submit   N generate-async POSTs from 8 keys, C concurrent: accepted/s and latency; then the
//            time until every job has gone upstream (dispatch rate, all instances dispatching);
//   status   M polls of 50 submitted jobs, C concurrent (default collapsing: one upstream poll
//            per job per second, cluster-wide): p50, p99, req/s.
// Figures only — the machine may have few, shared cores: more instances cannot beat the cores.

import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { startRedis } from "../../test/store/redis-server";
import { arg, forkTs, quantile as q, request, startUpstream, stopChild, upstreamBrokerEnv, type Upstream } from "../support/procs";

const SUBMITS = arg("submits", 1500);
const POLLS = arg("polls", 5000);
const CONCURRENCY = arg("concurrency", 50);
const USERS = Array.from({ length: 8 }, (_, i) => ({ name: `user${i}`, key: `ifk_bench_scale_user${i}_0123456789abcdefghij` }));

/** n requests, `CONCURRENCY` at a time; returns sorted latencies (ms) and the rate. */
async function load(n: number, make: (i: number) => Promise<void>): Promise<{ times: number[]; rps: number; secs: number }> {
  let next = 0;
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const s = process.hrtime.bigint();
      await make(i);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  times.sort((a, b) => a - b);
  return { times, rps: n / secs, secs };
}

interface Figures {
  name: string;
  submitRps: number;
  submitP50: number;
  submitP99: number;
  dispatchRps: number;
  statusRps: number;
  statusP50: number;
  statusP99: number;
}

async function setup(name: string, instances: number, up: Upstream, dir: string, redisUrl?: string, prefix?: string): Promise<Figures> {
  const keysFile = path.join(dir, "keys.json");
  const procs: ChildProcess[] = [];
  const urls: URL[] = [];
  for (let i = 0; i < instances; i++) {
    const d = path.join(dir, `${name.replace(/\W+/g, "-")}-${i}`);
    fs.mkdirSync(path.join(d, "data"), { recursive: true });
    // Instances on one Redis share its output-signing key; nothing to copy.
    const { msg, child } = await forkTs<{ url: string }>("support/broker.ts", {
      ...upstreamBrokerEnv(up, d),
      INFILL_KEYS_FILE: keysFile,
      INFILL_RATE_PER_MINUTE: "1000000",
      INFILL_RATE_PER_DAY: "100000000",
      INFILL_MAX_QUEUED_PER_KEY: "100000",
      INFILL_REDIS_URL: redisUrl,
      INFILL_REDIS_PREFIX: prefix,
    });
    procs.push(child);
    urls.push(new URL(msg.url));
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const json = { "content-type": "application/json" };
  const auth = (i: number) => ({ authorization: `Bearer ${USERS[i % USERS.length].key}` });
  // Warm up (IMS token, connections, JIT) on every instance.
  for (let i = 0; i < 20 * instances; i++) await request(agent, new URL("/v3/custom-models", urls[i % instances]), auth(i));

  const ids: string[] = new Array(SUBMITS);
  const tStart = process.hrtime.bigint();
  const sub = await load(SUBMITS, async (i) => {
    const r = await request(
      agent,
      new URL("/v3/images/generate-async", urls[i % instances]),
      { ...auth(i), ...json },
      "POST",
      JSON.stringify({ prompt: `bench ${i}` }),
    );
    if (r.status !== 202) throw new Error(`submit: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    ids[i] = JSON.parse(r.body).jobId;
  });
  for (;;) {
    const h = JSON.parse((await request(agent, new URL("/health", urls[0]), {})).body);
    if (h.queue.depth === 0 && h.queue.submitting === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const dispatchSecs = Number(process.hrtime.bigint() - tStart) / 1e9;

  const polled = ids.slice(0, 50);
  const st = await load(POLLS, async (i) => {
    const j = i % polled.length;
    const r = await request(agent, new URL(`/v3/status/${polled[j]}`, urls[i % instances]), auth(j));
    if (r.status !== 200) throw new Error(`status: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  });
  agent.destroy();
  await Promise.all(procs.map(stopChild));
  return {
    name,
    submitRps: sub.rps,
    submitP50: q(sub.times, 0.5),
    submitP99: q(sub.times, 0.99),
    dispatchRps: SUBMITS / dispatchSecs,
    statusRps: st.rps,
    statusP50: q(st.times, 0.5),
    statusP99: q(st.times, 0.99),
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-bench-scale-"));
  fs.writeFileSync(path.join(dir, "keys.json"), JSON.stringify({ keys: USERS }));
  const redis = await startRedis();
  const { msg: up, child: upstream } = await startUpstream();
  console.log(
    `scale bench: ${SUBMITS} submits and ${POLLS} status polls per setup, ${CONCURRENCY} concurrent, keep-alive, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  const results: Figures[] = [];
  try {
    results.push(await setup("1 instance, file store", 1, up, dir));
    results.push(await setup("1 instance, Redis", 1, up, dir, redis.url, "bench1:"));
    results.push(await setup("3 instances, Redis", 3, up, dir, redis.url, "bench3:"));
  } finally {
    await stopChild(upstream);
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f = (n: number, d = 1) => n.toFixed(d);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `\n${pad("setup", 26)}${pad("submit/s", 10)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("dispatch/s", 12)}${pad("status/s", 10)}${pad("p50 ms", 8)}p99 ms`,
  );
  for (const r of results) {
    console.log(
      `${pad(r.name, 26)}${pad(f(r.submitRps, 0), 10)}${pad(f(r.submitP50), 8)}${pad(f(r.submitP99), 8)}${pad(f(r.dispatchRps, 0), 12)}${pad(f(r.statusRps, 0), 10)}${pad(f(r.statusP50), 8)}${f(r.statusP99)}`,
    );
  }
  console.log(`load average at the end: ${os.loadavg()[0].toFixed(1)} (on ${os.cpus().length} cores: figures above ~1 per core are contended)`);
  const [file, one, three] = results;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    `\n3 instances vs 1 (Redis): submit ${ratio(three.submitRps, one.submitRps)}, dispatch ${ratio(three.dispatchRps, one.dispatchRps)}, status ${ratio(three.statusRps, one.statusRps)} throughput; status p50 ${ratio(three.statusP50, one.statusP50)}, p99 ${ratio(three.statusP99, one.statusP99)} latency`,
  );
  console.log(
    `Redis vs file store (1 instance): submit ${ratio(one.submitRps, file.submitRps)}, dispatch ${ratio(one.dispatchRps, file.dispatchRps)}, status ${ratio(one.statusRps, file.statusRps)} throughput; status p50 ${ratio(one.statusP50, file.statusP50)}, p99 ${ratio(one.statusP99, file.statusP99)} latency`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
