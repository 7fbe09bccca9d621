// Placing decoded results: compose each variation into layer content, build one plan, apply it as
// one history step, bound to the job's document. A closed or resized document keeps the results.

import { HostError, type RGBAImage, type SelectionMask } from "../../common/host";
import type { JobState, VariationState } from "../../common/jobs";
import { base64Encode, encodeJpeg } from "../../common/imaging/codecs";
import { composeCover, composeExpand, composeFill, type LayerContent } from "../../common/imaging/compose";
import { expandCanvasOps, originalRect } from "../../common/imaging/expand";
import { createGray, createRGBA, pasteRGBA } from "../../common/imaging/image";
import { GROUP_REF, placementPlan, variationRef } from "../../common/imaging/plans";
import { resampleRGBA } from "../../common/imaging/resample";
import { fitTone, type ToneCorrection } from "../../common/imaging/tone";
import type { GrayImage } from "../../common/host";
import { toJobError } from "./errors";
import type { JobRequest, WorkflowDeps } from "./types";

export interface DecodedVariation {
  seed: number;
  image: RGBAImage;
  tone: ToneCorrection | null;
}

/** Fit the tone of a result against what was sent (fill and expand only, when enabled). */
export function toneFor(req: JobRequest, source: RGBAImage | undefined, sendMask: GrayImage | undefined, result: RGBAImage): ToneCorrection | null {
  if (!req.blend.toneMatch || !source) return null;
  const atSend = result.width === req.sendSize.width && result.height === req.sendSize.height ? result : resampleRGBA(result, req.sendSize.width, req.sendSize.height);
  if (req.fill && sendMask) {
    const g = req.fill.geometry;
    const ring = Math.max(6, Math.min(32, Math.ceil(req.blend.bandPx * Math.min(g.scaleX, g.scaleY)) + 4));
    return fitTone(source, atSend, sendMask, ring);
  }
  if (req.expand) {
    const g = req.expand.geometry;
    const placed = createRGBA(g.outputSize.width, g.outputSize.height);
    pasteRGBA(placed, source, g.sendInsets.left, g.sendInsets.top);
    const newArea = createGray(g.outputSize.width, g.outputSize.height, 255);
    for (let y = g.sendInsets.top; y < g.sendInsets.top + g.sourceSize.height; y++) {
      newArea.data.fill(0, y * g.outputSize.width + g.sendInsets.left, y * g.outputSize.width + g.sendInsets.left + g.sourceSize.width);
    }
    // The band is how deep into the original the generated strip's tone is matched (the original
    // itself is never blended).
    const ring = Math.max(6, Math.min(32, Math.ceil(req.blend.bandPx * g.scale) + 4));
    return fitTone(placed, atSend, newArea, ring);
  }
  return null;
}

export function composeVariation(req: JobRequest, selection: SelectionMask | null, v: DecodedVariation): LayerContent {
  if (req.fill) return composeFill(v.image, req.fill.geometry, selection!, req.blend.bandPx, v.tone);
  if (req.expand) return composeExpand(v.image, req.expand.geometry, v.tone);
  return composeCover(v.image, req.cover!.target, req.cover!.masked ? selection : null);
}

export function thumbnailOf(content: LayerContent, maxSide = 128): string {
  const { pixels } = content;
  const s = Math.min(1, maxSide / Math.max(pixels.width, pixels.height));
  const small = resampleRGBA(pixels, Math.max(1, Math.round(pixels.width * s)), Math.max(1, Math.round(pixels.height * s)));
  return `data:image/jpeg;base64,${base64Encode(encodeJpeg(small, 75))}`;
}

export function variationName(req: JobRequest, index: number, seed: number): string {
  const label = { fill: "Fill", expand: "Expand", generate: "Generate", similar: "Similar" }[req.kind];
  return `${label} ${index + 1} (seed ${seed})`;
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
): Promise<Partial<JobState>> {
  const now = deps.now ?? Date.now;
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
  if (doc.width !== req.docSize.width || doc.height !== req.docSize.height) {
    return kept(
      `The canvas of “${req.docTitle}” changed size since the job started, so the results were kept rather than placed in the wrong spot. Undo the size change and choose Re-apply, or dismiss them.`,
      `captured ${req.docSize.width}×${req.docSize.height}, now ${doc.width}×${doc.height}`,
    );
  }
  const plan = placementPlan({
    historyName: req.historyName,
    documentSize: req.docSize,
    canvasOps: req.expand ? expandCanvasOps(req.expand.geometry) : undefined,
    groupName: req.groupName,
    variations: contents.map((content, i) => ({ name: variationName(req, i, variations[i].seed), content })),
  });
  try {
    const res = await deps.host.apply(targetDocId, plan, signal);
    return {
      phase: "done",
      docId: targetDocId,
      groupLayerId: res.created[GROUP_REF],
      variations: vstates.map((v, i) => ({ ...v, layerId: res.created[variationRef(i)], visible: i === 0 })),
      target: req.fill ? contents[0].rect : req.expand ? originalRect(req.expand.geometry) : req.cover!.target,
      finishedAt: now(),
      error: undefined,
    };
  } catch (e) {
    if (e instanceof HostError && e.code === "cancelled") throw e;
    const err = toJobError(e);
    return kept(`${err.message} The results were kept: choose Re-apply to try again, or dismiss them.`, err.detail);
  }
}
