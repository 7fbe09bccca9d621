// The dispatcher on its own, with a scripted provider and the in-memory store: what it does when
// the store's view of a job changes while its submit is on the wire.

import { Readable } from "stream";
import { Dispatcher, INTERRUPTED } from "../../src/broker/jobs/dispatcher";
import { Logger, Redactor } from "../../src/broker/log";
import type { Provider } from "../../src/broker/providers/provider";
import { createFileStore } from "../../src/broker/store/file-store";
import type { Store } from "../../src/broker/store/store";
import { until } from "./helpers";

const T0 = Date.UTC(2026, 10, 28, 12);

/** A provider whose submit runs `during` before it answers, and which records cancels. */
function scriptedProvider(during: (n: number) => Promise<void>) {
  const cancels: string[] = [];
  let n = 0;
  const provider: Provider = {
    kind: "firefly",
    upload: async () => ({ uploadId: "u" }),
    submit: async () => {
      const k = ++n;
      await during(k);
      return { jobId: `up-${k}` };
    },
    status: async (jobId) => ({ jobId, status: "running" }),
    cancel: async (jobId) => {
      cancels.push(jobId);
    },
    openOutput: async () => ({ contentType: "image/png", stream: Readable.from([]) }),
    customModels: async () => ({}),
    health: () => ({ reachable: true }),
    close: async () => undefined,
  };
  return { provider, cancels, submits: () => n };
}

async function setup(during: (store: Store, n: number) => Promise<void>) {
  const store = createFileStore();
  await store.open();
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l), new Redactor());
  let now = T0;
  const p = scriptedProvider((n) => during(store, n));
  const d = new Dispatcher({ store, provider: p.provider, log, limits: { perMinute: Infinity, perDay: Infinity }, leaseMs: 1000, now: () => now });
  const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { store, d, ...p, events, advance: (ms: number) => (now += ms) };
}

test("a submit accepted after another instance settled the job is cancelled upstream and logged as orphaned", async () => {
  // While the submit is on the wire, its lease runs out and another instance fails the job.
  const t = await setup(async (store) => {
    const [job] = await store.expiredClaims(T0 + 10_000);
    expect(await store.finish(job.id, { state: "failed", error: INTERRUPTED }, T0 + 10_000)).toBe(true);
  });
  await t.store.enqueue({ id: "j1", owner: "ann", endpoint: "generate", request: { prompt: "x" }, createdAt: T0 }, 10);
  t.d.kick();
  await until(() => t.events().some((e) => e.event === "submit_orphaned"), "the orphaned submit");
  await until(() => t.cancels.length === 1, "the upstream cancel");
  expect(t.cancels).toEqual(["up-1"]);
  expect(t.events().find((e) => e.event === "submit_orphaned")).toMatchObject({ key: "ann", jobId: "j1", endpoint: "generate" });
  expect(t.events().some((e) => e.event === "submit" && e.result === "accepted")).toBe(false);
  // The job stays as the other instance left it.
  expect(await t.store.getJob("j1")).toMatchObject({ state: "failed", error: INTERRUPTED, submitAttempts: 0 });
  await t.d.stop();
});

test("a submit accepted while the claim still holds is recorded, not cancelled", async () => {
  const t = await setup(async () => undefined);
  await t.store.enqueue({ id: "j1", owner: "ann", endpoint: "generate", request: { prompt: "x" }, createdAt: T0 }, 10);
  t.d.kick();
  await until(async () => (await t.store.getJob("j1"))?.state === "submitted", "the job to be submitted");
  await t.d.stop();
  expect(await t.store.getJob("j1")).toMatchObject({ state: "submitted", providerJobId: "up-1", submitAttempts: 1 });
  expect(t.cancels).toEqual([]);
  expect(t.events().some((e) => e.event === "submit_orphaned")).toBe(false);
});

test("a store write that fails after the provider accepted the submit is retried, never taken for a failed send", async () => {
  const t = await setup(async () => undefined);
  // The store refuses the first two attempts to record the accepted submit (a full disk).
  let refusals = 2;
  const real = t.store.markSubmitted.bind(t.store);
  t.store.markSubmitted = async (...args) => {
    if (refusals > 0) {
      refusals--;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    return real(...args);
  };
  await t.store.enqueue({ id: "j1", owner: "ann", endpoint: "generate", request: { prompt: "x" }, createdAt: T0 }, 10);
  t.d.kick();
  await until(async () => (await t.store.getJob("j1"))?.state === "submitted", "the accepted submit to be recorded");
  await t.d.stop();
  expect(await t.store.getJob("j1")).toMatchObject({ state: "submitted", providerJobId: "up-1", submitAttempts: 1 });
  expect(t.submits()).toBe(1);
  expect(
    t
      .events()
      .filter((e) => e.event === "store_write_failed")
      .map((e) => e.op),
  ).toEqual(["markSubmitted", "markSubmitted"]);
  expect(t.events().some((e) => e.event === "submit" && e.result !== "accepted")).toBe(false);
});
