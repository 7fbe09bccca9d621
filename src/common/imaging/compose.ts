// Turning a decoded result into layer content: resampled once to document pixels, cut to the mask's
// bounding box plus the blend band (fill) or to the new area (expand), tone-corrected, with the layer
// mask that blends it in.

import type { GrayImage, Rect, RGBAImage, SelectionMask } from "../host";
import type { FillGeometry } from "./context";
import { expandLayerRect, originalRect, type ExpandGeometry } from "./expand";
import { cropGray, nonZeroBounds } from "./image";
import { blendMask, expandMask } from "./masks";
import { coverPlacement } from "./placement";
import { canvasRect, growRect, intersectRect, isEmptyRect, translateRect } from "./rect";
import { resampleRGBARegion } from "./resample";
import { applyTone, type ToneCorrection } from "./tone";

/** Pixels and mask of one result layer, both covering `rect` (document pixels). */
export interface LayerContent {
  rect: Rect;
  pixels: RGBAImage;
  mask: GrayImage | null;
}

/** The selection's non-zero part in document pixels. */
export function selectionExtent(selection: SelectionMask): Rect {
  const nz = nonZeroBounds(selection.mask);
  return translateRect(nz, selection.bounds.left, selection.bounds.top);
}

/** The rectangle a fill result layer covers: the mask's bounding box plus the band, inside the window. */
export function fillLayerRect(geometry: FillGeometry, selection: SelectionMask, bandPx: number): Rect {
  const extent = selectionExtent(selection);
  if (isEmptyRect(extent)) throw new Error("the selection is empty");
  return intersectRect(growRect(extent, bandPx), geometry.window);
}

export function composeFill(result: RGBAImage, geometry: FillGeometry, selection: SelectionMask, bandPx: number, tone: ToneCorrection | null): LayerContent {
  const rect = fillLayerRect(geometry, selection, bandPx);
  const win = geometry.window;
  const pixels = resampleRGBARegion(result, win.right - win.left, win.bottom - win.top, translateRect(rect, -win.left, -win.top));
  if (tone) applyTone(pixels, tone);
  const sel = cropGray(selection.mask, rect, selection.bounds.left, selection.bounds.top);
  return { rect, pixels, mask: blendMask(sel, bandPx) };
}

/**
 * Expand: the generated new area only. The layer's mask is 0 over the original's whole rectangle, so no
 * original pixel changes; the seam is handled on the generated side by the tone correction, fitted on
 * a ring of the original along its edge (see `toneFor`) and applied to the generated pixels.
 */
export function composeExpand(result: RGBAImage, g: ExpandGeometry, tone: ToneCorrection | null, frame?: Rect): LayerContent {
  const rect = expandLayerRect(g);
  // `frame`: the document rectangle the result covers (an upscaled crop holding the layer); else the canvas.
  const f = frame ?? canvasRect(g.canvas);
  const pixels = resampleRGBARegion(result, f.right - f.left, f.bottom - f.top, translateRect(rect, -f.left, -f.top));
  if (tone) applyTone(pixels, tone);
  const o = translateRect(originalRect(g), -rect.left, -rect.top);
  const mask = expandMask(rect.right - rect.left, rect.bottom - rect.top, o);
  return { rect, pixels, mask };
}

/** Generate / similar: cover the target with the result (aspect kept); masked by the selection if any. */
export function composeCover(result: RGBAImage, target: Rect, selection: SelectionMask | null): LayerContent {
  const place = coverPlacement({ width: result.width, height: result.height }, target);
  const pixels = resampleRGBARegion(result, place.scaledSize.width, place.scaledSize.height, translateRect(target, -place.left, -place.top));
  const mask = selection ? cropGray(selection.mask, target, selection.bounds.left, selection.bounds.top) : null;
  return { rect: { ...target }, pixels, mask };
}

/** Straight-alpha "over" of `src` (masked) onto opaque `dst`, both the same size (for measurements). */
export function blendOver(dst: RGBAImage, src: RGBAImage, mask: GrayImage): RGBAImage {
  const out = new Uint8Array(dst.data.length);
  for (let i = 0, p = 0; i < mask.data.length; i++, p += 4) {
    const a = (mask.data[i] * src.data[p + 3]) / (255 * 255);
    for (let c = 0; c < 3; c++) out[p + c] = Math.round(dst.data[p + c] * (1 - a) + src.data[p + c] * a);
    out[p + 3] = dst.data[p + 3];
  }
  return { width: dst.width, height: dst.height, data: out };
}
