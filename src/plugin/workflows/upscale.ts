// Native detail for a fill or an expansion: each variation's placed part (a fill's window, an
// expansion's new area) is sent to Firefly's upscale and the upscaled output replaces the resampled
// result. The tone correction, fitted on the generated result at the size it was sent, is kept;
// placing then reads the upscaled pixels in a frame where one of them is (close to) one document pixel.
//
// Results that are kept rather than placed (a closed or resized document, a panel reload) are kept
// upscaled: the stored results are replaced by the upscaled ones and the stored request by the one that
// places them, so Re-apply places them at native detail without asking for the upscales again.

import type { RGBAImage } from "../../common/host";
import type { JobState } from "../../common/jobs";
import type { FillGeometry } from "../../common/imaging/context";
import { cropWindow, expandFrame, type UpscaleStep } from "../../common/imaging/detail";
import { decodeImage, encodeRGBAPng } from "../../common/imaging/codecs";
import { cropRGBA } from "../../common/imaging/image";
import { rectHeight, rectWidth } from "../../common/imaging/rect";
import { upscale } from "../broker-client";
import { decodeOutputs } from "./decode";
import { WorkflowError, toJobError } from "./errors";
import { kindOf } from "./kinds";
import type { DecodedVariation } from "./place";
import { withRetry } from "./retry";
import { pollRemote } from "./run";
import { resultKey, type JobRequest, type StoredRequest, type WorkflowDeps } from "./types";

export interface UpscaleIO {
  deps: WorkflowDeps;
  signal: AbortSignal;
  sleep: (ms: number, s?: AbortSignal) => Promise<void>;
  emit: (patch: Partial<JobState>) => void;
  /** Bytes sent and received, added to the job's transfer figures. */
  moved: (up: number, down: number) => void;
  /** Told of each upscale's broker job when it starts (`running`) and when it ends, so a cancel can reach it. */
  track?: (remoteJobId: string, running: boolean) => void;
}

/**
 * The geometry in which an upscaled crop is placed: its window is the document span the crop covers
 * (widened to whole pixels) and its send size the upscaled output's.
 */
export function upscaledGeometry(g: FillGeometry, step: UpscaleStep): FillGeometry {
  const window = cropWindow(g, step.crop);
  const scaleX = step.outputSize.width / rectWidth(window);
  const scaleY = step.outputSize.height / rectHeight(window);
  return { ...g, window, sendSize: { ...step.outputSize }, scaleX, scaleY };
}

/** The upscale a job still has to run: a Native-detail fill's or expansion's. */
function pendingStep(req: JobRequest): UpscaleStep | undefined {
  if (req.kind === "fill") return req.fill.upscale;
  if (req.kind === "expand") return req.expand.upscale;
  return undefined;
}

/** The request with no upscale left to run: `done` places upscaled results (the upscaled frame), else the results as sent. */
function settled(req: JobRequest, done?: UpscaleStep): JobRequest {
  if (req.kind === "fill") {
    const { upscale: _step, ...fill } = req.fill;
    return { ...req, fill: done ? { ...fill, geometry: upscaledGeometry(fill.geometry, done) } : fill };
  }
  if (req.kind === "expand") {
    const { upscale: _step, ...expand } = req.expand;
    return { ...req, expand: done ? { ...expand, frame: cropWindow(expandFrame(expand.geometry), done.crop) } : expand };
  }
  return req;
}

/** One variation's crop, upscaled by Firefly. */
export async function upscaleOne(image: RGBAImage, step: UpscaleStep, seed: number, io: UpscaleIO): Promise<RGBAImage> {
  const { deps, signal, sleep } = io;
  const bytes = encodeRGBAPng(cropRGBA(image, step.crop));
  const uploadId = await withRetry(() => deps.broker.upload(bytes, "image/png", signal), signal, sleep);
  const accept = await withRetry(() => upscale(deps.broker, uploadId, step.factor, seed, signal), signal, sleep);
  io.track?.(accept.jobId, true);
  const result = await pollRemote(accept.jobId, deps, signal, sleep, io.emit);
  io.track?.(accept.jobId, false);
  const output = result.outputs[0];
  if (!output)
    throw new WorkflowError({
      category: "service_unavailable",
      message: "The upscale ended without a result. Run the fill again.",
      detail: `upscale job ${accept.jobId}`,
    });
  const got = await withRetry(() => deps.broker.download(output.image.url, signal), signal, sleep);
  io.moved(bytes.length, got.length);
  const up = decodeImage(got);
  if (up.width !== step.outputSize.width || up.height !== step.outputSize.height) {
    throw new WorkflowError({
      category: "service_unavailable",
      message: "The upscale came back at a size Infill did not ask for, so it cannot be placed at native detail. Run the fill again.",
      detail: `asked ${step.outputSize.width}×${step.outputSize.height}, got ${up.width}×${up.height}`,
    });
  }
  return up;
}

/**
 * For a Native-detail fill or expansion: every variation upscaled, and the request to place them with
 * (its frame the upscaled crop's, no upscale left to run). Any other job comes back as it was.
 */
export async function nativeDetail(
  req: JobRequest,
  variations: DecodedVariation[],
  io: UpscaleIO,
): Promise<{ request: JobRequest; variations: DecodedVariation[] }> {
  const step = pendingStep(req);
  if (!step) return { request: req, variations };
  let images: RGBAImage[];
  try {
    images = await Promise.all(variations.map((v) => upscaleOne(v.image, step, v.seed, io)));
  } catch (e) {
    // The results as generated are kept: they are placed at Standard detail and the job says why.
    const error = toJobError(e);
    if (io.signal.aborted || error.category === "cancelled") throw e;
    const standard = settled(req);
    const said = kindOf(standard.kind).detail?.(standard) ?? "";
    io.emit({ detail: `${said} Native detail failed (${error.message}), so the result is placed at Standard detail.`.trim() });
    return { request: req, variations };
  }
  return { request: settled(req, step), variations: variations.map((v, i) => ({ ...v, image: images[i] })) };
}

/** Whether a stored job still has its upscales to run (results not upscaled yet). */
export function upscalePending(stored: StoredRequest): boolean {
  return !!pendingStep(stored.request);
}

/**
 * The record of a job whose results are kept after `native` ran: its upscaled results replace the
 * stored ones (in order; a slot left over from a result that could not be read stays unreadable) and
 * the stored request is the one that places them. Unchanged when nothing was upscaled.
 */
export async function storeUpscaled(
  jobId: string,
  stored: StoredRequest,
  native: { request: JobRequest; variations: DecodedVariation[] },
  deps: WorkflowDeps,
): Promise<StoredRequest> {
  if (native.request === stored.request) return stored;
  const slots = Math.max(stored.outputSeeds?.length ?? 0, native.variations.length);
  for (let i = 0; i < slots; i++) {
    const v = native.variations[i];
    await deps.store.putBytes(jobId, resultKey(i), v ? encodeRGBAPng(v.image) : new Uint8Array(0));
  }
  const { region: _sendFrame, tiles: _tiles, ...rest } = stored;
  return {
    ...rest,
    request: native.request,
    outputSeeds: native.variations.map((v) => v.seed),
    tones: native.variations.map((v) => v.tone),
    placements: native.variations.map(() => null),
  };
}

/**
 * For a job taken up again with all its results stored but its upscales not run (the panel was
 * reloaded before or while they ran): the upscales run now and the upscaled results are stored. Any
 * other job's record comes back as it was.
 */
export async function upscaleStored(jobId: string, stored: StoredRequest, io: UpscaleIO): Promise<StoredRequest> {
  if (!upscalePending(stored)) return stored;
  const outputs = [];
  for (let i = 0; i < (stored.outputSeeds?.length ?? 0); i++) {
    const bytes = await io.deps.store.getBytes(jobId, resultKey(i));
    if (!bytes) break;
    outputs.push({ bytes, placement: stored.placements?.[i] });
  }
  if (outputs.length === 0) return stored;
  const { images } = decodeOutputs(outputs, stored.region);
  const decoded: DecodedVariation[] = images.flatMap((image, i) =>
    image ? [{ seed: stored.outputSeeds?.[i] ?? stored.request.seeds[i], image, tone: stored.tones?.[i] ?? null }] : [],
  );
  const native = await nativeDetail(stored.request, decoded, io);
  return storeUpscaled(jobId, stored, native, io.deps);
}
