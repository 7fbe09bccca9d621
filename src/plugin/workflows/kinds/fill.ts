// Fill: generate inside the selection, in a context window around it, blended and tone-matched.

import { FILL_SIZES } from "../../../common/firefly";
import type { FillRequest } from "../../../common/firefly";
import type { Rect, Size } from "../../../common/host";
import { encodeGrayPng, encodeJpeg } from "../../../common/imaging/codecs";
import { composeFill, selectionExtent } from "../../../common/imaging/compose";
import { planFillGeometry, type ContextOptions, type FillGeometry } from "../../../common/imaging/context";
import { NATIVE_TOLERANCE, chooseUpscale, fillInterpolation, planNativeDetail, type UpscaleStep } from "../../../common/imaging/detail";
import { createGray, pasteGray } from "../../../common/imaging/image";
import { hardMask } from "../../../common/imaging/masks";
import { growRect, intersectRect, rectHeight, rectWidth } from "../../../common/imaging/rect";
import { resampleGray } from "../../../common/imaging/resample";
import { fitTone } from "../../../common/imaging/tone";
import { documentError } from "../errors";
import { opaque, sizeOf } from "../reading";
import { fillRegion } from "../result-region";
import { SENT_MASK_KEY, SENT_SOURCE_KEY, type FillJobRequest } from "../types";
import { nativeDetailNote } from "./detail-note";
import type { KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, optionalText, variationsOf } from "./submit-parts";

/** Default band: about 1/40 of the selection's longest side, 4..32 px. */
export function defaultBand(extent: Rect): number {
  return Math.max(4, Math.min(32, Math.round(Math.max(rectWidth(extent), rectHeight(extent)) / 40)));
}

/**
 * Native detail for one fill: the upscale that brings its placed part to native size (none when it is
 * generated at native size already), or, when one fill cannot get there (it needs tiles), why the job
 * runs at Standard detail instead.
 */
export function nativeDetailPart(
  doc: Size,
  g: FillGeometry,
  bandPx: number,
  variations: number,
  context?: ContextOptions,
): { upscale?: UpscaleStep; detailNote?: string } {
  if (fillInterpolation(g).max <= 1 + NATIVE_TOLERANCE) return {};
  const step = chooseUpscale(g, intersectRect(growRect(g.selection, bandPx), g.window));
  if (step) return { upscale: step };
  let tiles: string;
  try {
    tiles = `${planNativeDetail({ doc, selection: g.selection, presets: FILL_SIZES, variations, bandPx, context }).fills} tiles`;
  } catch {
    tiles = "more tiles than Infill plans";
  }
  return { detailNote: `Native detail needs ${tiles} for this selection, which Infill does not run yet: generated at Standard detail.` };
}

/** What a fill says about detail: the enlargement left after any upscale, the context's stretch, and why Native detail fell back. */
function fillDetail(req: FillJobRequest): string {
  const { geometry: g, upscale, detailNote: fallback } = req.fill;
  return nativeDetailNote(fillInterpolation(g), upscale?.factor, g.note, fallback);
}

export const fill: KindWorkflow<"fill"> = {
  label: "Fill",

  async capture(params, _active, ctx) {
    // The window depends on the selection, so it is planned inside the capture from what it found.
    const planned: { geometry?: FillGeometry } = {};
    const found = await ctx.capture({
      selection: true,
      composites: ({ document, selection }) => {
        if (!selection) throw documentError("Make a selection first: Fill generates inside the selection.");
        const g = (planned.geometry = planFillGeometry(sizeOf(document), selectionExtent(selection), FILL_SIZES, ctx.deps.fillContext));
        return [{ window: g.window, targetSize: g.sendSize }];
      },
    });
    const { selection } = found;
    const g = planned.geometry;
    if (!selection || !g) throw documentError("Make a selection first: Fill generates inside the selection.");
    const blend = params.blend ?? { bandPx: defaultBand(selectionExtent(selection)), toneMatch: true };
    const { window, sendSize } = g;
    const shared = ctx.shared(found.document);
    const native = params.detail === "native" ? nativeDetailPart(sizeOf(found.document), g, blend.bandPx, shared.seeds.length, ctx.deps.fillContext) : {};
    const winMask = createGray(rectWidth(window), rectHeight(window));
    pasteGray(winMask, hardMask(selection.mask), selection.bounds.left - window.left, selection.bounds.top - window.top);
    return {
      request: { ...shared, kind: "fill", params, blend, sendSize, fill: { geometry: g, selectionBounds: selection.bounds, ...native } },
      selection,
      source: opaque(found.composites[0]),
      sendMask: resampleGray(winMask, sendSize.width, sendSize.height),
    };
  },

  async submit(cap, upload) {
    const { request: req, source, sendMask } = cap;
    const p = req.params;
    const ids = await upload({
      source: { encode: () => encodeJpeg(source, SOURCE_JPEG_QUALITY), type: "image/jpeg", keepAs: SENT_SOURCE_KEY },
      mask: { encode: () => encodeGrayPng(sendMask), type: "image/png", keepAs: SENT_MASK_KEY },
    });
    const body: FillRequest = {
      image: { source: { uploadId: ids.source } },
      mask: { source: { uploadId: ids.mask }, invert: false },
      ...optionalText("prompt", p.prompt),
      ...optionalText("negativePrompt", p.negativePrompt),
      size: { ...req.sendSize },
      ...variationsOf(req),
    };
    return { endpoint: "fill", body };
  },

  region: (cap) => fillRegion(cap),
  sent: (cap) => ({ source: cap.source, mask: cap.sendMask }),

  tone(req, sent, result) {
    if (!sent.mask) return null;
    const g = req.fill.geometry;
    const ring = Math.max(6, Math.min(32, Math.ceil(req.blend.bandPx * Math.min(g.scaleX, g.scaleY)) + 4));
    return fitTone(sent.source, result, sent.mask, ring);
  },

  compose(req, selection, result, tone) {
    if (!selection) throw documentError("The selection this fill was made in is no longer stored, so its results cannot be placed. Run it again.");
    return composeFill(result, req.fill.geometry, selection, req.blend.bandPx, tone);
  },

  canvasOps: () => undefined,
  target: (_req, first) => first.rect,
  selectionBounds: (req) => req.fill.selectionBounds,
  detail: fillDetail,
};
