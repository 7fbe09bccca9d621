// Resuming after a panel reload or crash: a job the broker accepted is stored with its broker job id;
// a new controller on the same store takes it up at start, polls, downloads and keeps the results
// for Re-apply (which places them, or keeps them when the document closed). Jobs that cannot be
// finished end with a message; nothing is dropped silently.

import { createHostController } from "../../src/plugin/controller";
import { createPortPair, makeCommand, type ProtocolEvent } from "../../src/common/protocol";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings";
import { MemoryResultStore } from "../../src/plugin/store";
import { BrokerError } from "../../src/plugin/broker-client";
import { SimHost } from "../../src/playground/sim";
import type { JobState } from "../../src/common/jobs";
import type { WorkflowDeps } from "../../src/plugin/workflows";
import type { FillJobRequest, StoredRequest } from "../../src/plugin/workflows/types";
import { FakeBroker } from "../core/helpers/fake-broker";
import { photoLike } from "../core/helpers/images";
import { flushUntil } from "../support/turns";

/** One panel session: a controller on the given store, host and broker. */
function session(store: MemoryResultStore, host: SimHost, broker: FakeBroker, sleep: WorkflowDeps["sleep"]) {
  const [hostSide, panel] = createPortPair();
  const events: ProtocolEvent[] = [];
  panel.onMessage((m) => events.push(m as ProtocolEvent));
  const controller = createHostController({
    port: hostSide,
    host,
    store,
    settings: createSettingsService({ secrets: new MemorySecretStore(), prefs: new MemoryPrefsStore() }),
    broker,
    info: { pluginVersion: "t", hostApp: "playground", hostVersion: "sim" },
    workflowOptions: { pollIntervalMs: 1, sleep },
    pollMs: 0,
  });
  controller.start();
  const states = () => events.filter((e): e is Extract<ProtocolEvent, { type: "job.state" }> => e.type === "job.state").map((e) => e.job as JobState);
  return { controller, panel, events, states };
}

const immediate: WorkflowDeps["sleep"] = async (_ms, signal) => {
  await new Promise((r) => setImmediate(r));
  if (signal?.aborted) throw new Error("aborted");
};

/** A wait that never ends once `crashed()` says so: the session is gone, with nothing cleaned up. */
const crashingSleep =
  (crashed: () => boolean): WorkflowDeps["sleep"] =>
  async (ms, signal) => {
    if (crashed()) return new Promise<void>(() => undefined);
    return immediate(ms, signal);
  };

function documentWithSelection(host: SimHost, title = "street.psd") {
  const id = host.createDocument({ width: 640, height: 480, title, pixels: photoLike(640, 480, 3) });
  host.setSelection(id, { left: 200, top: 150, right: 330, bottom: 260 });
  return id;
}

/** Submits a fill in a first session and "crashes" it after the broker accepted the job. */
async function crashAfterSubmit(store: MemoryResultStore, host: SimHost, broker: FakeBroker, toneMatch = true): Promise<string> {
  const first = session(
    store,
    host,
    broker,
    crashingSleep(() => broker.jobs.size > 0 && broker.statusCalls >= 1),
  );
  first.panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 2, seeds: [11, 12], blend: { bandPx: 6, toneMatch } } }));
  await flushUntil(() => broker.statusCalls >= 1);
  await flushUntil(() => first.states().some((s) => s.phase === "running" || s.phase === "queued"));
  expect(broker.jobs.size).toBe(1);
  const jobId = first.states()[0].jobId;
  const rec = await store.getJob(jobId);
  expect((rec!.request as StoredRequest).remote?.jobId).toBe([...broker.jobs.keys()][0]);
  return jobId;
}

test("a job submitted before a crash is polled again by the next session, downloaded, kept, and Re-apply places it", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  const id = documentWithSelection(host);
  const broker = new FakeBroker({ script: ["queued", "running", "running", "running"] });
  const before = host.stateOf(id);
  const original = await host.composite(id);
  const jobId = await crashAfterSubmit(store, host, broker);
  expect(host.stateOf(id)).toBe(before);
  const pollsBefore = broker.statusCalls;

  // The panel comes back: a new controller on the same store.
  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(broker.statusCalls).toBeGreaterThan(pollsBefore);
  expect(final.jobId).toBe(jobId);
  expect(final.phase).toBe("kept");
  expect(final.error?.message).toMatch(/reloaded while this job ran.*Re-apply/);
  expect(final.variations.map((v) => v.seed)).toEqual([11, 12]);
  expect(final.variations.every((v) => v.thumbnail?.startsWith("data:image/jpeg"))).toBe(true);
  expect(second.states().some((s) => s.jobId === jobId && s.phase === "kept")).toBe(true);
  const rec = (await store.getJob(jobId))!;
  expect((rec.request as StoredRequest).tones).toHaveLength(2);
  expect(host.stateOf(id)).toBe(before); // kept, not placed yet

  second.panel.post(makeCommand({ type: "kept.reapply", jobId }));
  await flushUntil(() => second.states().some((s) => s.jobId === jobId && s.phase === "done"));
  const placed = second
    .states()
    .filter((s) => s.jobId === jobId)
    .pop()!;
  expect(placed.phase).toBe("done");
  expect(placed.variations.filter((v) => v.layerId !== undefined)).toHaveLength(2);
  // Inside the selection the generated colour shows; outside it every pixel is the original's.
  const after = await host.composite(id);
  const sel = (await host.selection(id))!;
  let changedInside = 0;
  for (let y = 0; y < after.height; y++)
    for (let x = 0; x < after.width; x++) {
      const p = (y * after.width + x) * 4;
      const inside =
        x >= sel.bounds.left &&
        x < sel.bounds.right &&
        y >= sel.bounds.top &&
        y < sel.bounds.bottom &&
        sel.mask.data[(y - sel.bounds.top) * sel.mask.width + x - sel.bounds.left] > 0;
      const same = after.data[p] === original.data[p] && after.data[p + 1] === original.data[p + 1] && after.data[p + 2] === original.data[p + 2];
      if (!inside && !same) throw new Error(`pixel ${x},${y} outside the selection changed`);
      if (inside && !same) changedInside++;
    }
  expect(changedInside).toBeGreaterThan(100 * 90);
  expect(await store.getBytes(jobId, "result-0")).toBeNull(); // placed: bytes released
});

test("a resumed job whose document was closed keeps its results; reopening it and Re-apply places them", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  const id = documentWithSelection(host, "closed.psd");
  const broker = new FakeBroker({ script: ["running", "running", "running"] });
  const jobId = await crashAfterSubmit(store, host, broker, false);
  host.closeDocument(id);
  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(final.phase).toBe("kept");
  const seen = second.states().length;
  second.panel.post(makeCommand({ type: "kept.reapply", jobId }));
  const fromReapply = () =>
    second
      .states()
      .slice(seen)
      .filter((s) => s.jobId === jobId);
  await flushUntil(() => fromReapply().some((s) => s.phase === "kept"));
  const kept = fromReapply().pop()!;
  expect(kept.phase).toBe("kept");
  expect(kept.error?.message).toMatch(/was closed/);
  const reopened = documentWithSelection(host, "closed.psd");
  second.panel.post(makeCommand({ type: "kept.reapply", jobId }));
  await flushUntil(
    () =>
      second
        .states()
        .filter((s) => s.jobId === jobId)
        .pop()!.phase === "done",
  );
  expect(
    second
      .states()
      .filter((s) => s.jobId === jobId)
      .pop()!.phase,
  ).toBe("done");
  expect(host.stateOf(reopened).layers.length).toBeGreaterThan(1);
});

test("a record written by version 1 (one shape for every kind) is still resumed, kept, and placed by Re-apply", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  const id = documentWithSelection(host);
  const broker = new FakeBroker({ script: ["running"] });
  const jobId = await crashAfterSubmit(store, host, broker);
  // The record as version 1 wrote it: the same fields, `version: 1`, and the other kinds' parts
  // absent (they were optional).
  const rec = (await store.getJob(jobId))!;
  const stored = rec.request as StoredRequest;
  expect(stored.request.kind).toBe("fill");
  const v1 = { ...stored, request: { ...stored.request, version: 1 } };
  await store.putJob({ ...rec, request: JSON.parse(JSON.stringify(v1)) });

  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(final).toMatchObject({ jobId, phase: "kept" });
  expect(final.variations.every((v) => v.thumbnail?.startsWith("data:image/jpeg"))).toBe(true);
  expect(((await store.getJob(jobId))!.request as StoredRequest).request.version).toBe(2);
  second.panel.post(makeCommand({ type: "kept.reapply", jobId }));
  await flushUntil(() => second.states().some((s) => s.jobId === jobId && s.phase === "done"));
  expect(
    second
      .states()
      .filter((s) => s.jobId === jobId)
      .pop(),
  ).toMatchObject({ phase: "done" });
  expect(host.stateOf(id).layers.length).toBeGreaterThan(1);
});

test("a job the broker no longer knows ends failed with a clear message, and its stored bytes go", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  documentWithSelection(host);
  const broker = new FakeBroker({ script: ["running", "running", "running"] });
  const jobId = await crashAfterSubmit(store, host, broker);
  // The broker lost it (expired, or its data was reset).
  broker.status = async () => {
    throw new BrokerError("not_found", "There is no such job.", "404 not_found", 404, "not_found");
  };
  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(final.phase).toBe("failed");
  expect(final.error).toMatchObject({ category: "not_found" });
  expect(final.error!.message).toMatch(/broker no longer has it.*Run it again/);
  expect(await store.getBytes(jobId, "selection-mask.png")).toBeNull();
  expect((await store.getJob(jobId))!.state.phase).toBe("failed");
});

test("a job interrupted before it reached the broker ends failed and says so; finished jobs are left alone", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  documentWithSelection(host);
  const broker = new FakeBroker();
  const base = { kind: "fill", params: { kind: "fill", numVariations: 1 }, docId: 1, docTitle: "a.psd", startedAt: 1, variations: [] } as unknown as JobState;
  // A fill's request as stored at capture, before the upload.
  const request: FillJobRequest = {
    version: 2,
    jobId: "j-uploading",
    kind: "fill",
    params: { kind: "fill", numVariations: 1 },
    docId: 1,
    docTitle: "a.psd",
    docSize: { width: 640, height: 480 },
    capturedAt: 1,
    seeds: [1],
    blend: { bandPx: 4, toneMatch: false },
    groupName: "Infill Fill",
    historyName: "Infill: Fill",
    sendSize: { width: 1024, height: 1024 },
    fill: {
      geometry: {
        selection: { left: 200, top: 150, right: 330, bottom: 260 },
        window: { left: 0, top: 0, right: 640, bottom: 480 },
        sendSize: { width: 1024, height: 1024 },
        scaleX: 1.6,
        scaleY: 2.1333,
        anisotropy: 0.3333,
      },
      selectionBounds: { left: 200, top: 150, right: 330, bottom: 260 },
    },
  };
  await store.putJob({ jobId: "j-uploading", state: { ...base, jobId: "j-uploading", phase: "uploading" }, request: { request }, updatedAt: 2 });
  await store.putJob({
    jobId: "j-done",
    state: { ...base, jobId: "j-done", phase: "done" },
    request: { request: { ...request, jobId: "j-done" } },
    updatedAt: 1,
  });
  const second = session(store, host, broker, immediate);
  const finals = await second.controller.resumed();
  expect(finals.map((f) => [f.jobId, f.phase])).toEqual([["j-uploading", "failed"]]);
  expect(finals[0].error!.message).toMatch(/before this job reached the service.*Run it again/);
  expect((await store.getJob("j-done"))!.state.phase).toBe("done");
  expect(broker.statusCalls).toBe(0);
});

test("results downloaded before a crash are kept for Re-apply at the next start", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  const id = documentWithSelection(host);
  const broker = new FakeBroker({ script: ["running"] });
  // The first session crashes while placing: after the download, inside the host's apply.
  const apply = host.apply.bind(host);
  let crashed = false;
  host.apply = (async () => {
    crashed = true;
    return new Promise(() => undefined);
  }) as typeof host.apply;
  const first = session(store, host, broker, immediate);
  first.panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1, seeds: [5] } }));
  await flushUntil(() => crashed);
  host.apply = apply;
  const jobId = first.states()[0].jobId;
  const statusCalls = broker.statusCalls;
  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(broker.statusCalls).toBe(statusCalls); // nothing asked again
  expect(final).toMatchObject({ jobId, phase: "kept" });
  second.panel.post(makeCommand({ type: "kept.reapply", jobId }));
  await flushUntil(
    () =>
      second
        .states()
        .filter((s) => s.jobId === jobId)
        .pop()?.phase === "done",
  );
  expect(host.stateOf(id).layers.length).toBeGreaterThan(1);
});

test("closing the panel (dispose) leaves a submitted job to the next session instead of cancelling it", async () => {
  const store = new MemoryResultStore();
  const host = new SimHost();
  documentWithSelection(host);
  const broker = new FakeBroker({ script: Array(40).fill("running") });
  const first = session(store, host, broker, immediate);
  first.panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1, seeds: [8] } }));
  await flushUntil(() => broker.statusCalls >= 2);
  const jobId = first.states()[0].jobId;
  first.controller.dispose();
  await flushUntil(() => false, 50);
  expect(broker.cancelCalls).toEqual([]);
  const rec = (await store.getJob(jobId))!;
  expect(["running", "queued"]).toContain(rec.state.phase);
  broker.opts.script = [];
  const second = session(store, host, broker, immediate);
  const [final] = await second.controller.resumed();
  expect(final).toMatchObject({ jobId, phase: "kept" });
});
