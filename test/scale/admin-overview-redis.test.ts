// GET /v1/admin/overview with two broker instances on one Redis: both answer the same queue,
// pause, usage and failures of a known state, and both list both instances with their last beat;
// an instance that stops beating is shown silent once its beat is old.

import * as fs from "fs";
import * as path from "path";
import { ADMIN_OVERVIEW_PATH } from "../../src/common/admin-overview";
import { SILENT_AFTER_MS } from "../../src/broker/observability/heartbeat";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { ADMIN_STATE_ENV, buildAdminState, expectOverview } from "../broker/admin-state";
import { call, KEY_A, KEY_ADMIN, manualClock, registerSecret, startTestBroker, tmpDir, writeKeysFile, type TestBroker } from "../broker/helpers";
import { startRedis, type TestRedis } from "../store/redis-server";

let ff: FakeFirefly;
let redis: TestRedis;
const brokers: TestBroker[] = [];
const clock = manualClock();

beforeAll(async () => {
  ff = await startFakeFirefly({ pollsToFinish: 1000 });
  redis = await startRedis();
  const keysFile = writeKeysFile(tmpDir());
  const env = { ...ff.env(), ...ADMIN_STATE_ENV, INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: `admin${Date.now()}:` };
  for (let i = 0; i < 2; i++) {
    const dir = tmpDir();
    fs.copyFileSync(keysFile, path.join(dir, "keys.json"));
    brokers.push(await startTestBroker(env, { dir, now: clock.now }));
  }
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close().catch(() => undefined);
  await ff.close();
  await redis.stop();
});

const overview = async (b: TestBroker, key = KEY_ADMIN) => call(b.url, "GET", ADMIN_OVERVIEW_PATH, { key });

test("both instances answer the same state and list each other", async () => {
  expect((await call(brokers[1].url, "GET", ADMIN_OVERVIEW_PATH)).status).toBe(401);
  expect((await overview(brokers[1], KEY_A)).status).toBe(403);
  const state = await buildAdminState(brokers[0], ff, clock.now());
  const ids = brokers.map((b) => b.dispatcher.instanceId).sort();
  for (const [i, b] of brokers.entries()) {
    const r = await overview(b);
    expect(r.status).toBe(200);
    expectOverview(r.json, state, "redis", i === 0);
    expect(r.json.store).toMatchObject({ kind: "redis", connected: true });
    expect(r.json.instances.map((x: { id: string }) => x.id)).toEqual(ids);
    for (const x of r.json.instances) {
      expect(x).toMatchObject({ mode: "firefly", status: "ok", beatAt: clock.now(), silent: false, self: x.id === b.dispatcher.instanceId });
    }
  }
});

test("an instance that stops beating is shown silent by the others", async () => {
  const [a, b] = brokers;
  await b.close();
  clock.advance(SILENT_AFTER_MS + 1);
  // The live instance beats at the new time (its timer would do this within HEARTBEAT_MS).
  await a.store.heartbeat({ ...(await a.store.instances(0)).find((x) => x.id === a.dispatcher.instanceId)!, beatAt: clock.now() });
  const r = await overview(a);
  const byId = Object.fromEntries(r.json.instances.map((x: { id: string; silent: boolean }) => [x.id, x.silent]));
  expect(byId).toEqual({ [a.dispatcher.instanceId]: false, [b.dispatcher.instanceId]: true });
});
