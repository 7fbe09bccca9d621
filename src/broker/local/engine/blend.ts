// Seam removal for a completed hole (gradient-domain blending, Pérez et al. 2003, with the
// completion's own gradients as the guidance field inside the hole).
//
// The completed pixels keep their gradients; what changes is a smooth offset: the solution of
// Laplace's equation on the hole whose boundary values, on the known pixels of the hole's outer
// ring, are the step in local mean colour between the known side and the completed side
// (averaged over a square of half-side max(4, a quarter of the hole's thickness)). Adding it makes
// the colour continue across the edge, so the hole's outline does not show, while the texture
// inside is untouched apart from that slow offset. Local means rather than single pixels: where a
// pattern runs along the edge (a mortar line just outside, bricks just inside) single-pixel steps
// are large and belong to the pattern; the means on both sides agree when the completion
// continues the pattern, and differ when its tone is off. A mean step counts as an offset only in
// so far as it stands out from the known side's own spread (on broad stripes the two half-squares
// hold different shares of each stripe, and that difference is no offset). What is left of each
// pixel's step is spread only a few pixels into the hole (screened Poisson, decay length about
// 3.5 px), so the cut line itself disappears without carrying the edge's pattern inwards.

import { type Level, distanceToKnown, maxOf } from "./pyramid";
import { membrane } from "./base";

/** Smallest half-side (px) of the squares whose mean colours are compared. */
const MIN_RADIUS = 4;
/** Values per pixel in the box sums. */
const C = 5;
/** How many times the known side's variance a mean step must exceed to count fully as a tonal offset. */
const SPREAD_WEIGHT = 16;
/** Screening of the per-pixel residual (decay length 1/√κ px) and how deep into the hole it is solved. */
const KAPPA = 0.08;
const RESIDUAL_DEPTH = 14;
const RESIDUAL_SWEEPS = 40;

/** Remove the step at the hole's edge from `lv.img` (hole pixels only; known pixels are not written). */
export function blendSeam(lv: Level): void {
  const { w, h, img, hole } = lv;
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!hole[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  if (x1 < 0) return;
  // The box holds the hole, its outer ring, and the squares around the ring pixels.
  const rad = Math.max(MIN_RADIUS, Math.round(maxOf(distanceToKnown(hole, w, h)) / 4));
  const bx0 = Math.max(0, x0 - 1 - rad),
    by0 = Math.max(0, y0 - 1 - rad);
  const bw = Math.min(w - 1, x1 + 1 + rad) - bx0 + 1,
    bh = Math.min(h - 1, y1 + 1 + rad) - by0 + 1;
  // Per pixel of each side: r, g, b, count, r² + g² + b² (box sums of these give means and spread).
  const known = new Float64Array(bw * bh * C),
    filled = new Float64Array(bw * bh * C);
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const i = (y + by0) * w + (x + bx0),
        o = (y * bw + x) * C;
      const dst = hole[i] ? filled : known;
      const r = img[i * 3],
        g = img[i * 3 + 1],
        b = img[i * 3 + 2];
      dst[o] = r;
      dst[o + 1] = g;
      dst[o + 2] = b;
      dst[o + 3] = 1;
      dst[o + 4] = r * r + g * g + b * b;
    }
  boxSum(known, bw, bh, rad);
  boxSum(filled, bw, bh, rad);
  // Ring pixels (known, with a hole neighbour) carry the step; everything else in the box is solved.
  const step = new Float32Array(bw * bh * 3);
  const residual = new Float32Array(bw * bh * 3);
  const free = new Uint8Array(bw * bh).fill(1);
  let ring = 0;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const gx = x + bx0,
        gy = y + by0,
        i = gy * w + gx;
      if (hole[i]) continue;
      if (!((gx > 0 && hole[i - 1]) || (gx < w - 1 && hole[i + 1]) || (gy > 0 && hole[i - w]) || (gy < h - 1 && hole[i + w]))) continue;
      const o = y * bw + x;
      const nk = known[o * C + 3],
        nf = filled[o * C + 3];
      let r = 0,
        g = 0,
        b = 0,
        n = 0;
      for (const j of [gx > 0 ? i - 1 : -1, gx < w - 1 ? i + 1 : -1, gy > 0 ? i - w : -1, gy < h - 1 ? i + w : -1]) {
        if (j < 0 || !hole[j]) continue;
        r += img[j * 3];
        g += img[j * 3 + 1];
        b += img[j * 3 + 2];
        n++;
      }
      const px = [img[i * 3] - r / n, img[i * 3 + 1] - g / n, img[i * 3 + 2] - b / n];
      // The mean step counts as a tonal offset in proportion s² / (s² + v): against the known side's
      // own spread v (variance, summed over channels) a step within a stripe's or brick's contrast
      // is the pattern's phase, not a wrong tone.
      let s2 = 0;
      const mean = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        mean[c] = known[o * C + c] / nk;
        const d = mean[c] - filled[o * C + c] / nf;
        step[o * 3 + c] = d;
        s2 += d * d;
      }
      const v = Math.max(0, known[o * C + 4] / nk - mean[0] * mean[0] - mean[1] * mean[1] - mean[2] * mean[2]);
      const a = s2 / (s2 + SPREAD_WEIGHT * v + 1e-6);
      for (let c = 0; c < 3; c++) {
        step[o * 3 + c] *= a;
        residual[o * 3 + c] = px[c] - step[o * 3 + c];
      }
      free[o] = 0;
      ring++;
    }
  if (ring === 0) return;
  membrane(step, free, bw, bh);
  spreadResidual(residual, free, lv, bx0, by0, bw, bh);
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const i = (y + by0) * w + (x + bx0);
      if (!hole[i]) continue;
      const o = (y * bw + x) * 3;
      for (let c = 0; c < 3; c++) img[i * 3 + c] += step[o + c] + residual[o + c];
    }
}

/**
 * Spread the ring's per-pixel residual steps into the hole pixels near the edge by Gauss–Seidel
 * sweeps of the screened Poisson equation (Δv = κv; ring values fixed, known pixels off the ring
 * and the box border reflecting), so they fade within a few pixels.
 */
function spreadResidual(v: Float32Array, free: Uint8Array, lv: Level, bx0: number, by0: number, bw: number, bh: number): void {
  const { w, h, hole } = lv;
  const dt = distanceToKnown(hole, w, h);
  const list: number[] = [];
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const i = (y + by0) * w + (x + bx0);
      if (hole[i] && dt[i] <= RESIDUAL_DEPTH) list.push(y * bw + x);
    }
  const inDomain = (o: number): boolean => !free[o] || hole[((o / bw) | 0) * w + by0 * w + (o % bw) + bx0] === 1;
  for (let s = 0; s < RESIDUAL_SWEEPS; s++) {
    for (const o of list) {
      const x = o % bw,
        y = (o - x) / bw;
      let r = 0,
        g = 0,
        b = 0,
        m = 0;
      for (const j of [x > 0 ? o - 1 : -1, x < bw - 1 ? o + 1 : -1, y > 0 ? o - bw : -1, y < bh - 1 ? o + bw : -1]) {
        if (j < 0 || !inDomain(j)) continue;
        r += v[j * 3];
        g += v[j * 3 + 1];
        b += v[j * 3 + 2];
        m++;
      }
      if (m === 0) continue;
      const d = m + KAPPA;
      v[o * 3] = r / d;
      v[o * 3 + 1] = g / d;
      v[o * 3 + 2] = b / d;
    }
  }
}

/** In place: each of the C interleaved channels becomes its sum over the (2·rad+1)² square (clipped). */
function boxSum(a: Float64Array | Float32Array, w: number, h: number, rad: number): void {
  const line = new Float64Array(Math.max(w, h) * C);
  for (let y = 0; y < h; y++) runningSum(a, y * w * C, C, w, rad, line);
  for (let x = 0; x < w; x++) runningSum(a, x * C, w * C, h, rad, line);
}

function runningSum(a: Float64Array | Float32Array, start: number, stride: number, n: number, rad: number, line: Float64Array): void {
  for (let k = 0; k < n; k++) for (let c = 0; c < C; c++) line[k * C + c] = a[start + k * stride + c];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let k = 0; k < Math.min(n, rad); k++) s += line[k * C + c];
    for (let k = 0; k < n; k++) {
      if (k + rad < n) s += line[(k + rad) * C + c];
      if (k - rad - 1 >= 0) s -= line[(k - rad - 1) * C + c];
      a[start + k * stride + c] = s;
    }
  }
}
