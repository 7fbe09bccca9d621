// Errors while a previewed fill waits: the job says what happened in its own category (quota,
// moderation, rate limit), and the preview layer stays in the document with the failure saying so;
// a rate-limit pause of its status polls is on the job's state until a poll gets through. The failed
// statuses are the broker's own answers (Firefly's code, its message and the broker's category),
// read through the same schema the broker client uses.

import { JobStatusResponseSchema } from "../../src/common/firefly";
import type { RGBAImage } from "../../src/common/host";
import { createRGBA } from "../../src/common/imaging/image";
import { encodePng } from "../../src/common/imaging/png";
import type { FillParams, JobState } from "../../src/common/jobs";
import { BrokerError } from "../../src/plugin/broker-client";
import { startJob } from "../../src/plugin/workflows";
import { PREVIEW_KEPT, PREVIEW_NOTE } from "../../src/plugin/workflows/preview";
import { flushUntil } from "../support/turns";
import type { Rig } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { gatePreviews, rateLimitStatusPolls, type PreviewGate } from "./helpers/preview-broker";

const FILL: FillParams = { kind: "fill", numVariations: 1, seeds: [11], prompt: "a red door" };
const PREVIEW_LAYER = "Preview — waiting for Firefly (#3)";

interface ErrorsRig extends Rig, PreviewGate {
  docId: number;
}

/** A fill rig whose broker previews with one flat colour and whose Firefly job ends with `failed`. */
function errorsRig(failed: Record<string, unknown>): ErrorsRig {
  const r = smallRig();
  const docId = r.host.createDocument({ title: "e.psd", width: 320, height: 240, fill: [30, 30, 30] });
  r.host.setSelection(docId, { left: 100, top: 80, right: 180, bottom: 150 });
  // Answered once the gate lets the job leave the queue.
  r.broker.status = async (jobId) => ({ job: JobStatusResponseSchema.parse({ jobId, status: "failed", ...failed }) });
  const gate = gatePreviews(r, async (_endpoint, body) => {
    const src = r.broker.image((body as { image: { source: { uploadId: string } } }).image.source.uploadId);
    const out: RGBAImage = createRGBA(src.width, src.height);
    out.data.fill(200);
    return encodePng(out.width, out.height, out.data, 4, 0);
  });
  return Object.assign(r, gate, { docId });
}

async function failWithPreview(failed: Record<string, unknown>): Promise<{ r: ErrorsRig; final: JobState }> {
  const r = errorsRig(failed);
  const job = startJob(FILL, r.deps, () => {});
  await flushUntil(() => r.host.historyNames(r.docId).includes("Infill: Preview"));
  r.release();
  return { r, final: await job.done };
}

async function layerNames(r: ErrorsRig): Promise<string[]> {
  return (await r.host.layers(r.docId)).map((l) => l.name);
}

test("a job the broker failed as quota is a quota failure, and the preview stays", async () => {
  // What the broker answers after Firefly's 403 with `x-access-error: quota_exhausted`.
  const { r, final } = await failWithPreview({ error_code: "quota_exhausted", message: "access_error", category: "quota" });
  expect(final.phase).toBe("failed");
  expect(final.error?.category).toBe("quota");
  expect(final.error?.message).toMatch(/^Your organisation's Firefly generative credits are used up\./);
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(final.error?.detail).toContain("quota_exhausted");
  expect(final.note).toBeUndefined();
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
  expect(r.host.historyNames(r.docId)).toEqual(["Open", "Infill: Preview"]);
});

test("a quota category with a code the classifier does not know is still a quota failure", async () => {
  const { r, final } = await failWithPreview({ error_code: "access_error", category: "quota" });
  expect(final.error?.category).toBe("quota");
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
});

test("a moderated result is a content-policy failure, and the preview stays", async () => {
  const { r, final } = await failWithPreview({ error_code: "output_media_unsafe", message: "blocked", category: "content_policy" });
  expect(final.error?.category).toBe("content_policy");
  expect(final.error?.message).toMatch(/^Firefly blocked the generated result under its content policy\./);
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
});

test("a job the broker gave up sending under the rate limit is a rate-limit failure, and the preview stays", async () => {
  const { r, final } = await failWithPreview({ error_code: "runtime_error", message: "Too many requests", category: "rate_limited" });
  expect(final.error?.category).toBe("rate_limited");
  expect(final.error?.message).toMatch(/^Firefly's rate limit for your organisation held this job/);
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
});

test("a rate-limit pause of the status polls is on the job until a poll gets through; the preview stays meanwhile", async () => {
  const r = errorsRig({ error_code: "output_media_unsafe", category: "content_policy" });
  const T = 5_000_000;
  const states: JobState[] = [];
  const job = startJob(FILL, { ...r.deps, now: () => T }, (s) => states.push(s));
  await flushUntil(() => r.host.historyNames(r.docId).includes("Infill: Preview"));
  // The broker answers 429 (retry after 30 s) twice, then the job's status again.
  await rateLimitStatusPolls(r);
  expect(states.at(-1)).toMatchObject({ phase: "queued", queuePosition: 3, note: PREVIEW_NOTE, pausedUntil: T + 30_000 });
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
  const cleared = states.length;
  await flushUntil(() => states.length > cleared);
  expect(states.at(-1)?.pausedUntil).toBeUndefined();
  r.release();
  const final = await job.done;
  expect(final.error?.category).toBe("content_policy");
  expect(final.pausedUntil).toBeUndefined();
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
});

test("a rate limit that outlasts the status polls' retries fails the job as rate-limited, and the preview stays", async () => {
  const r = errorsRig({ error_code: "output_media_unsafe", category: "content_policy" });
  const job = startJob(FILL, r.deps, () => {});
  await flushUntil(() => r.host.historyNames(r.docId).includes("Infill: Preview"));
  r.broker.status = async () => {
    throw new BrokerError("rate_limited", "Firefly's rate limit for your organisation is reached.", "429", 429, "rate_limited", 30_000);
  };
  const final = await job.done;
  expect(final.phase).toBe("failed");
  expect(final.error?.category).toBe("rate_limited");
  expect(final.error?.message).toMatch(/^Firefly's rate limit for your organisation is reached\./);
  expect(final.pausedUntil).toBeUndefined();
  expect(final.error?.message.endsWith(PREVIEW_KEPT)).toBe(true);
  expect(await layerNames(r)).toEqual([PREVIEW_LAYER, "Background"]);
});
