// Quality metrics for completed holes, measured against the untouched original.
//
// Patch error (bidirectional similarity, Simakov et al. 2008): a good completion is made of
// patches that exist in the original hole (coherence), and it contains the original's patches
// (completeness). For 7×7 RGB patches inside the hole we take, for every sampled patch of the
// result, the nearest patch of the original's hole region and vice versa, and report the RMS
// per-channel difference of those best matches, averaged over both directions. A blurred fill
// scores badly (its patches exist nowhere in a textured original) even though it has a low
// per-pixel error; a plausible re-arrangement of the texture scores well.
//
// At full resolution, pixel noise dominates the patch error of a noisy texture (two different
// noise patches never match, while a blur sits close to their mean), so the headline figure is
// the mean over three scales (1, 1/2, 1/4: 2× box downsampling), where the texture's structure
// counts. The full-resolution figure is printed too. `detailRatio` says how much fine detail the
// fill has compared with the original (mean gradient magnitude; 1 = as much, < 1 = blurrier).

import type { RgbaImage } from "../../src/broker/local/engine/types";
import type { Rect } from "../../src/broker/local/engine";

const R = 3;

function nearestRms(a: RgbaImage, b: RgbaImage, hole: Rect, qStride: number, cStride: number): number {
  const w = a.width;
  const x0 = hole.x + R,
    y0 = hole.y + R,
    x1 = hole.x + hole.width - R,
    y1 = hole.y + hole.height - R;
  let total = 0,
    n = 0;
  for (let qy = y0; qy < y1; qy += qStride) {
    for (let qx = x0; qx < x1; qx += qStride) {
      let best = Infinity;
      for (let cy = y0; cy < y1; cy += cStride) {
        for (let cx = x0; cx < x1; cx += cStride) {
          let d = 0;
          for (let oy = -R; oy <= R && d < best; oy++) {
            let ia = ((qy + oy) * w + qx - R) * 4,
              ib = ((cy + oy) * w + cx - R) * 4;
            for (let ox = -R; ox <= R; ox++, ia += 4, ib += 4) {
              const r = a.data[ia] - b.data[ib],
                g = a.data[ia + 1] - b.data[ib + 1],
                bl = a.data[ia + 2] - b.data[ib + 2];
              d += r * r + g * g + bl * bl;
            }
          }
          if (d < best) best = d;
        }
      }
      total += best;
      n++;
    }
  }
  return Math.sqrt(total / n / ((2 * R + 1) * (2 * R + 1) * 3));
}

/** Bidirectional patch error (0..255 scale, lower is better) of `result` against `original` inside `hole`. */
export function patchError(result: RgbaImage, original: RgbaImage, hole: Rect): number {
  const side = Math.max(hole.width, hole.height);
  const qStride = side > 160 ? 8 : 4;
  const cStride = side > 160 ? 3 : 2;
  const coherence = nearestRms(result, original, hole, qStride, cStride);
  const completeness = nearestRms(original, result, hole, qStride, cStride);
  return (coherence + completeness) / 2;
}

/** Plain per-pixel RMS error inside the hole (for reference: it rewards blur). */
export function pixelRmse(result: RgbaImage, original: RgbaImage, hole: Rect): number {
  let s = 0,
    n = 0;
  for (let y = hole.y; y < hole.y + hole.height; y++)
    for (let x = hole.x; x < hole.x + hole.width; x++) {
      const i = (y * result.width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const d = result.data[i + c] - original.data[i + c];
        s += d * d;
        n++;
      }
    }
  return Math.sqrt(s / n);
}

function half(img: RgbaImage): RgbaImage {
  const w = img.width >> 1,
    h = img.height >> 1;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        const a = img.data[(2 * y * img.width + 2 * x) * 4 + c],
          b = img.data[(2 * y * img.width + 2 * x + 1) * 4 + c];
        const d = img.data[((2 * y + 1) * img.width + 2 * x) * 4 + c],
          e = img.data[((2 * y + 1) * img.width + 2 * x + 1) * 4 + c];
        data[(y * w + x) * 4 + c] = (a + b + d + e + 2) >> 2;
      }
    }
  return { width: w, height: h, data };
}

/** Patch error averaged over scales 1, 1/2 and 1/4. */
export function patchErrorMultiScale(result: RgbaImage, original: RgbaImage, hole: Rect): { full: number; multi: number } {
  let a = result,
    b = original,
    r = hole;
  const errs: number[] = [];
  for (let s = 0; s < 3; s++) {
    errs.push(patchError(a, b, r));
    a = half(a);
    b = half(b);
    r = { x: Math.ceil(r.x / 2), y: Math.ceil(r.y / 2), width: Math.floor(r.width / 2), height: Math.floor(r.height / 2) };
  }
  return { full: errs[0], multi: errs.reduce((x, y) => x + y, 0) / errs.length };
}

function meanGradient(img: RgbaImage, r: Rect): number {
  let s = 0,
    n = 0;
  for (let y = r.y; y < r.y + r.height - 1; y++)
    for (let x = r.x; x < r.x + r.width - 1; x++) {
      const i = (y * img.width + x) * 4;
      for (let c = 0; c < 3; c++) {
        s += Math.abs(img.data[i + 4 + c] - img.data[i + c]) + Math.abs(img.data[i + img.width * 4 + c] - img.data[i + c]);
        n++;
      }
    }
  return s / n;
}

/** Fine detail in the hole relative to the original (1 = as much detail, < 1 = blurrier). */
export function detailRatio(result: RgbaImage, original: RgbaImage, hole: Rect): number {
  return meanGradient(result, hole) / meanGradient(original, hole);
}
