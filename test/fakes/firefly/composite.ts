// The fake's adaptive and precise composites: an output a test can trace back to its inputs.
// The object is scaled into the bounding box of the fill-area mask (white = where it goes), its
// colour pulled toward the background's mean by the harmonization (adaptive) or by 1 − blend
// (precise), and laid over the background by its alpha (times the object mask's grey, if given).
// Adaptive also darkens a band below the box as a contact shadow: COMPOSITE_SHADOW_DEPTH ×
// shadowIntensity on the row under the box, fading linearly to nothing over a quarter of the box's
// height. Nothing else of the background changes. `preserveBackground` has no effect here.

import type { RGBAImage } from "../../../src/common/host";
import type { AdaptiveCompositeRequest, PreciseCompositeRequest } from "../../../src/common/firefly";
import { encodeRGBAPng } from "../../../src/common/imaging/codecs";
import { resampleRGBA } from "../../../src/common/imaging/resample";

export const COMPOSITE_SHADOW_DEPTH = 0.5;

export interface CompositeInputs {
  background: RGBAImage;
  fillAreaMask: RGBAImage;
  object: RGBAImage;
  objectMask?: RGBAImage;
}

export type CompositeParams = { kind: "adaptive"; body: AdaptiveCompositeRequest } | { kind: "precise"; body: PreciseCompositeRequest };

/** The composited image, or a message saying why the inputs cannot be composited. */
export function fakeCompositeImage(inputs: CompositeInputs, params: CompositeParams): RGBAImage | string {
  const { background: bg, fillAreaMask: mask } = inputs;
  if (mask.width !== bg.width || mask.height !== bg.height) return "the fill-area mask must be the size of the background";
  if (inputs.objectMask && (inputs.objectMask.width !== inputs.object.width || inputs.objectMask.height !== inputs.object.height)) {
    return "the object mask must be the size of the object";
  }
  let [left, top, right, bottom] = [bg.width, bg.height, 0, 0];
  for (let y = 0; y < bg.height; y++)
    for (let x = 0; x < bg.width; x++)
      if (mask.data[(y * bg.width + x) * 4] >= 128)
        [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x + 1), Math.max(bottom, y + 1)];
  if (right <= left) return "the fill-area mask is empty";
  const w = right - left;
  const h = bottom - top;
  const fit = (img: RGBAImage) => (img.width === w && img.height === h ? img : resampleRGBA(img, w, h));
  const obj = fit(inputs.object);
  const objMask = inputs.objectMask ? fit(inputs.objectMask) : undefined;

  const mean = [0, 0, 0];
  for (let p = 0; p < bg.data.length; p += 4) for (let c = 0; c < 3; c++) mean[c] += bg.data[p + c];
  for (let c = 0; c < 3; c++) mean[c] /= bg.width * bg.height;
  const pull = params.kind === "adaptive" ? (params.body.harmonization ?? 0.6) : 1 - (params.body.blend ?? 0.5);
  const shadow = params.kind === "adaptive" ? COMPOSITE_SHADOW_DEPTH * (params.body.shadowIntensity ?? 1) : 0;

  const out: RGBAImage = { width: bg.width, height: bg.height, data: new Uint8Array(bg.data) };
  const band = Math.max(1, Math.round(h / 4));
  for (let y = bottom; y < Math.min(bg.height, bottom + band); y++) {
    const k = 1 - shadow * (1 - (y - bottom) / band);
    for (let x = left; x < right; x++) for (let c = 0; c < 3; c++) out.data[(y * bg.width + x) * 4 + c] = Math.round(bg.data[(y * bg.width + x) * 4 + c] * k);
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const q = (y * w + x) * 4;
      const a = (obj.data[q + 3] / 255) * (objMask ? objMask.data[q] / 255 : 1);
      const p = ((top + y) * bg.width + left + x) * 4;
      for (let c = 0; c < 3; c++) {
        const tinted = obj.data[q + c] + pull * (mean[c] - obj.data[q + c]);
        out.data[p + c] = Math.round(a * tinted + (1 - a) * out.data[p + c]);
      }
      out.data[p + 3] = 255;
    }
  return out;
}

/** PNG bytes of the composite, or the reason it cannot be made. */
export function fakeComposite(inputs: CompositeInputs, params: CompositeParams): Buffer | string {
  const img = fakeCompositeImage(inputs, params);
  return typeof img === "string" ? img : Buffer.from(encodeRGBAPng(img));
}
