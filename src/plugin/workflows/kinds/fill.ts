// Fill: generate inside the selection, in a context window around it, blended and tone-matched.

import { FILL_SIZES } from "../../../common/firefly";
import type { FillRequest } from "../../../common/firefly";
import type { Rect, RGBAImage, Size } from "../../../common/host";
import type { BlendSettings, FillParams } from "../../../common/jobs";
import { encodeGrayPng, encodeJpeg } from "../../../common/imaging/codecs";
import { composeFill, selectionExtent } from "../../../common/imaging/compose";
import { planFillGeometry, type ContextOptions, type FillGeometry } from "../../../common/imaging/context";
import { NATIVE_TOLERANCE, chooseUpscale, fillInterpolation, planNativeDetail, type FillLimits, type UpscaleStep } from "../../../common/imaging/detail";
import { createGray, pasteGray } from "../../../common/imaging/image";
import { hardMask } from "../../../common/imaging/masks";
import { growRect, intersectRect, rectHeight, rectWidth } from "../../../common/imaging/rect";
import { resampleGray } from "../../../common/imaging/resample";
import { fitTone, type ToneCorrection } from "../../../common/imaging/tone";
import { documentError } from "../errors";
import { opaque, sizeOf } from "../reading";
import { fillRegion } from "../result-region";
import { fillTiles, tileSendMask, type FillTile } from "../tiles-plan";
import { SENT_MASK_KEY, SENT_SOURCE_KEY, type FillJobRequest, type RequestShared } from "../types";
import { nativeDetailNote, tiledDetailNote } from "./detail-note";
import type { KindWorkflow, SentImages } from "./kind";
import { SOURCE_JPEG_QUALITY, optionalText, variationsOf } from "./submit-parts";

/** Default band: about 1/40 of the selection's longest side, 4..32 px. */
export function defaultBand(extent: Rect): number {
  return Math.max(4, Math.min(32, Math.round(Math.max(rectWidth(extent), rectHeight(extent)) / 40)));
}

/**
 * Native detail for one fill: the upscale that brings its placed part to native size (none when it is
 * generated at native size already), or, when one fill cannot get there, the tiles that do (each a fill
 * with its own context, see tiles.ts), or why the job runs at Standard detail instead.
 */
export function nativeDetailPart(
  doc: Size,
  g: FillGeometry,
  bandPx: number,
  seeds: readonly number[],
  context?: ContextOptions,
  limits: FillLimits = {},
): { upscale?: UpscaleStep; tiles?: FillTile[]; detailNote?: string } {
  if (fillInterpolation(g).max <= 1 + NATIVE_TOLERANCE) return {};
  const step = chooseUpscale(g, intersectRect(growRect(g.selection, bandPx), g.window), limits.maxUpscaleSide);
  if (step) return { upscale: step };
  try {
    const presets = limits.presets ?? FILL_SIZES;
    const plan = planNativeDetail({ doc, selection: g.selection, presets, variations: seeds.length, bandPx, context, maxUpscaleSide: limits.maxUpscaleSide });
    return { tiles: fillTiles(plan, seeds) };
  } catch (e) {
    return { detailNote: `Native detail is not possible for this selection (${e instanceof Error ? e.message : String(e)}): generated at Standard detail.` };
  }
}

/** What a fill says about detail: the enlargement left after any upscale, the context's stretch, and why Native detail fell back. */
function fillDetail(req: FillJobRequest): string {
  const { geometry: g, upscale, tiles, detailNote: fallback } = req.fill;
  if (tiles) return tiledDetailNote(tiles);
  return nativeDetailNote(fillInterpolation(g), upscale?.factor, g.note, fallback);
}

/** A fill's Firefly body: the uploaded window and mask, the prompts, the size and the seeds. */
export function fillBody(p: Pick<FillParams, "prompt" | "negativePrompt">, ids: { source: string; mask: string }, size: Size, seeds: number[]): FillRequest {
  return {
    image: { source: { uploadId: ids.source } },
    mask: { source: { uploadId: ids.mask }, invert: false },
    ...optionalText("prompt", p.prompt),
    ...optionalText("negativePrompt", p.negativePrompt),
    size: { ...size },
    ...variationsOf({ seeds }),
  };
}

/** A fill's tone correction: the result (at send size) fitted to what was sent on a ring around the mask. */
export function fillTone(g: FillGeometry, bandPx: number, sent: SentImages, result: RGBAImage): ToneCorrection | null {
  if (!sent.mask) return null;
  const ring = Math.max(6, Math.min(32, Math.ceil(bandPx * Math.min(g.scaleX, g.scaleY)) + 4));
  return fitTone(sent.source, result, sent.mask, ring);
}

export const fill: KindWorkflow<"fill"> = {
  label: "Fill",

  async capture(params, _active, ctx) {
    // The window (or a tiled fill's windows) depends on the selection, so it is planned inside the
    // capture from what it found.
    const limits = ctx.deps.fillLimits ?? {};
    const presets = limits.presets ?? FILL_SIZES;
    const planned: { geometry?: FillGeometry; blend?: BlendSettings; shared?: RequestShared; native?: ReturnType<typeof nativeDetailPart> } = {};
    const found = await ctx.capture({
      selection: true,
      composites: ({ document, selection }) => {
        if (!selection) throw documentError("Make a selection first: Fill generates inside the selection.");
        const doc = sizeOf(document);
        const g = (planned.geometry = planFillGeometry(doc, selectionExtent(selection), presets, ctx.deps.fillContext));
        const blend = (planned.blend = params.blend ?? { bandPx: defaultBand(selectionExtent(selection)), toneMatch: true });
        const shared = (planned.shared = ctx.shared(document));
        const native = (planned.native = params.detail === "native" ? nativeDetailPart(doc, g, blend.bandPx, shared.seeds, ctx.deps.fillContext, limits) : {});
        const windows = native.tiles ? native.tiles.map((t) => t.geometry) : [g];
        return windows.map((w) => ({ window: w.window, targetSize: w.sendSize }));
      },
    });
    const { selection } = found;
    const { geometry: g, blend, shared, native } = planned;
    if (!selection || !g || !blend || !shared || !native) throw documentError("Make a selection first: Fill generates inside the selection.");
    const { window, sendSize } = g;
    const winMask = createGray(rectWidth(window), rectHeight(window));
    pasteGray(winMask, hardMask(selection.mask), selection.bounds.left - window.left, selection.bounds.top - window.top);
    const request: FillJobRequest = { ...shared, kind: "fill", params, blend, sendSize, fill: { geometry: g, selectionBounds: selection.bounds, ...native } };
    if (native.tiles) {
      const tiles = native.tiles.map((t, i) => ({ source: opaque(found.composites[i]), sendMask: tileSendMask(selection, t) }));
      return { request, selection, source: tiles[0].source, sendMask: tiles[0].sendMask, tiles };
    }
    return { request, selection, source: opaque(found.composites[0]), sendMask: resampleGray(winMask, sendSize.width, sendSize.height) };
  },

  async submit(cap, upload) {
    const { request: req, source, sendMask } = cap;
    const ids = await upload({
      source: { encode: () => encodeJpeg(source, SOURCE_JPEG_QUALITY), type: "image/jpeg", keepAs: SENT_SOURCE_KEY },
      mask: { encode: () => encodeGrayPng(sendMask), type: "image/png", keepAs: SENT_MASK_KEY },
    });
    return { endpoint: "fill", body: fillBody(req.params, ids, req.sendSize, req.seeds) };
  },

  region: (cap) => fillRegion(cap),
  sent: (cap) => ({ source: cap.source, mask: cap.sendMask }),

  tone: (req, sent, result) => fillTone(req.fill.geometry, req.blend.bandPx, sent, result),

  compose(req, selection, result, tone) {
    if (!selection) throw documentError("The selection this fill was made in is no longer stored, so its results cannot be placed. Run it again.");
    return composeFill(result, req.fill.geometry, selection, req.blend.bandPx, tone);
  },

  canvasOps: () => undefined,
  target: (_req, first) => first.rect,
  selectionBounds: (req) => req.fill.selectionBounds,
  detail: fillDetail,
};
