// Once today's limit is used up, GET /v1/quota says when the rolling day allows the next submit
// (the take `limit` places back from the newest leaves the window; null before), and a refused
// submit's retry-after points at that moment.

import { DAY } from "../../src/broker/store/store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, manualClock, registerSecret, startTestBroker, type TestBroker } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;
const clock = manualClock();

beforeAll(async () => {
  ff = await startFakeFirefly();
  broker = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "10", INFILL_RATE_PER_DAY: "2" }, { now: clock.now });
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

const day = async () => (await call(broker.url, "GET", "/v1/quota", { key: KEY_A })).json.day;

test("the daily limit's reset time appears once it is used up, at the take that frees a place, and a refused submit waits for it", async () => {
  const t0 = clock.now();
  const roomy = { perMinute: 10, perDay: 10 };
  expect((await broker.store.tryTakeRateToken(t0, roomy)).ok).toBe(true);
  expect(await day()).toEqual({ used: 1, limit: 2, resetsAt: null });
  clock.advance(10_000);
  expect((await broker.store.tryTakeRateToken(clock.now(), roomy)).ok).toBe(true);
  clock.advance(10_000);
  expect((await broker.store.tryTakeRateToken(clock.now(), roomy)).ok).toBe(true);
  // Three takes against a limit of two: a place frees when the second leaves the day.
  expect(await day()).toEqual({ used: 3, limit: 2, resetsAt: t0 + 10_000 + DAY });
  // A submit now is refused as quota, retrying after exactly that moment.
  const refused = await call(broker.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "one more" } });
  expect(refused.status).toBe(429);
  expect(refused.json).toMatchObject({ error_code: "daily_limit_reached", category: "quota" });
  expect(Number(refused.headers["retry-after"])).toBe((t0 + 10_000 + DAY - clock.now()) / 1000);
  clock.set(t0 + 10_001 + DAY);
  expect(await day()).toEqual({ used: 1, limit: 2, resetsAt: null });
});
