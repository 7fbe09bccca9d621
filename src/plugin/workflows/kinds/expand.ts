// Expand: grow the canvas and generate the new area around the untouched original.

import { EXPAND_MAX_SIDE } from "../../../common/firefly";
import type { ExpandRequest } from "../../../common/firefly";
import { encodeJpeg } from "../../../common/imaging/codecs";
import { composeExpand } from "../../../common/imaging/compose";
import { describeExpandRequests, expandInterpolation, planExpandDetail, type UpscaleStep } from "../../../common/imaging/detail";
import { expandCanvasOps, originalRect, planExpandGeometry, type ExpandGeometry } from "../../../common/imaging/expand";
import { createGray, createRGBA, pasteRGBA } from "../../../common/imaging/image";
import { fitTone } from "../../../common/imaging/tone";
import { WorkflowError } from "../errors";
import { opaque, sizeOf } from "../reading";
import { expandRegion } from "../result-region";
import { SENT_SOURCE_KEY, type ExpandJobRequest } from "../types";
import { nativeDetailNote } from "./detail-note";
import type { KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, optionalText, variationsOf } from "./submit-parts";

function invalid(e: unknown): WorkflowError {
  return new WorkflowError({ category: "invalid_input", message: e instanceof Error ? e.message : String(e) });
}

/** Native detail for an expansion: the upscale of its new area, or why it runs at Standard detail. */
function nativeExpand(g: ExpandGeometry, variations: number): { upscale?: UpscaleStep; detailNote?: string } {
  const plan = planExpandDetail(g, variations);
  if (plan.upscale) return { upscale: plan.upscale };
  return plan.short ? { detailNote: describeExpandRequests(plan, variations) } : {};
}

/** What an expansion says about detail: the enlargement left after any upscale, and why Native detail fell back. */
function expandDetail(req: ExpandJobRequest): string {
  const { geometry, upscale, detailNote: fallback } = req.expand;
  return nativeDetailNote(expandInterpolation(geometry), upscale?.factor, undefined, fallback);
}

export const expand: KindWorkflow<"expand"> = {
  label: "Expand",

  async capture(params, _active, ctx) {
    // The sizes depend on the document's size, so they are planned inside the capture.
    const planned: { geometry?: ExpandGeometry } = {};
    const found = await ctx.capture({
      selection: false,
      composites: ({ document }) => {
        try {
          planned.geometry = planExpandGeometry(sizeOf(document), params.target, EXPAND_MAX_SIDE);
        } catch (e) {
          throw invalid(e);
        }
        return [{ targetSize: planned.geometry.sourceSize }];
      },
    });
    const geometry = planned.geometry;
    if (!geometry) throw invalid("The expanded canvas could not be planned.");
    const shared = ctx.shared(found.document);
    const native = params.detail === "native" ? nativeExpand(geometry, shared.seeds.length) : {};
    return {
      request: {
        ...shared,
        kind: "expand",
        params,
        blend: params.blend ?? { bandPx: 16, toneMatch: true },
        sendSize: geometry.outputSize,
        expand: { geometry, ...native },
      },
      selection: null,
      source: opaque(found.composites[0]),
    };
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
