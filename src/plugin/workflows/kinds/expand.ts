// Expand: grow the canvas and generate the new area around the untouched original.

import { EXPAND_MAX_SIDE } from "../../../common/firefly";
import type { ExpandRequest } from "../../../common/firefly";
import { encodeJpeg } from "../../../common/imaging/codecs";
import { composeExpand } from "../../../common/imaging/compose";
import type { ContextOptions } from "../../../common/imaging/context";
import { describeExpandRequests, expandInterpolation, planExpandDetail, type FillLimits, type UpscaleStep } from "../../../common/imaging/detail";
import { expandCanvasOps, originalRect, planExpandGeometry, type ExpandGeometry } from "../../../common/imaging/expand";
import { createGray, createRGBA, pasteRGBA } from "../../../common/imaging/image";
import { rectHeight, rectWidth } from "../../../common/imaging/rect";
import { fitTone } from "../../../common/imaging/tone";
import { WorkflowError } from "../errors";
import { opaque, sizeOf } from "../reading";
import { expandRegion } from "../result-region";
import { expandTileMask, expandTileRead, expandTileSource, fillTiles, type ExpandTileRead, type FillTile } from "../tiles-plan";
import { SENT_SOURCE_KEY, type ExpandJobRequest, type RequestShared } from "../types";
import { nativeDetailNote, tiledDetailNote } from "./detail-note";
import type { KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, optionalText, variationsOf } from "./submit-parts";

function invalid(e: unknown): WorkflowError {
  return new WorkflowError({ category: "invalid_input", message: e instanceof Error ? e.message : String(e) });
}

/**
 * Native detail for an expansion: the upscale of its new area, or the fills of tiles along the new
 * strips when one upscale cannot reach native size, or why it runs at Standard detail.
 */
export function nativeExpand(
  g: ExpandGeometry,
  seeds: readonly number[],
  bandPx: number,
  limits: FillLimits = {},
  context?: ContextOptions,
): { upscale?: UpscaleStep; tiles?: FillTile[]; detailNote?: string } {
  const plan = planExpandDetail(g, seeds.length, { presets: limits.presets, maxUpscaleSide: limits.maxUpscaleSide, bandPx, context });
  if (plan.upscale) return { upscale: plan.upscale };
  if (plan.tiles) return { tiles: fillTiles(plan.tiles, seeds) };
  return plan.short ? { detailNote: describeExpandRequests(plan, seeds.length) } : {};
}

/** What an expansion says about detail: the enlargement left after any upscale, and why Native detail fell back. */
function expandDetail(req: ExpandJobRequest): string {
  const { geometry, upscale, tiles, detailNote: fallback } = req.expand;
  if (tiles) return tiledDetailNote(tiles);
  return nativeDetailNote(expandInterpolation(geometry), upscale?.factor, undefined, fallback);
}

export const expand: KindWorkflow<"expand"> = {
  label: "Expand",

  async capture(params, _active, ctx) {
    // The sizes depend on the document's size, so they are planned inside the capture.
    const limits = ctx.deps.fillLimits ?? {};
    const blend = params.blend ?? { bandPx: 16, toneMatch: true };
    const planned: { geometry?: ExpandGeometry; shared?: RequestShared; native?: ReturnType<typeof nativeExpand>; reads?: ExpandTileRead[] } = {};
    const found = await ctx.capture({
      selection: false,
      composites: ({ document }) => {
        let g: ExpandGeometry;
        try {
          g = planned.geometry = planExpandGeometry(sizeOf(document), params.target, limits.expandMaxSide ?? EXPAND_MAX_SIDE);
        } catch (e) {
          throw invalid(e);
        }
        const shared = (planned.shared = ctx.shared(document));
        const native = (planned.native = params.detail === "native" ? nativeExpand(g, shared.seeds, blend.bandPx, limits, ctx.deps.fillContext) : {});
        if (!native.tiles) return [{ targetSize: g.sourceSize }];
        // A tiled expansion reads, for each tile whose window holds part of the original, that part
        // (the tiles that see other tiles' results instead are composed when they are sent).
        const reads = (planned.reads = native.tiles.filter((t) => !t.dependsOn).map((t) => expandTileRead(g, t)));
        return reads.flatMap((r) => (r.window ? [{ window: r.window, targetSize: { width: rectWidth(r.at), height: rectHeight(r.at) } }] : []));
      },
    });
    const { geometry, shared, native, reads } = planned;
    if (!geometry || !shared || !native) throw invalid("The expanded canvas could not be planned.");
    const request: ExpandJobRequest = { ...shared, kind: "expand", params, blend, sendSize: geometry.outputSize, expand: { geometry, ...native } };
    const tiled = native.tiles;
    if (tiled && reads) {
      let next = 0;
      const tiles = reads.map((read, i) => ({
        source: opaque(expandTileSource(tiled[i], read, read.window ? found.composites[next++] : null)),
        sendMask: expandTileMask(geometry, tiled[i]),
      }));
      return { request, selection: null, source: tiles[0].source, tiles };
    }
    return { request, selection: null, source: opaque(found.composites[0]) };
  },

  async submit(cap, upload) {
    const { request: req, source } = cap;
    const g = req.expand.geometry;
    const ids = await upload({ source: { encode: () => encodeJpeg(source, SOURCE_JPEG_QUALITY), type: "image/jpeg", keepAs: SENT_SOURCE_KEY } });
    const body: ExpandRequest = {
      image: { source: { uploadId: ids.source } },
      placement: { inset: { ...g.sendInsets } },
      ...optionalText("prompt", req.params.prompt),
      size: { ...g.outputSize },
      ...variationsOf(req),
    };
    return { endpoint: "expand", body };
  },

  region: (cap) => expandRegion(cap.request.expand.geometry, cap.request.sendSize),
  sent: (cap) => ({ source: cap.source }),

  tone(req, sent, result) {
    const g = req.expand.geometry;
    const placed = createRGBA(g.outputSize.width, g.outputSize.height);
    pasteRGBA(placed, sent.source, g.sendInsets.left, g.sendInsets.top);
    const newArea = createGray(g.outputSize.width, g.outputSize.height, 255);
    for (let y = g.sendInsets.top; y < g.sendInsets.top + g.sourceSize.height; y++) {
      newArea.data.fill(0, y * g.outputSize.width + g.sendInsets.left, y * g.outputSize.width + g.sendInsets.left + g.sourceSize.width);
    }
    // The band is how deep into the original the generated strip's tone is matched (the original
    // itself is never blended).
    const ring = Math.max(6, Math.min(32, Math.ceil(req.blend.bandPx * g.scale) + 4));
    return fitTone(placed, result, newArea, ring);
  },

  compose: (req, _selection, result, tone) => composeExpand(result, req.expand.geometry, tone, req.expand.frame),
  canvasOps: (req) => expandCanvasOps(req.expand.geometry),
  target: (req) => originalRect(req.expand.geometry),
  selectionBounds: () => undefined,
  detail: expandDetail,
};
