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
// continues the pattern, and differ when its tone is off. What is left of each pixel's step after
// that is spread only a few pixels into the hole (screened Poisson, decay length about 2 px), so
// the cut line itself disappears without carrying the edge's pattern inwards.

import { type Level, distanceToKnown, maxOf } from "./pyramid";
import { membrane } from "./base";

/** Smallest half-side (px) of the squares whose mean colours are compared. */
const MIN_RADIUS = 4;
/** Screening of the per-pixel residual (decay length 1/√κ px) and how deep into the hole it is solved. */
const KAPPA = 0.08;
const RESIDUAL_DEPTH = 14;
const RESIDUAL_SWEEPS = 40;

/** Remove the step at the hole's edge from `lv.img` (hole pixels only; known pixels are not written). */
export function blendSeam(lv: Level): void {
  const { w, h, img, hole } = lv;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!hole[y * w + x]) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return;
  // The box holds the hole, its outer ring, and the squares around the ring pixels.
  const rad = Math.max(MIN_RADIUS, Math.round(maxOf(distanceToKnown(hole, w, h)) / 4));
  const bx0 = Math.max(0, x0 - 1 - rad), by0 = Math.max(0, y0 - 1 - rad);
  const bw = Math.min(w - 1, x1 + 1 + rad) - bx0 + 1, bh = Math.min(h - 1, y1 + 1 + rad) - by0 + 1;
  const known = new Float32Array(bw * bh * 4), filled = new Float32Array(bw * bh * 4);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    const i = (y + by0) * w + (x + bx0), o = (y * bw + x) * 4;
    const dst = hole[i] ? filled : known;
    dst[o] = img[i * 3]; dst[o + 1] = img[i * 3 + 1]; dst[o + 2] = img[i * 3 + 2]; dst[o + 3] = 1;
  }
  boxSum(known, bw, bh, rad);
  boxSum(filled, bw, bh, rad);
  // Ring pixels (known, with a hole neighbour) carry the step; everything else in the box is solved.
  const step = new Float32Array(bw * bh * 3);
  const residual = new Float32Array(bw * bh * 3);
  const free = new Uint8Array(bw * bh).fill(1);
  let ring = 0;
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    const gx = x + bx0, gy = y + by0, i = gy * w + gx;
    if (hole[i]) continue;
    if (!((gx > 0 && hole[i - 1]) || (gx < w - 1 && hole[i + 1]) || (gy > 0 && hole[i - w]) || (gy < h - 1 && hole[i + w]))) continue;
    const o = y * bw + x;
    const nk = known[o * 4 + 3], nf = filled[o * 4 + 3];
    let r = 0, g = 0, b = 0, n = 0;
    for (const j of [gx > 0 ? i - 1 : -1, gx < w - 1 ? i + 1 : -1, gy > 0 ? i - w : -1, gy < h - 1 ? i + w : -1]) {
      if (j < 0 || !hole[j]) continue;
      r += img[j * 3]; g += img[j * 3 + 1]; b += img[j * 3 + 2]; n++;
    }
    const px = [img[i * 3] - r / n, img[i * 3 + 1] - g / n, img[i * 3 + 2] - b / n];
    for (let c = 0; c < 3; c++) {
      step[o * 3 + c] = known[o * 4 + c] / nk - filled[o * 4 + c] / nf;
      residual[o * 3 + c] = px[c] - step[o * 3 + c];
    }
    free[o] = 0;
    ring++;
  }
  if (ring === 0) return;
  membrane(step, free, bw, bh);
  spreadResidual(residual, free, lv, bx0, by0, bw, bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
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
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    const i = (y + by0) * w + (x + bx0);
    if (hole[i] && dt[i] <= RESIDUAL_DEPTH) list.push(y * bw + x);
  }
  const inDomain = (o: number): boolean => !free[o] || hole[((o / bw) | 0) * w + by0 * w + (o % bw) + bx0] === 1;
  for (let s = 0; s < RESIDUAL_SWEEPS; s++) {
    for (const o of list) {
      const x = o % bw, y = (o - x) / bw;
      let r = 0, g = 0, b = 0, m = 0;
      for (const j of [x > 0 ? o - 1 : -1, x < bw - 1 ? o + 1 : -1, y > 0 ? o - bw : -1, y < bh - 1 ? o + bw : -1]) {
        if (j < 0 || !inDomain(j)) continue;
        r += v[j * 3]; g += v[j * 3 + 1]; b += v[j * 3 + 2]; m++;
      }
      if (m === 0) continue;
      const d = m + KAPPA;
      v[o * 3] = r / d; v[o * 3 + 1] = g / d; v[o * 3 + 2] = b / d;
    }
  }
}

/** In place: each of the 4 interleaved channels becomes its sum over the (2·rad+1)² square (clipped). */
function boxSum(a: Float32Array, w: number, h: number, rad: number): void {
  const line = new Float32Array(Math.max(w, h) * 4);
  for (let y = 0; y < h; y++) runningSum(a, y * w * 4, 4, w, rad, line);
  for (let x = 0; x < w; x++) runningSum(a, x * 4, w * 4, h, rad, line);
}

function runningSum(a: Float32Array, start: number, stride: number, n: number, rad: number, line: Float32Array): void {
  for (let k = 0; k < n; k++) for (let c = 0; c < 4; c++) line[k * 4 + c] = a[start + k * stride + c];
  for (let c = 0; c < 4; c++) {
    let s = 0;
    for (let k = 0; k < Math.min(n, rad); k++) s += line[k * 4 + c];
    for (let k = 0; k < n; k++) {
      if (k + rad < n) s += line[(k + rad) * 4 + c];
      if (k - rad - 1 >= 0) s -= line[(k - rad - 1) * 4 + c];
      a[start + k * stride + c] = s;
    }
  }
}
