// Real processes: three `infill-broker` commands on one Redis behind a round-robin balancer.
// One is killed with SIGKILL while it has jobs submitted upstream and the queue holds jobs it
// accepted; the balancer notices the refused connections, the survivors send the queued jobs and
// poll the dead instance's jobs to completion. Every job succeeds, upstream sees each job once.
// (A submit on the wire at the moment of death is covered in cluster.test.ts with a manual clock:
// its lease lasts a minute past the upstream timeout.)

import type { ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { createRedisStore } from "../../src/broker/store/redis";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, capture, registerSecret, tmpDir, until } from "../broker/helpers";
import { startBrokerProcess, type BrokerProcess } from "./broker-process";
import { startRedis, type TestRedis } from "../store/redis-server";
import { startRoundRobinProxy, type RoundRobinProxy } from "./round-robin-proxy";

const USERS = ["ann", "ben", "cat", "dan"] as const;
const KEYS: Record<string, string> = Object.fromEntries(USERS.map((u) => [u, `ifk_kill_${u}_${randomBytes(12).toString("hex")}`]));
const ADMIN_KEY = `ifk_kill_ops_${randomBytes(12).toString("hex")}`;

let redis: TestRedis;
let ff: FakeFirefly;
let proxy: RoundRobinProxy | undefined;
const children: { p: ChildProcess; out: string[] }[] = [];

afterAll(async () => {
  for (const c of children) c.p.kill("SIGKILL");
  ff?.tokens.forEach(registerSecret);
  await proxy?.close();
  await ff?.close();
  await redis?.stop();
});

function startInstance(env: Record<string, string>): Promise<BrokerProcess> {
  return startBrokerProcess(env, undefined, children);
}

test("SIGKILL one of three broker processes: survivors finish its jobs and the queue it fed", async () => {
  redis = await startRedis();
  ff = await startFakeFirefly({ pollsToFinish: 2 });
  const prefix = `kill${randomBytes(4).toString("hex")}:`;
  const shared = tmpDir("infill-kill-");
  const keysFile = path.join(shared, "keys.json");
  fs.writeFileSync(keysFile, JSON.stringify({ keys: [...USERS.map((u) => ({ name: u, key: KEYS[u] })), { name: "ops", key: ADMIN_KEY, admin: true }] }));
  [...Object.values(KEYS), ADMIN_KEY].forEach(registerSecret);
  const env = (i: number) => {
    const dir = path.join(shared, `i${i}`);
    fs.mkdirSync(path.join(dir, "data"), { recursive: true });
    return {
      ...ff.env(),
      HOME: dir,
      INFILL_PORT: "0",
      INFILL_CONFIG_DIR: path.join(dir, "config"),
      INFILL_DATA_DIR: path.join(dir, "data"),
      INFILL_KEYS_FILE: keysFile,
      INFILL_REDIS_URL: redis.url,
      INFILL_REDIS_PREFIX: prefix,
      INFILL_RATE_PER_MINUTE: "0", // unpaced: this test is about takeover, cluster.test.ts about pace
      INFILL_MAX_QUEUED_PER_KEY: "50",
    };
  };
  const instances = await Promise.all([0, 1, 2].map((i) => startInstance(env(i))));
  proxy = await startRoundRobinProxy(instances.map((i) => i.url));
  const lb = proxy.url;
  for (const i of instances) expect((await call(i.url, "GET", "/health")).json.store).toMatchObject({ kind: "redis", connected: true });

  const jobs: { id: string; user: string; prompt: string }[] = [];
  const submit = async (user: string, prompt: string) => {
    const r = await call(lb, "POST", "/v3/images/generate-async", { key: KEYS[user], body: { prompt } });
    expect(r.status).toBe(202);
    jobs.push({ id: r.json.jobId, user, prompt });
  };
  const status = (j: { id: string; user: string }) => call(lb, "GET", `/v3/status/${j.id}`, { key: KEYS[j.user] });

  // Phase 1: 8 jobs go upstream at once (unpaced) through all three instances; poll each once.
  for (let n = 0; n < 2; n++) for (const u of USERS) await submit(u, `${u} first ${n}`);
  await until(() => ff.calls.filter((c) => c.route === "submit").length === 8, "8 submits upstream");
  for (const j of jobs) expect(["pending", "running"]).toContain((await status(j)).json.status);

  // Phase 2: the queue is held (an upstream pause, as after a 429) while 8 more jobs come in.
  const admin = createRedisStore({ url: redis.url, prefix });
  await admin.open();
  await admin.pauseUntil(Date.now() + 1500);
  for (let n = 0; n < 2; n++) for (const u of USERS) await submit(u, `${u} second ${n}`);
  expect((await admin.queueStats()).depth).toBe(8);

  // The instance that took most requests dies without a chance to clean up.
  const victim = instances.reduce((a, b) => (proxy!.served.get(a.url)! >= proxy!.served.get(b.url)! ? a : b));
  victim.p.kill("SIGKILL");
  await new Promise((r) => victim.p.once("exit", r));

  // Survivors: the paused queue drains when the pause ends; every job completes, polled via the balancer.
  const done = new Map<string, string>();
  await until(
    async () => {
      for (const j of jobs) {
        if (done.has(j.id)) continue;
        const s = await status(j);
        expect(s.status).toBe(200);
        if (["succeeded", "failed", "cancelled"].includes(s.json.status)) done.set(j.id, s.json.status);
      }
      return done.size === jobs.length;
    },
    "every job to finish",
    300,
    100,
  );
  expect([...done.values()].every((s) => s === "succeeded")).toBe(true);

  // Upstream saw each job exactly once.
  const prompts = ff.calls.filter((c) => c.route === "submit").map((c) => (c.body as { prompt: string }).prompt);
  expect(prompts.sort()).toEqual(jobs.map((j) => j.prompt).sort());
  // Jobs the victim had sent upstream completed through the survivors.
  const victimLogs = victim.out.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const victimSent = victimLogs.filter((e) => e.event === "submit" && e.result === "accepted").map((e) => e.jobId);
  for (const id of victimSent) expect(done.get(id)).toBe("succeeded");
  // Usage counted once per job, read from any survivor.
  const usage = await call(lb, "GET", "/v1/usage", { key: ADMIN_KEY });
  const rows = usage.json.usage as { jobs: number; images: number }[];
  expect(rows.reduce((a, r) => a + r.jobs, 0)).toBe(16);
  expect(rows.reduce((a, r) => a + r.images, 0)).toBe(16);
  for (const c of children) capture.logs.push(...c.out.filter((l) => l.startsWith("{")));
  await admin.close();
}, 90_000);
