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
  chamfer34(d, width, height);
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] / 3;
  return out;
}

/**
 * In place: `d` holds 0 at seeds and FAR elsewhere; afterwards, three times the chamfer (3-4)
 * distance to the nearest seed (FAR where there is none). Image borders are not seeds. The first and
 * last column are handled apart so the inner loops carry no bounds tests.
 */
export function chamfer34(d: Int32Array, width: number, height: number): void {
  const w = width;
  for (let y = 0; y < height; y++) {
    const r = y * w;
    if (y === 0) {
      for (let x = 1; x < w; x++) {
        const i = r + x;
        const v = d[i - 1] + 3;
        if (v < d[i]) d[i] = v;
      }
      continue;
    }
    // x = 0
    let v0 = d[r];
    if (v0 !== 0) {
      v0 = Math.min(v0, d[r - w] + 3);
      if (w > 1) v0 = Math.min(v0, d[r - w + 1] + 4);
      d[r] = v0;
    }
    for (let i = r + 1, e = r + w - 1; i < e; i++) {
      let v = d[i];
      if (v === 0) continue;
      const a = d[i - 1] + 3;
      const b = d[i - w] + 3;
      const c = d[i - w - 1] + 4;
      const e2 = d[i - w + 1] + 4;
      if (a < v) v = a;
      if (b < v) v = b;
      if (c < v) v = c;
      if (e2 < v) v = e2;
      d[i] = v;
    }
    if (w > 1) {
      const i = r + w - 1;
      let v = d[i];
      if (v !== 0) {
        v = Math.min(v, d[i - 1] + 3, d[i - w] + 3, d[i - w - 1] + 4);
        d[i] = v;
      }
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    const r = y * w;
    if (y === height - 1) {
      for (let x = w - 2; x >= 0; x--) {
        const i = r + x;
        const v = d[i + 1] + 3;
        if (v < d[i]) d[i] = v;
      }
      continue;
    }
    // x = w - 1
    const l = r + w - 1;
    let vl = d[l];
    if (vl !== 0) {
      vl = Math.min(vl, d[l + w] + 3);
      if (w > 1) vl = Math.min(vl, d[l + w - 1] + 4);
      d[l] = vl;
    }
    for (let i = r + w - 2; i > r; i--) {
      let v = d[i];
      if (v === 0) continue;
      const a = d[i + 1] + 3;
      const b = d[i + w] + 3;
      const c = d[i + w + 1] + 4;
      const e2 = d[i + w - 1] + 4;
      if (a < v) v = a;
      if (b < v) v = b;
      if (c < v) v = c;
      if (e2 < v) v = e2;
      d[i] = v;
    }
    if (w > 1) {
      let v = d[r];
      if (v !== 0) {
        v = Math.min(v, d[r + 1] + 3, d[r + w] + 3, d[r + w + 1] + 4);
        d[r] = v;
      }
    }
  }
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
  // Distances to the nearest unselected pixel; the ramp is 255·d/(band+1), capped.
  const d = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) d[i] = data[i] === 0 ? 0 : FAR;
  chamfer34(d, width, height);
  for (let i = 0; i < data.length; i++) {
    const m = data[i];
    if (m === 0) continue;
    const dist = Math.fround(d[i] / 3); // as distanceToSeeds gives it
    const ramp = dist >= bandPx + 1 ? 255 : Math.round((255 * dist) / (bandPx + 1));
    out[i] = m < ramp ? m : ramp;
  }
  return { width, height, data: out };
}

/** Everything selected at all becomes 255 (the service regenerates the whole selection). */
export function hardMask(selection: GrayImage): GrayImage {
  const out = new Uint8Array(selection.data.length);
  for (let i = 0; i < out.length; i++) out[i] = selection.data[i] !== 0 ? 255 : 0;
  return { width: selection.width, height: selection.height, data: out };
}

/**
 * The expand result layer's mask: 255 over the new area, 0 over the original's whole rectangle
 * (`original`, in the mask's coordinates; it may extend past the mask). No ramp into the original:
 * expand never changes an original pixel, so any blending is done on the generated pixels themselves.
 */
export function expandMask(width: number, height: number, original: { left: number; top: number; right: number; bottom: number }): GrayImage {
  const data = new Uint8Array(width * height).fill(255);
  const x0 = Math.max(0, original.left);
  const x1 = Math.min(width, original.right);
  for (let y = Math.max(0, original.top); y < Math.min(height, original.bottom); y++) {
    if (x1 > x0) data.fill(0, y * width + x0, y * width + x1);
  }
  return { width, height, data };
}
