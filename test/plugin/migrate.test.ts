// Stored job records written by earlier versions: version 1 kept one shape for every kind (the kind's
// part optional, a copy of the model version); they are read in the current per-kind shape, and a
// record that fits no version is refused with a message rather than guessed at.

import { readStoredRequest } from "../../src/plugin/workflows/migrate";
import { WorkflowError } from "../../src/plugin/workflows/errors";
import { resumeJobs } from "../../src/plugin/workflows";
import { MemoryResultStore } from "../../src/plugin/store";
import type { JobState } from "../../src/common/jobs";
import type { WorkflowDeps } from "../../src/plugin/workflows";

const shared = {
  jobId: "job-old",
  docId: 3,
  docTitle: "street.psd",
  docSize: { width: 640, height: 480 },
  capturedAt: 1000,
  seeds: [5, 6],
  groupName: "a boat",
  historyName: "Infill: Generate",
};

/** A generate request exactly as version 1 wrote it. */
const generateV1 = {
  version: 1,
  ...shared,
  kind: "generate",
  params: { kind: "generate", prompt: "a boat", numVariations: 2, modelVersion: "image4_standard" },
  blend: { bandPx: 0, toneMatch: false },
  sendSize: { width: 1024, height: 1024 },
  modelVersion: "image4_standard",
  cover: { target: { left: 10, top: 20, right: 110, bottom: 220 }, masked: true, selectionBounds: { left: 10, top: 20, right: 110, bottom: 220 } },
};

const refusal = (raw: unknown): WorkflowError => {
  try {
    readStoredRequest(raw);
  } catch (e) {
    if (e instanceof WorkflowError) return e;
    throw e;
  }
  throw new Error("the record was accepted");
};

test("a version-1 generate record reads as the current shape: its cover kept, the model version copy dropped", () => {
  const stored = readStoredRequest({ request: generateV1, remote: { jobId: "r-1", submittedAt: 1 }, outputSeeds: [5, 6] });
  const { modelVersion: _copy, ...rest } = generateV1;
  expect(stored.request).toEqual({ ...rest, version: 2 });
  expect(stored.request).not.toHaveProperty("modelVersion");
  expect(stored.remote).toEqual({ jobId: "r-1", submittedAt: 1 });
  expect(stored.outputSeeds).toEqual([5, 6]);
});

test("a version-1 fill record keeps its geometry and selection bounds", () => {
  const fillPart = {
    geometry: { window: { left: 0, top: 0, right: 64, bottom: 64 }, sendSize: { width: 1024, height: 1024 }, scaleX: 16, scaleY: 16 },
    selectionBounds: { left: 8, top: 8, right: 40, bottom: 40 },
  };
  const v1 = { ...generateV1, kind: "fill", params: { kind: "fill", numVariations: 2 }, modelVersion: undefined, cover: undefined, fill: fillPart };
  const req = readStoredRequest({ request: JSON.parse(JSON.stringify(v1)) }).request;
  expect(req.kind).toBe("fill");
  if (req.kind !== "fill") return;
  expect(req.fill).toEqual(fillPart);
  expect(req.version).toBe(2);
});

test("a current record is read as it is", () => {
  const { modelVersion: _copy, ...rest } = generateV1;
  const current = { ...rest, version: 2 };
  expect(readStoredRequest({ request: current }).request).toEqual(current);
});

test.each([
  ["no request", { outputSeeds: [1] }, /no request/],
  ["a kind without its part", { request: { ...generateV1, cover: undefined } }, /without its cover part/],
  ["parameters of another kind", { request: { ...generateV1, params: { kind: "fill", numVariations: 1 } } }, /other parameters/],
  ["an unknown kind", { request: { ...generateV1, kind: "recolor" } }, /unknown kind recolor/],
  ["an unknown version", { request: { ...generateV1, version: 7 } }, /version 7/],
  ["missing seeds", { request: { ...generateV1, seeds: undefined } }, /seeds or sizes/],
])("%s: refused with a message saying the record cannot be read", (_n, raw, detail) => {
  const e = refusal(JSON.parse(JSON.stringify(raw)));
  expect(e.jobError.message).toMatch(/stored record could not be read.*Run it again/);
  expect(e.jobError.detail).toMatch(detail);
});

test("resuming an unreadable record ends it failed with the message, keeps what it held, and does not take it up again", async () => {
  const store = new MemoryResultStore();
  const raw = { request: { ...generateV1, version: 7 }, remote: { jobId: "r-9", submittedAt: 1 } };
  const state: JobState = {
    jobId: "job-old",
    kind: "generate",
    params: generateV1.params as JobState["params"],
    docId: 3,
    docTitle: "street.psd",
    phase: "running",
    startedAt: 1,
    variations: [],
  };
  await store.putJob({ jobId: "job-old", state, request: raw, updatedAt: 1 });
  const cancels: string[] = [];
  const deps = { host: {}, broker: { cancel: async (id: string) => void cancels.push(id) }, store, now: () => 5 } as unknown as WorkflowDeps;
  const states: JobState[] = [];
  const [job] = await resumeJobs(deps, (s) => states.push(s));
  const final = await job.done;
  expect(final).toMatchObject({ phase: "failed", error: { message: expect.stringMatching(/stored record could not be read/) } });
  expect(states.pop()).toMatchObject({ phase: "failed" });
  const rec = await store.getJob("job-old");
  expect(rec?.state.phase).toBe("failed");
  expect(rec?.request).toEqual(raw);
  expect(await resumeJobs(deps, () => undefined)).toEqual([]);
  expect(cancels).toEqual([]);
});
