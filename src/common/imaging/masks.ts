// Mask maths: distances, the blend mask written as the result layer's mask, and the mask sent to the
// service. Two masks, as in krita-ai-diffusion: the service regenerates everything selected (hard
// mask), while the layer mask keeps the selection's feathering and fades generated pixels in over a
// band *inside* the selection, so nothing outside the selection ever changes.

import type { GrayImage } from "../host";

const FAR = 1 << 29;

/**
 * Chamfer (3-4) distance, in pixels, from every pixel to the nearest seed pixel. Pixels beyond the
 * image are not seeds. Returns FAR/3 where no seed exists.
 */
export function distanceToSeeds(width: number, height: number, isSeed: (i: number) => boolean): Float32Array {
  const d = new Int32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = isSeed(i) ? 0 : FAR;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x > 0) v = Math.min(v, d[i - 1] + 3);
      if (y > 0) {
        v = Math.min(v, d[i - width] + 3);
        if (x > 0) v = Math.min(v, d[i - width - 1] + 4);
        if (x < width - 1) v = Math.min(v, d[i - width + 1] + 4);
      }
      d[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x < width - 1) v = Math.min(v, d[i + 1] + 3);
      if (y < height - 1) {
        v = Math.min(v, d[i + width] + 3);
        if (x < width - 1) v = Math.min(v, d[i + width + 1] + 4);
        if (x > 0) v = Math.min(v, d[i + width - 1] + 4);
      }
      d[i] = v;
    }
  }
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] / 3;
  return out;
}

/**
 * The result layer's mask: the selection mask (feathering kept), faded in linearly over `bandPx`
 * pixels inside the selection's edge: min(m, 255·min(1, d/(band+1))), d = distance to the nearest
 * unselected pixel. Never exceeds the selection, so unselected pixels stay untouched. Image borders
 * are not edges (a selection touching the canvas edge stays opaque there).
 */
export function blendMask(selection: GrayImage, bandPx: number): GrayImage {
  const { width, height, data } = selection;
  const out = new Uint8Array(data.length);
  if (bandPx <= 0) {
    out.set(data);
    return { width, height, data: out };
  }
  const dist = distanceToSeeds(width, height, (i) => data[i] === 0);
  for (let i = 0; i < data.length; i++) {
    const m = data[i];
    if (m === 0) continue;
    const ramp = dist[i] >= bandPx + 1 ? 255 : Math.round((255 * dist[i]) / (bandPx + 1));
    out[i] = Math.min(m, ramp);
  }
  return { width, height, data: out };
}

/** Everything selected at all becomes 255 (the service regenerates the whole selection). */
export function hardMask(selection: GrayImage): GrayImage {
  const out = new Uint8Array(selection.data.length);
  for (let i = 0; i < out.length; i++) out[i] = selection.data[i] !== 0 ? 255 : 0;
  return { width: selection.width, height: selection.height, data: out };
}

/** A linear ramp mask for expand: 255 in the new area, fading to 0 over `bandPx` into the original. */
export function expandBlendMask(
  width: number,
  height: number,
  original: { left: number; top: number; right: number; bottom: number },
  bandPx: number,
): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= original.left && x < original.right && y >= original.top && y < original.bottom;
      if (!inside) {
        data[y * width + x] = 255;
        continue;
      }
      if (bandPx <= 0) continue;
      // Distance to the new area, measured only towards sides where new area exists in this image.
      let d = Infinity;
      if (original.left > 0) d = Math.min(d, x - original.left + 1);
      if (original.top > 0) d = Math.min(d, y - original.top + 1);
      if (original.right < width) d = Math.min(d, original.right - x);
      if (original.bottom < height) d = Math.min(d, original.bottom - y);
      if (d <= bandPx) data[y * width + x] = Math.round((255 * (bandPx + 1 - d)) / (bandPx + 1));
    }
  }
  return { width, height, data };
}
