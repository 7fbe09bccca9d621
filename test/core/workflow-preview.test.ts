// The instant preview while a Firefly fill waits: placed in its own history step while the job is
// queued; replaced by the results in one step (a rollback keeps it); removed on cancel; kept, and
// said so, on a failure; skipped when the switch is off or the broker has none; found again by id
// after a reload.

import type { SubmitRequest } from "../../src/common/firefly";
import { encodePng } from "../../src/common/imaging/png";
import type { FillParams, JobState } from "../../src/common/jobs";
import { BrokerError } from "../../src/plugin/broker-client";
import { reapplyKept, resumeJobs, startJob, type StoredRequest, type WorkflowDeps } from "../../src/plugin/workflows";
import { PREVIEW_KEPT, PREVIEW_NOTE } from "../../src/plugin/workflows/preview";
import { firstDifference, px } from "../support/pixels";
import { flush, flushUntil } from "../support/turns";
import type { Rig } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { gatePreviews, rateLimitStatusPolls, type PreviewGate } from "./helpers/preview-broker";
import { maskedFill, seedColour } from "./helpers/fake-broker";

const PREVIEW_COLOUR: [number, number, number] = [250, 0, 250];
const SEL = { left: 200, top: 150, right: 330, bottom: 260 };
const INSIDE = [265, 205] as const;
const OUTSIDE = [
  [10, 10],
  [199, 205],
  [331, 205],
  [265, 149],
  [265, 261],
  [630, 470],
] as const;
const GREY = [30, 30, 30, 255];

interface PreviewRig extends Rig, PreviewGate {
  docId: number;
}

/**
 * A fill rig whose broker makes previews like the local engine (the mask filled with one colour) and
 * whose Firefly job stays queued until released. `preview` replaces the preview route.
 */
function previewRig(preview?: (body: SubmitRequest["fill"], signal?: AbortSignal) => Promise<Uint8Array>): PreviewRig {
  const r = smallRig();
  const docId = r.host.createDocument({ title: "p.psd", width: 640, height: 480, fill: [30, 30, 30] });
  r.host.setSelection(docId, SEL);
  const gate = gatePreviews(r, async (endpoint, body, signal) => {
    expect(endpoint).toBe("fill");
    const fill = body as SubmitRequest["fill"];
    return preview ? preview(fill, signal) : localFill(r, fill);
  });
  return Object.assign(r, gate, { docId });
}

/** What the broker's local engine answers, as far as these tests care: the mask filled with PREVIEW_COLOUR. */
function localFill(r: Rig, body: SubmitRequest["fill"]): Uint8Array {
  const out = maskedFill(r.broker.image(body.image.source.uploadId!), r.broker.image(body.mask.source.uploadId!), PREVIEW_COLOUR);
  return encodePng(out.width, out.height, out.data, 4, 0);
}

const FILL: FillParams = { kind: "fill", numVariations: 1, seeds: [11], prompt: "a red door" };

async function layerNames(r: PreviewRig): Promise<string[]> {
  return (await r.host.layers(r.docId)).map((l) => l.name);
}

async function untouchedOutside(r: PreviewRig): Promise<void> {
  const img = await r.host.composite(r.docId);
  for (const [x, y] of OUTSIDE) expect(px(img, x, y)).toEqual(GREY);
}

/** Starts the fill and waits until its preview is in the document. */
async function startWithPreview(r: PreviewRig, params: FillParams = FILL, deps: WorkflowDeps = r.deps) {
  const states: JobState[] = [];
  const job = startJob(params, deps, (s) => states.push(s));
  await flushUntil(() => r.host.historyNames(r.docId).includes("Infill: Preview"));
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview"]);
  return { job, states };
}

test("the preview is placed in its own step while the job is queued; the results replace it in one step, and undo brings it back", async () => {
  const r = previewRig();
  const { job, states } = await startWithPreview(r);
  expect(r.asked).toHaveLength(1);
  expect(r.asked[0]).toEqual(r.broker.lastJob().body);
  expect(await layerNames(r)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(px(await r.host.composite(r.docId), ...INSIDE)).toEqual([...PREVIEW_COLOUR, 255]);
  await untouchedOutside(r);
  expect(states.at(-1)).toMatchObject({ phase: "queued", queuePosition: 3, note: PREVIEW_NOTE });
  const previewId = (await r.host.layers(r.docId))[0].id;
  const rec = await r.store.getJob(job.jobId);
  expect((rec?.request as StoredRequest).preview).toEqual({ docId: r.docId, layerId: previewId });

  r.release();
  const final = await job.done;
  expect(final.phase).toBe("done");
  expect(final.note).toBeUndefined();
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview", "Infill: Fill"]);
  expect(await layerNames(r)).toEqual(["a red door", "Fill 1 (seed 11)", "Background"]);
  expect(px(await r.host.composite(r.docId), ...INSIDE)).toEqual([...seedColour(11), 255]);
  await untouchedOutside(r);

  expect(r.host.undo(r.docId)).toBe(true);
  expect(await layerNames(r)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(px(await r.host.composite(r.docId), ...INSIDE)).toEqual([...PREVIEW_COLOUR, 255]);
});

test("when placing the results fails, the rollback leaves the preview as it was", async () => {
  const r = previewRig();
  const { job } = await startWithPreview(r);
  const before = await r.host.composite(r.docId);
  r.host.faults.failApplyAtOp = 2; // after the preview's removal and the group
  r.release();
  const final = await job.done;
  expect(final.phase).toBe("kept");
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview"]);
  expect(await layerNames(r)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(firstDifference((await r.host.composite(r.docId)).data, before.data)).toBe("");
  // Re-apply replaces it then.
  const again = await reapplyKept(job.jobId, r.deps, () => undefined);
  expect(again.phase).toBe("done");
  expect(await layerNames(r)).toEqual(["a red door", "Fill 1 (seed 11)", "Background"]);
});

test("cancelling the job removes the preview and cancels the Firefly job", async () => {
  const r = previewRig();
  const { job } = await startWithPreview(r);
  job.cancel();
  const final = await job.done;
  expect(final.phase).toBe("cancelled");
  expect(final.note).toBeUndefined();
  expect(r.broker.cancelCalls).toEqual([...r.broker.jobs.keys()]);
  expect(await layerNames(r)).toEqual(["Background"]);
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview", "Infill: Remove Preview"]);
  expect(px(await r.host.composite(r.docId), ...INSIDE)).toEqual(GREY);
  await untouchedOutside(r);
});

test.each([
  ["moderation", "output_media_unsafe", "content_policy"],
  ["service timeout", "timeout_error", "timeout"],
])("a failure while waiting (%s) keeps the preview and says so", async (_what, errorCode, category) => {
  const r = previewRig();
  r.broker.opts.finalStatus = "failed";
  r.broker.opts.errorCode = errorCode;
  const { job } = await startWithPreview(r);
  r.release();
  const final = await job.done;
  expect(final.phase).toBe("failed");
  expect(final.error?.category).toBe(category);
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(final.note).toBeUndefined();
  expect(await layerNames(r)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview"]);
});

test("a rate-limit pause while waiting keeps the preview; the results still replace it after", async () => {
  const r = previewRig();
  const { job, states } = await startWithPreview(r);
  // The broker answers 429 (retry after 30 s) twice, then the job goes on.
  await rateLimitStatusPolls(r);
  expect(await layerNames(r)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(r.sleeps.filter((ms) => ms >= 30_000)).toHaveLength(2);
  r.release();
  const final = await job.done;
  expect(final.phase).toBe("done");
  expect(states.some((s) => s.phase === "failed")).toBe(false);
  expect(await layerNames(r)).toEqual(["a red door", "Fill 1 (seed 11)", "Background"]);
});

test("with the switch off, no preview is asked for", async () => {
  const r = previewRig();
  r.release();
  const final = await startJob({ ...FILL, instantPreview: false }, r.deps, () => undefined).done;
  expect(final.phase).toBe("done");
  expect(r.asked).toEqual([]);
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Fill"]);
});

test("a broker without previews (409) only means no preview", async () => {
  const r = previewRig(async () => {
    throw new BrokerError("invalid_input", "This broker does not make previews.", "409 previews_off", 409, "previews_off");
  });
  r.release();
  const final = await startJob(FILL, r.deps, () => undefined).done;
  expect(final.phase).toBe("done");
  expect(final.error).toBeUndefined();
  expect(r.asked).toHaveLength(1);
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Fill"]);
});

test("results that arrive before the preview: the preview is dropped, never placed", async () => {
  let aborted = false;
  const r = previewRig(
    (_body, signal) =>
      new Promise<Uint8Array>((_resolve, reject) =>
        signal?.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        }),
      ),
  );
  r.release();
  const final = await startJob(FILL, r.deps, () => undefined).done;
  expect(final.phase).toBe("done");
  expect(aborted).toBe(true);
  await flush();
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Fill"]);
});

describe("after a reload", () => {
  /** The first session stops for good once its preview is placed (nothing cleaned up). */
  async function reloadWithPreview(r: PreviewRig): Promise<number> {
    const first = await startWithPreview(r);
    first.job.detach();
    await first.job.done;
    return (await r.host.layers(r.docId))[0].id;
  }

  test("Re-apply finds the preview by id and replaces it in one step", async () => {
    const r = previewRig();
    const previewId = await reloadWithPreview(r);
    r.release();
    const [resumed] = await resumeJobs(r.deps, () => undefined);
    expect((await resumed.done).phase).toBe("kept");
    expect((await r.host.layers(r.docId)).map((l) => l.id)).toContain(previewId);
    const placed = await reapplyKept(resumed.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview", "Infill: Fill"]);
    expect(await layerNames(r)).toEqual(["a red door", "Fill 1 (seed 11)", "Background"]);
  });

  test("a preview the artist deleted: the results are just placed", async () => {
    const r = previewRig();
    await reloadWithPreview(r);
    expect(r.host.undo(r.docId)).toBe(true);
    r.release();
    const [resumed] = await resumeJobs(r.deps, () => undefined);
    await resumed.done;
    const placed = await reapplyKept(resumed.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(await layerNames(r)).toEqual(["a red door", "Fill 1 (seed 11)", "Background"]);
  });

  test("cancelling the resumed job removes its preview", async () => {
    const r = previewRig();
    await reloadWithPreview(r);
    const [resumed] = await resumeJobs(r.deps, () => undefined);
    await flushUntil(() => r.broker.statusCalls > 2);
    resumed.cancel();
    expect((await resumed.done).phase).toBe("cancelled");
    expect(await layerNames(r)).toEqual(["Background"]);
  });
});
