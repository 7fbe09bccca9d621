// Placing decoded results: compose each variation into layer content, build one plan, apply it as
// one history step, bound to the job's document. A closed or resized document keeps the results.

import { HostError, type RGBAImage, type SelectionMask } from "../../common/host";
import type { JobState, VariationState } from "../../common/jobs";
import { base64Decode, base64Encode, decodeGrayPng, encodeJpeg } from "../../common/imaging/codecs";
import type { LayerContent } from "../../common/imaging/compose";
import { GROUP_REF, placementPlan, variationRef } from "../../common/imaging/plans";
import { resampleRGBA } from "../../common/imaging/resample";
import type { ToneCorrection } from "../../common/imaging/tone";
import { toJobError } from "./errors";
import { kindOf, type SentImages } from "./kinds";
import { readStoredRequest } from "./migrate";
import type { Replacing } from "./preview-plan";
import { SELECTION_KEY, type JobRequest, type StoredRequest, type WorkflowDeps } from "./types";

export interface DecodedVariation {
  seed: number;
  image: RGBAImage;
  tone: ToneCorrection | null;
}

/** Fit the tone of a result against what was sent (when the job matches tone and the kind does). */
export function toneFor(req: JobRequest, sent: SentImages | null, result: RGBAImage): ToneCorrection | null {
  if (!req.blend.toneMatch || !sent) return null;
  const atSend =
    result.width === req.sendSize.width && result.height === req.sendSize.height ? result : resampleRGBA(result, req.sendSize.width, req.sendSize.height);
  return kindOf(req.kind).tone(req, sent, atSend);
}

export function composeVariation(req: JobRequest, selection: SelectionMask | null, v: DecodedVariation): LayerContent {
  return kindOf(req.kind).compose(req, selection, v.image, v.tone);
}

/** The selection a job kept for placing later (see SELECTION_KEY), or null when it kept none. */
export async function storedSelection(jobId: string, req: JobRequest, deps: WorkflowDeps): Promise<SelectionMask | null> {
  const bounds = kindOf(req.kind).selectionBounds(req);
  const bytes = bounds ? await deps.store.getBytes(jobId, SELECTION_KEY) : null;
  return bounds && bytes ? { bounds, mask: decodeGrayPng(bytes) } : null;
}

/**
 * A placed job's record with the selection it was run with moved in from its bytes (see
 * StoredRequest.selection): called before the bytes are released after placing.
 */
export async function withKeptSelection(jobId: string, stored: StoredRequest, deps: WorkflowDeps): Promise<StoredRequest> {
  const bytes = await deps.store.getBytes(jobId, SELECTION_KEY);
  return bytes ? { ...stored, selection: base64Encode(bytes) } : stored;
}

/** A job as More like this reads it: where it is placed, its request and the selection it was run with. */
export interface PlacedSelection {
  /** The document its results are in (a Re-apply may have placed them in a reopened copy). */
  docId: number;
  request: JobRequest;
  /** Null when the job kept none (no selection, or placed before its record kept it). */
  selection: SelectionMask | null;
}

/** See PlacedSelection; null when the job has no record. */
export async function placedSelection(jobId: string, deps: WorkflowDeps): Promise<PlacedSelection | null> {
  const rec = await deps.store.getJob(jobId);
  if (!rec) return null;
  const stored = readStoredRequest(rec.request);
  const request = stored.request;
  const bounds = kindOf(request.kind).selectionBounds(request);
  const selection = stored.selection ? bounds && { bounds, mask: decodeGrayPng(base64Decode(stored.selection)) } : await storedSelection(jobId, request, deps);
  return { docId: rec.state.docId, request, selection: selection ?? null };
}

export function thumbnailOf(content: LayerContent, maxSide = 128): string {
  const { pixels } = content;
  const s = Math.min(1, maxSide / Math.max(pixels.width, pixels.height));
  const small = resampleRGBA(pixels, Math.max(1, Math.round(pixels.width * s)), Math.max(1, Math.round(pixels.height * s)));
  return `data:image/jpeg;base64,${base64Encode(encodeJpeg(small, 75))}`;
}

export function variationName(req: JobRequest, index: number, seed: number): string {
  return `${kindOf(req.kind).label} ${index + 1} (seed ${seed})`;
}

/**
 * Compose and apply. Returns the state fields to merge: phase done (with layer ids) or kept (with the
 * reason), never throwing for document problems so results are not lost.
 */
export async function placeVariations(
  req: JobRequest,
  targetDocId: number,
  selection: SelectionMask | null,
  variations: DecodedVariation[],
  deps: WorkflowDeps,
  signal?: AbortSignal,
  replacing?: Replacing,
): Promise<Partial<JobState>> {
  const now = deps.now ?? Date.now;
  const kind = kindOf(req.kind);
  const contents = variations.map((v) => composeVariation(req, selection, v));
  const vstates: VariationState[] = variations.map((v, i) => ({ index: i, seed: v.seed, thumbnail: thumbnailOf(contents[i]) }));
  const kept = (message: string, detail?: string): Partial<JobState> => ({
    phase: "kept",
    variations: vstates,
    finishedAt: now(),
    error: { category: "document", message, detail },
  });
  const doc = (await deps.host.documents()).find((d) => d.id === targetDocId);
  if (!doc) return kept(`“${req.docTitle}” was closed, so the results were kept. Open it again and choose Re-apply, or dismiss them.`);
  // A preview that grew the canvas already (an expand's) leaves only the layers to place.
  const size = replacing?.canvas ?? req.docSize;
  if (doc.width !== size.width || doc.height !== size.height) {
    return kept(
      `The canvas of “${req.docTitle}” changed size since the job started, so the results were kept rather than placed in the wrong spot. Undo the size change and choose Re-apply, or dismiss them.`,
      `captured ${req.docSize.width}×${req.docSize.height}, now ${doc.width}×${doc.height}`,
    );
  }
  const above = kind.groupAbove?.(req);
  const plan = placementPlan({
    historyName: req.historyName,
    documentSize: size,
    canvasOps: replacing?.canvas ? undefined : kind.canvasOps(req),
    groupName: req.groupName,
    groupAbove: above === undefined ? undefined : { id: above },
    removeLayerIds: replacing?.layerIds,
    variations: contents.map((content, i) => ({ name: variationName(req, i, variations[i].seed), content })),
  });
  try {
    const res = await deps.host.apply(targetDocId, plan, signal);
    return {
      phase: "done",
      docId: targetDocId,
      groupLayerId: res.created[GROUP_REF],
      variations: vstates.map((v, i) => ({ ...v, layerId: res.created[variationRef(i)], visible: i === 0 })),
      target: kind.target(req, contents[0]),
      finishedAt: now(),
      error: undefined,
    };
  } catch (e) {
    if (e instanceof HostError && e.code === "cancelled") throw e;
    const err = toJobError(e);
    return kept(`${err.message} The results were kept: choose Re-apply to try again, or dismiss them.`, err.detail);
  }
}
