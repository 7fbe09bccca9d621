// The broker's request id of a job's submit is kept in the stored job record and in the job's
// state (what the job card shows), so a user's report can be matched to the broker's log; a
// broker that sends none leaves both without one.

import type { StoredRequest } from "../../src/plugin/workflows";
import { rig, run, type Rig } from "./helpers/deps";

/** The broker answers submits with `requestId` as the client reads it from `x-request-id`. */
function withRequestId(r: Rig, requestId: string): void {
  const submit = r.broker.submit.bind(r.broker);
  r.broker.submit = (async (...args: Parameters<typeof submit>) => ({ ...(await submit(...args)), requestId })) as typeof r.broker.submit;
}

test("the stored record and the job's state keep the request id the broker sent with the submit", async () => {
  const r = rig();
  r.host.createDocument({ width: 200, height: 100 });
  withRequestId(r, "req-7f3a.e2:9");
  const { final, states } = await run(r, { kind: "generate", prompt: "moon", numVariations: 1, seeds: [1] });
  expect(final.phase).toBe("done");
  expect(final.requestId).toBe("req-7f3a.e2:9");
  // Shown from the moment the broker accepted the job.
  expect(states.find((s) => s.phase === "running")?.requestId).toBe("req-7f3a.e2:9");
  const stored = (await r.store.getJob(final.jobId))!.request as StoredRequest;
  expect(stored.remote).toMatchObject({ jobId: expect.any(String), requestId: "req-7f3a.e2:9" });
});

test("without a request id from the broker, the record and the state have none", async () => {
  const r = rig();
  r.host.createDocument({ width: 200, height: 100 });
  const { final } = await run(r, { kind: "generate", prompt: "moon", numVariations: 1, seeds: [1] });
  expect(final.phase).toBe("done");
  expect(final.requestId).toBeUndefined();
  const stored = (await r.store.getJob(final.jobId))!.request as StoredRequest;
  expect(stored.remote).toBeDefined();
  expect(stored.remote!.requestId).toBeUndefined();
});
