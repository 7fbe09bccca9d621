// Harmonize: an object layer placed into the visible layers below it by Firefly's adaptive or precise
// composite. The background is sent in a context window planned as for a fill around the object's
// footprint and its shadow; results are masked to that area, grouped directly above the object layer
// (so layers above the object still cover them), and the object layer is hidden.

import { FILL_SIZES } from "../../../common/firefly";
import type { AdaptiveCompositeRequest, PreciseCompositeRequest } from "../../../common/firefly";
import { encodeGrayPng, encodeJpeg, encodeRGBAPng } from "../../../common/imaging/codecs";
import { planFillGeometry } from "../../../common/imaging/context";
import { composeHarmonize, footprintOf, harmonizeArea, harmonizeSent, isBlank, objectProblem, shadowReach } from "../../../common/imaging/harmonize";
import { clampToCanvas, isEmptyRect } from "../../../common/imaging/rect";
import type { HarmonizeParams } from "../../../common/jobs";
import { documentError } from "../errors";
import { opaque, sizeOf } from "../reading";
import type { KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, variationsOf } from "./submit-parts";

/** Whether the job casts a shadow (adaptive with shadows on). */
export const castsShadow = (p: HarmonizeParams): boolean => p.method === "adaptive" && p.shadows !== false;

export const harmonize: KindWorkflow<"harmonize"> = {
  label: "Harmonize",

  async capture(params, active, ctx) {
    if (params.numVariations > 3) throw documentError("Harmonize makes at most 3 variations.");
    const layer = (await ctx.deps.host.layers(active.id)).find((l) => l.id === params.layerId);
    if (!layer) throw documentError("The object's layer no longer exists. Pick the object's layer again.");
    if (layer.kind !== "pixel" && layer.kind !== "smartObject") {
      throw documentError(`“${layer.name}” is not a pixel layer or smart object. Pick the object's layer.`);
    }
    const footprint = clampToCanvas(layer.bounds, sizeOf(active));
    if (isEmptyRect(footprint)) throw documentError(`“${layer.name}” has no pixels on the canvas. Pick the object's layer.`);
    const reach = shadowReach(footprint, castsShadow(params));
    const area = harmonizeArea(sizeOf(active), footprint, reach);
    const geometry = planFillGeometry(sizeOf(active), area, FILL_SIZES, ctx.deps.fillContext);
    const found = await ctx.capture({
      selection: false,
      composites: ({ document }) => {
        if (document.width !== active.width || document.height !== active.height) {
          throw documentError("The document changed size while it was read. Try again.");
        }
        return [
          { window: geometry.window, targetSize: geometry.sendSize, below: layer.id },
          { window: footprint, layerId: layer.id },
        ];
      },
    });
    const [background, object] = found.composites;
    const problem = objectProblem(object);
    if (problem === "empty") throw documentError(`“${layer.name}” has no pixels on the canvas. Pick the object's layer.`);
    if (problem === "opaque")
      throw documentError(`“${layer.name}” has no transparency: Harmonize needs the object cut out on its own layer, with nothing around it.`);
    if (isBlank(background)) throw documentError(`Nothing visible lies below “${layer.name}”: Harmonize needs a background to place the object into.`);
    const sent = harmonizeSent(object, footprint, geometry);
    return {
      request: {
        ...ctx.shared(found.document),
        kind: "harmonize",
        params,
        blend: { bandPx: 0, toneMatch: false },
        sendSize: geometry.sendSize,
        harmonize: { geometry, footprint, area, reach },
      },
      selection: { bounds: footprint, mask: footprintOf(object) },
      background: opaque(background),
      ...sent,
    };
  },

  async submit(cap, upload) {
    const { request: req } = cap;
    const p = req.params;
    const ids = await upload({
      background: { encode: () => encodeJpeg(cap.background, SOURCE_JPEG_QUALITY), type: "image/jpeg" },
      fillAreaMask: { encode: () => encodeGrayPng(cap.fillAreaMask), type: "image/png" },
      object: { encode: () => encodeRGBAPng(cap.object), type: "image/png" },
      objectMask: p.method === "adaptive" ? { encode: () => encodeGrayPng(cap.objectMask), type: "image/png" } : undefined,
    });
    const background = { image: { source: { uploadId: ids.background } }, fillAreaMask: { source: { uploadId: ids.fillAreaMask } } };
    const object = { image: { source: { uploadId: ids.object } } };
    if (p.method === "precise") {
      const body: PreciseCompositeRequest = { background, object, blend: p.strength, ...variationsOf(req) };
      return { endpoint: "precise", body };
    }
    const body: AdaptiveCompositeRequest = {
      background,
      object: { ...object, ...(ids.objectMask ? { mask: { source: { uploadId: ids.objectMask } } } : {}) },
      harmonization: p.strength,
      shadowIntensity: castsShadow(p) ? (p.shadowIntensity ?? 1) : 0,
      preserveBackground: p.keepBackground ?? true,
      ...variationsOf(req),
    };
    return { endpoint: "adaptive", body };
  },

  region: () => undefined,
  sent: () => null,
  tone: () => null,

  compose(req, selection, result) {
    if (!selection) throw documentError("The object's footprint this job was made with is no longer stored, so its results cannot be placed. Run it again.");
    const h = req.harmonize;
    return composeHarmonize(result, h.geometry, selection, h.area, h.reach);
  },

  canvasOps: (req) => [{ op: "setVisibility", layer: { id: req.params.layerId }, visible: false }],
  groupAbove: (req) => req.params.layerId,
  target: (_req, first) => first.rect,
  selectionBounds: (req) => req.harmonize.footprint,
};
