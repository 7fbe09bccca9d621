// A job Firefly refuses at submit with 403 `x-access-error: quota_exhausted` fails in the queue; its
// status, as the broker answers it and the client reads it, classifies as quota (not as a service
// failure).

import { classifyJobOutcome, JobStatusResponseSchema } from "../../src/common/firefly";
import type { FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, until, useFireflyBroker, type TestBroker } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;
useFireflyBroker((r) => ({ ff, broker } = r));

test("a submit refused for quota fails the job with the quota category, read as quota by the client", async () => {
  ff.inject({ route: "submit", status: 403, body: { error_code: "access_error", message: "Forbidden" }, headers: { "x-access-error": "quota_exhausted" } });
  const accepted = await call(broker.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a lighthouse" } });
  expect(accepted.status).toBe(202);
  const status = await until(async () => {
    broker.dispatcher.kick();
    const s = await call(broker.url, "GET", `/v3/status/${encodeURIComponent(accepted.json.jobId)}`, { key: KEY_A });
    return s.json.status === "failed" ? s.json : undefined;
  }, "the failed status");
  expect(status).toMatchObject({ error_code: "quota_exhausted", category: "quota" });
  const c = classifyJobOutcome(JobStatusResponseSchema.parse(status));
  expect(c?.category).toBe("quota");
  expect(c?.message).toMatch(/generative credits are used up/);
});
