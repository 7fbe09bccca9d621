// GET /v1/admin/overview over real HTTP on the file store: 401 without a key, 403 for a key that
// is not an admin key, and for an admin key the numbers of a known state (two people's queued
// jobs, a running one, a failed submit, an upstream 429 pause, usage), with this instance listed.
// The same state on Redis with two instances: test/scale/admin-overview-redis.test.ts.

import { ADMIN_OVERVIEW_PATH } from "../../src/common/admin-overview";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { ADMIN_STATE_ENV, buildAdminState, expectOverview } from "./admin-state";
import { call, KEY_A, KEY_ADMIN, manualClock, registerSecret, startTestBroker, type TestBroker } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;
const clock = manualClock();

beforeAll(async () => {
  ff = await startFakeFirefly({ pollsToFinish: 1000 });
  broker = await startTestBroker({ ...ff.env(), ...ADMIN_STATE_ENV }, { now: clock.now });
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

test("only admin keys may read the overview", async () => {
  const none = await call(broker.url, "GET", ADMIN_OVERVIEW_PATH);
  expect(none.status).toBe(401);
  expect(none.json.error_code).toBeDefined();
  const user = await call(broker.url, "GET", ADMIN_OVERVIEW_PATH, { key: KEY_A });
  expect(user.status).toBe(403);
  expect(user.json).toMatchObject({ error_code: "forbidden", category: "auth" });
  const post = await call(broker.url, "POST", ADMIN_OVERVIEW_PATH, { key: KEY_ADMIN });
  expect(post.status).toBe(405);
});

test("the overview of a known state: queue per person, pause, usage, failures, latency, store, instance", async () => {
  const empty = await call(broker.url, "GET", ADMIN_OVERVIEW_PATH, { key: KEY_ADMIN });
  expect(empty.status).toBe(200);
  expect(empty.headers["cache-control"]).toBe("no-store");
  expect(empty.json).toMatchObject({ queue: { depth: 0, submitting: 0 }, people: [], failures: [], pausedUntil: null });

  const state = await buildAdminState(broker, ff, clock.now());
  const r = await call(broker.url, "GET", ADMIN_OVERVIEW_PATH, { key: KEY_ADMIN });
  expect(r.status).toBe(200);
  expectOverview(r.json, state, "file");
  expect(r.json.instances).toEqual([
    {
      id: broker.dispatcher.instanceId,
      version: expect.any(String),
      mode: "firefly",
      status: "ok",
      startedAt: expect.any(Number),
      beatAt: clock.now(),
      silent: false,
      self: true,
    },
  ]);
});
