// `GET /v1/admin/doctor`: the doctor's checks behind an admin key, against the fake Firefly upstream.
// Admin keys get each step's verdict; other keys get 403 and nothing goes upstream; local mode says
// what it cannot check. Nothing is generated, and no answer holds a secret (checked by helpers).

import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, KEY_ADMIN, registerSecret, startTestBroker, type TestBroker } from "./helpers";

const PATH = "/v1/admin/doctor";
let ff: FakeFirefly;
let broker: TestBroker;

beforeAll(async () => {
  ff = await startFakeFirefly();
  broker = await startTestBroker(ff.env());
});

afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

const summary = (steps: Array<{ step: string; code: string }>) => steps.map((s) => `${s.step}:${s.code}`);

test("an admin key gets every step's verdict, and nothing is generated", async () => {
  const before = ff.calls.length;
  const r = await call(broker.url, "GET", PATH, { key: KEY_ADMIN });
  expect(r.status).toBe(200);
  expect(r.json.mode).toBe("firefly");
  expect(summary(r.json.steps)).toEqual(["ims:ok", "clock:ok", "custom-models:ok", "upload:ok", "unknown-job:ok"]);
  expect(r.json.steps.every((s: { ok: boolean; message: string }) => s.ok && s.message.length > 0)).toBe(true);
  expect(ff.calls.slice(before).map((c) => c.route)).toEqual(["ims", "custom-models", "upload", "status"]);
});

test("a fault upstream is named in the step that found it", async () => {
  ff.inject({ route: "ims", status: 401, body: { error: "invalid_client", error_description: "invalid client_secret parameter" } });
  const r = await call(broker.url, "GET", PATH, { key: KEY_ADMIN });
  expect(r.status).toBe(200);
  expect(summary(r.json.steps)).toEqual(["ims:credentials_rejected"]);
  expect(r.json.steps[0].ok).toBe(false);
});

test("a key that is not an admin key gets 403, and nothing goes upstream", async () => {
  const before = ff.calls.length;
  const r = await call(broker.url, "GET", PATH, { key: KEY_A });
  expect(r.status).toBe(403);
  expect(r.json).toMatchObject({ error_code: "forbidden", category: "auth" });
  expect(ff.calls.length).toBe(before);
});

test("no key: 401; another method: 405", async () => {
  expect((await call(broker.url, "GET", PATH)).status).toBe(401);
  expect((await call(broker.url, "POST", PATH, { key: KEY_ADMIN })).status).toBe(405);
});

test("local mode says what it cannot check", async () => {
  const local = await startTestBroker({ INFILL_PROVIDER: "local" });
  try {
    const r = await call(local.url, "GET", PATH, { key: KEY_ADMIN });
    expect(r.status).toBe(200);
    expect(r.json.mode).toBe("local");
    expect(r.json.steps).toEqual([]);
    expect(r.json.note).toMatch(/local engine.*IMS token.*custom models.*storage upload.*unknown job cannot be checked/);
  } finally {
    await local.close();
  }
});
