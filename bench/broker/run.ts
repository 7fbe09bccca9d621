// Broker bench: the latency a status poll gains by going through the broker, and the broker's
// throughput against a bare node:http pass-through proxy, measured in the same run.
//
//   npm run bench:broker -- [--requests 5000] [--concurrency 50]
//
// Setup: the fake Firefly runs in a child process; 50 jobs are submitted through the broker and
// stay "running". Each target is hit with the same load (keep-alive, 50 concurrent clients, each
// request polls one of the 50 jobs): (1) straight to the fake upstream with an IMS token,
// (2) a bare node:http proxy that pipes requests to the upstream, (3) the broker with poll
// collapsing off (every poll goes upstream: its full overhead — auth, ownership, store lookups,
// rewriting, logging), (4) the broker as configured by default (collapsing: one upstream call per
// job per second). Targets: added p50 ≤ 1 ms, p99 ≤ 5 ms at 50 concurrent; throughput ≥ 0.7× the
// bare proxy. Figures only — the machine is shared, expect noise. The CPU time per request of this
// process (clients + broker or proxy) is printed too: on a loaded machine it is steadier than
// latency, and its excess over "upstream direct" is what the broker or the proxy costs per poll.

import { fork } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../../src/broker/config";
import * as logModule from "../../src/broker/log";
import { startBroker, type Broker } from "../../src/broker/server";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const REQUESTS = arg("requests", 5000);
const CONCURRENCY = arg("concurrency", 50);
const WARMUP = Math.min(1000, REQUESTS / 5);
/** Sequential polls (one client): the per-request overhead without queueing. */
const SERIAL_REQUESTS = Math.max(200, Math.round(REQUESTS / 5));
const KEY = "ifk_bench_0123456789abcdefghijklmnopqrstuv";

interface Upstream {
  url: string;
  imsUrl: string;
  clientId: string;
  clientSecret: string;
}

function startUpstream(): Promise<{ info: Upstream; stop: () => void }> {
  const child = fork(path.join(__dirname, "upstream.ts"), [], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
  });
  return new Promise((resolve) => child.once("message", (info) => resolve({ info: info as Upstream, stop: () => child.disconnect() })));
}

function request(agent: http.Agent, url: URL, headers: Record<string, string>, method = "GET", body?: string): Promise<{ status: number; body: string }> {
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

interface Result {
  name: string;
  p50: number;
  p99: number;
  rps: number;
  /** CPU time of this process (the load clients, plus the broker or bare proxy when they are the target) per request, µs. */
  cpuUs: number;
}

async function load(name: string, urls: URL[], headers: Record<string, string>, CONCURRENCY: number, REQUESTS: number): Promise<Result> {
  const WARMUP = Math.min(1000, REQUESTS / 5);
/** Sequential polls (one client): the per-request overhead without queueing. */
const SERIAL_REQUESTS = Math.max(200, Math.round(REQUESTS / 5));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const run = async (n: number, record: number[] | null) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        const r = await request(agent, urls[i % urls.length], headers);
        if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        if (record) record.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await run(WARMUP, null);
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await run(REQUESTS, times);
  const cpu = process.cpuUsage(cpu0);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { name, p50: q(0.5), p99: q(0.99), rps: REQUESTS / secs, cpuUs: (cpu.user + cpu.system) / REQUESTS };
}

function passThroughProxy(target: URL): Promise<{ url: string; close: () => Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => new Promise<void>((r) => {
          agent.destroy();
          server.close(() => r());
          server.closeAllConnections();
        }),
      }),
    ),
  );
}

async function brokerFor(up: Upstream, dir: string, collapse: boolean): Promise<Broker> {
  const config = loadConfig(
    {
      FIREFLY_SERVICES_CLIENT_ID: up.clientId,
      FIREFLY_SERVICES_CLIENT_SECRET: up.clientSecret,
      INFILL_IMS_URL: up.imsUrl,
      INFILL_FIREFLY_URL: up.url,
      INFILL_PORT: "0",
      INFILL_API_KEY: KEY,
      INFILL_CONFIG_DIR: path.join(dir, "cfg"),
      INFILL_DATA_DIR: path.join(dir, collapse ? "data-c" : "data"),
      INFILL_RATE_PER_MINUTE: "100000",
      INFILL_MAX_QUEUED_PER_KEY: "1000",
    },
    { cwd: dir },
  );
  if (!collapse) config.statusMinIntervalMs = 0;
  // Log lines are produced, serialised and batched as in production (stdoutSink), then discarded.
  const devnull = fs.openSync(os.devNull, "w");
  const batched = (logModule as Partial<typeof logModule>).batchedSink;
  return startBroker({ config, logSink: batched ? batched((text) => fs.writeSync(devnull, text)) : (line) => fs.writeSync(devnull, line + "\n") });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-bench-"));
  const { info: up, stop } = await startUpstream();
  const broker = await brokerFor(up, dir, false);
  const collapsed = await brokerFor(up, dir, true);
  const auth = { authorization: `Bearer ${KEY}` };
  const agent = new http.Agent({ keepAlive: true });

  const jobs = async (b: Broker) => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await request(agent, new URL(`${b.url}/v3/images/generate-async`), { ...auth, "content-type": "application/json" }, "POST", JSON.stringify({ prompt: `bench ${i}` }));
      ids.push(JSON.parse(r.body).jobId);
    }
    for (;;) {
      const all = await Promise.all(ids.map((id) => b.store.getJob(id)));
      if (all.every((j) => j?.state === "submitted")) return all.map((j) => j!);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const brokerJobs = await jobs(broker);
  const collapsedJobs = await jobs(collapsed);

  const tok = JSON.parse(
    (await request(agent, new URL(up.imsUrl), { "content-type": "application/x-www-form-urlencoded" }, "POST", new URLSearchParams({ grant_type: "client_credentials", client_id: up.clientId, client_secret: up.clientSecret, scope: "firefly_api" }).toString())).body,
  ).access_token as string;
  const upstreamHeaders = { authorization: `Bearer ${tok}`, "x-api-key": up.clientId };
  const direct = brokerJobs.map((j) => new URL(`${up.url}/v3/status/${j.providerJobId}`));
  const proxy = await passThroughProxy(new URL(up.url));
  const viaProxy = brokerJobs.map((j) => new URL(`${proxy.url}/v3/status/${j.providerJobId}`));

  console.log(`broker bench: ${REQUESTS} status polls per target, ${CONCURRENCY} concurrent, keep-alive, ${os.cpus().length} cores, node ${process.version}`);
  const results: Result[] = [];
  // Alternate the order across two rounds to spread drift (thermal, neighbours) evenly.
  const targets: [string, URL[], Record<string, string>][] = [
    ["upstream direct", direct, upstreamHeaders],
    ["bare node:http proxy", viaProxy, upstreamHeaders],
    ["broker (every poll upstream)", brokerJobs.map((j) => new URL(`${broker.url}/v3/status/${j.id}`)), auth],
    ["broker (default: collapsed)", collapsedJobs.map((j) => new URL(`${collapsed.url}/v3/status/${j.id}`)), auth],
  ];
  const serial: Result[] = [];
  for (const [name, urls, headers] of targets.slice(0, 3)) serial.push(await load(name, urls, headers, 1, SERIAL_REQUESTS));
  for (const round of [0, 1]) {
    const order = round === 0 ? targets : [...targets].reverse();
    for (const [name, urls, headers] of order) {
      const r = await load(name, urls, headers, CONCURRENCY, REQUESTS);
      const prev = results.find((x) => x.name === name);
      if (prev) {
        prev.p50 = (prev.p50 + r.p50) / 2;
        prev.p99 = (prev.p99 + r.p99) / 2;
        prev.rps = (prev.rps + r.rps) / 2;
        prev.cpuUs = (prev.cpuUs + r.cpuUs) / 2;
      } else results.push(r);
    }
  }
  const by = (n: string) => results.find((r) => r.name.startsWith(n))!;
  const base = by("upstream direct");
  const bare = by("bare node");
  const full = by("broker (every");
  const coll = by("broker (default");
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\n${pad("target", 32)}${pad("p50 ms", 10)}${pad("p99 ms", 10)}${pad("req/s", 10)}CPU µs/req (this process)`);
  for (const r of results) console.log(`${pad(r.name, 32)}${pad(r.p50.toFixed(2), 10)}${pad(r.p99.toFixed(2), 10)}${pad(r.rps.toFixed(0), 10)}${r.cpuUs.toFixed(0)}`);
  console.log(`\nadded by the broker (every poll upstream): p50 +${(full.p50 - base.p50).toFixed(2)} ms (target ≤ 1), p99 +${(full.p99 - base.p99).toFixed(2)} ms (target ≤ 5)`);
  console.log(`added by the bare proxy, for scale:        p50 +${(bare.p50 - base.p50).toFixed(2)} ms, p99 +${(bare.p99 - base.p99).toFixed(2)} ms`);
  // The load clients run in this process for every target: what a target adds on top of "upstream
  // direct" is its own CPU per request — steadier than latency on a loaded machine.
  console.log(`CPU per request, on top of the clients: broker (every poll upstream) ${(full.cpuUs - base.cpuUs).toFixed(0)} µs, bare proxy ${(bare.cpuUs - base.cpuUs).toFixed(0)} µs, broker collapsed ${(coll.cpuUs - base.cpuUs).toFixed(0)} µs`);
  console.log(`throughput broker / bare proxy: ${(full.rps / bare.rps).toFixed(2)}× (target ≥ 0.7×); with collapsing: ${(coll.rps / bare.rps).toFixed(2)}×`);
  const [s0, s1, s2] = serial;
  console.log(`\none client, sequential (${SERIAL_REQUESTS} polls): p50 upstream ${s0.p50.toFixed(2)} ms, bare proxy ${s1.p50.toFixed(2)} ms, broker ${s2.p50.toFixed(2)} ms`);
  console.log(`  added by the broker without queueing: p50 +${(s2.p50 - s0.p50).toFixed(2)} ms, p99 +${(s2.p99 - s0.p99).toFixed(2)} ms (bare proxy: p50 +${(s1.p50 - s0.p50).toFixed(2)} ms)`);
  console.log(`upstream status calls with collapsing: ${collapsed.jobs.upstreamStatusCalls} for ${2 * (REQUESTS + WARMUP)} polls (50 jobs, ~1 per job per second)`);

  await proxy.close();
  await broker.close();
  await collapsed.close();
  agent.destroy();
  stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
