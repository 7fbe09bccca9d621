// The panel's broker client returns the broker's request id of a submit (its `x-request-id`), and
// it is the id in the broker's log line for that request: a user's report matches the log.

import { createBrokerClient } from "../../src/plugin/broker-client";
import { KEY_A, useFireflyBroker, type TestBroker } from "./helpers";

let broker: TestBroker;
useFireflyBroker((rig) => (broker = rig.broker));

test("the submit's request id is the one in the broker's log line for it", async () => {
  const client = createBrokerClient({ baseUrl: broker.url, key: KEY_A });
  const accepted = await client.submit("generate", { prompt: "a fox", size: { width: 2048, height: 2048 } });
  expect(accepted.requestId).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  const lines = broker.logs.map((l) => JSON.parse(l) as { reqId?: string; route?: string; jobId?: string });
  const line = lines.find((l) => l.reqId === accepted.requestId);
  expect(line).toMatchObject({ route: "POST /v3/images/generate-async", jobId: accepted.jobId });
});

test("an id that is not a sane request id is left out", async () => {
  const answer = (id: string) =>
    (async () =>
      new Response(JSON.stringify({ jobId: "urn:ff:jobs:x:1", statusUrl: "s", cancelUrl: "c" }), {
        status: 202,
        headers: { "content-type": "application/json", "x-request-id": id },
      })) as unknown as typeof fetch;
  const submit = (id: string) => createBrokerClient({ baseUrl: "http://b", key: "k", fetch: answer(id) }).submit("generate", { prompt: "p" });
  expect((await submit("ok-1")).requestId).toBe("ok-1");
  expect((await submit("x".repeat(65))).requestId).toBeUndefined();
  expect((await submit("a b")).requestId).toBeUndefined();
});
