// How fresh `GET /v3/status` is: polls of a Firefly job are collapsed to one upstream call per job
// per interval (to spare Adobe's API), while a local-engine job's end is answered at the first poll
// after the engine has it. The broker's clock stands still, so only the provider kind decides.

import { Readable } from "stream";
import type { Provider, ProviderJobStatus } from "../../src/broker/providers/provider";
import { call, KEY_A, manualClock, startTestBroker, TestBroker, until } from "./helpers";

/** A provider of `kind` whose jobs run until `finish(jobId)`; it counts its status calls. */
function scriptedProvider(kind: Provider["kind"]) {
  const done = new Set<string>();
  let statusCalls = 0;
  let n = 0;
  const provider: Provider = {
    kind,
    upload: async () => ({ uploadId: `upload-${++n}` }),
    submit: async () => ({ jobId: `job-${++n}` }),
    status: async (jobId): Promise<ProviderJobStatus> => {
      statusCalls++;
      return done.has(jobId)
        ? { jobId, status: "succeeded", result: { outputs: [{ seed: 1, image: { url: `out:${jobId}` } }] } }
        : { jobId, status: "running", progress: 50 };
    },
    cancel: async () => undefined,
    openOutput: async () => ({ stream: Readable.from([]), contentType: "image/png" }),
    customModels: async () => ({}),
    health: () => ({ reachable: true }),
    close: async () => undefined,
  };
  return { provider, finish: (id: string) => done.add(id), statusCalls: () => statusCalls };
}

const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});

/** A broker on `kind`'s scripted provider, one job sent and polled once while it runs. */
async function polledOnceWhileRunning(kind: Provider["kind"]) {
  const p = scriptedProvider(kind);
  const env: Record<string, string> = kind === "local" ? { INFILL_PROVIDER: "local" } : { INFILL_RATE_PER_MINUTE: "1000", ...FIREFLY_ENV };
  const b = await startTestBroker(env, { provider: p.provider, now: manualClock().now });
  brokers.push(b);
  const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a lighthouse" } });
  expect(r.status).toBe(202);
  const id: string = r.json.jobId;
  const job = await until(async () => {
    const j = await b.store.getJob(id);
    return j?.state === "submitted" ? j : undefined;
  }, "the job to be sent");
  const first = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
  expect(first.json).toMatchObject({ status: "running" });
  expect(p.statusCalls()).toBe(1);
  p.finish(job.providerJobId!);
  return { b, p, id };
}

const FIREFLY_ENV = {
  FIREFLY_SERVICES_CLIENT_ID: "status-freshness-client",
  FIREFLY_SERVICES_CLIENT_SECRET: "p8e-status-freshness-secret-0123456789",
  INFILL_PREVIEWS: "off",
};

test("local engine: the first poll after the engine finished answers succeeded", async () => {
  const { b, p, id } = await polledOnceWhileRunning("local");
  const next = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
  expect(next.json.status).toBe("succeeded");
  expect(p.statusCalls()).toBe(2);
  // Terminal: answered from the job record, never asked again.
  await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
  expect(p.statusCalls()).toBe(2);
});

test("Firefly: polls within the interval are answered from the last status, without an upstream call", async () => {
  const { b, p, id } = await polledOnceWhileRunning("firefly");
  const next = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
  expect(next.json.status).toBe("running");
  expect(p.statusCalls()).toBe(1);
});
