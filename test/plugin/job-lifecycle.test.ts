// A job taken up again after a reload ends the way a job started here does (lifecycle.ts): timing out
// or being cancelled cancels it upstream; detaching leaves its record for the next session.

import { resumeJobs, type GenerateJobRequest, type WorkflowDeps } from "../../src/plugin/workflows";
import { MemoryResultStore } from "../../src/plugin/store";
import type { JobState } from "../../src/common/jobs";

const request: GenerateJobRequest = {
  version: 2,
  jobId: "job-1",
  kind: "generate",
  params: { kind: "generate", prompt: "a boat", numVariations: 1 },
  docId: 1,
  docTitle: "a.psd",
  docSize: { width: 64, height: 48 },
  capturedAt: 1,
  seeds: [9],
  blend: { bandPx: 0, toneMatch: false },
  groupName: "a boat",
  historyName: "Infill: Generate",
  sendSize: { width: 1024, height: 1024 },
  cover: { target: { left: 0, top: 0, right: 64, bottom: 48 }, masked: false },
};
const state: JobState = {
  jobId: "job-1",
  kind: "generate",
  params: request.params,
  docId: 1,
  docTitle: "a.psd",
  phase: "running",
  startedAt: 1,
  variations: [],
};

/** A store holding one submitted job, a broker that reports it running, and a clock moved by hand. */
async function setup() {
  const store = new MemoryResultStore();
  await store.putJob({ jobId: "job-1", state, request: { request, remote: { jobId: "remote-1", submittedAt: 1 } }, updatedAt: 1 });
  const cancels: string[] = [];
  const clock = { t: 0 };
  let release: () => void = () => undefined;
  const deps = {
    host: {},
    store,
    broker: {
      status: async () => ({ job: { status: "running", progress: 10 } }),
      cancel: async (id: string) => void cancels.push(id),
    },
    now: () => clock.t,
    timeoutMs: 10_000,
    pollIntervalMs: 1000,
    sleep: (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        release = resolve;
        signal?.addEventListener("abort", () => reject(new Error("aborted")));
      }),
  } as unknown as WorkflowDeps;
  const states: JobState[] = [];
  const [job] = await resumeJobs(deps, (s) => states.push(s));
  const tick = async (ms: number) => {
    clock.t += ms;
    release();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { store, cancels, job, states, tick };
}

test("a resumed job that runs past the timeout is cancelled upstream and ends failed with the reason", async () => {
  const { cancels, job, store, tick } = await setup();
  await tick(1000); // one poll inside the time allowed
  expect(cancels).toEqual([]);
  await tick(20_000);
  const final = await job.done;
  expect(final).toMatchObject({ phase: "failed", error: { category: "timeout" } });
  expect(cancels).toEqual(["remote-1"]);
  expect((await store.getJob("job-1"))?.state.phase).toBe("failed");
});

test("cancelling a resumed job cancels it upstream; detaching one leaves it stored as it was", async () => {
  const a = await setup();
  a.job.cancel();
  expect(await a.job.done).toMatchObject({ phase: "cancelled" });
  expect(a.cancels).toEqual(["remote-1"]);

  const b = await setup();
  b.job.detach();
  expect((await b.job.done).phase).toBe("running");
  expect(b.cancels).toEqual([]);
  expect(await b.store.getJob("job-1")).toMatchObject({ state: { phase: "running" }, request: { remote: { jobId: "remote-1" } } });
});
