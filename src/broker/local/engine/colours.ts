// No colours the source region does not contain.
//
// The vote is a weighted mean of copied colours, but what is added to it is not bounded by them:
// the smooth base (base.ts) moves copied detail to the target's tone, and the seam blend
// (blend.ts) adds a slow offset. On a gradient that is what continues the tone across the hole,
// and the sum lies between colours the surroundings have; on detail that stands out from its
// surroundings (a red fleck copied from the blue end of a sky onto its yellow end) the same shift
// pushes the colour past anything the photo holds. A clamp to the copied colours' own range
// cannot tell the two apart (it breaks the gradient: the base is there to give copied detail a
// tone its sources lack), so the bound is the source region's colours as a whole: a completed
// colour must lie inside their convex hull, approximated by their extent along the channels and
// the channels' pairwise sums and differences (within SLACK levels). A colour outside it is moved
// to within TOLERANCE of the nearest colour the region holds (its palette, in bins of 8 levels),
// and into the region's range on each channel. Colours inside the hull are not touched.

import type { Level } from "./pyramid";

/** Palette bins per channel (8 levels each). */
const BINS = 32;
const BIN = 256 / BINS;
/** How far (levels per channel) a moved pixel may lie from the representative colour of the nearest palette bin. */
const TOLERANCE = 8;
/** Directions in RGB along which the source colours' extent bounds the completion: the channels and their pairwise sums and differences. */
const AXES: [number, number, number][] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [1, -1, 0],
  [0, 1, 1],
  [0, 1, -1],
  [1, 0, 1],
  [1, 0, -1],
];
/** Levels by which a completed colour may pass the source colours' extent along an axis. */
const SLACK = 2;

/**
 * Move every hole pixel of `lv.img` whose colour lies outside the hull of the source region's
 * colours (known pixels not in `lv.excluded`) to within TOLERANCE of the nearest one.
 * Returns the number of pixels moved. Known pixels are not written.
 */
export function keepToSourceColours(lv: Level): number {
  const { w, h, img, hole, excluded } = lv;
  const n = w * h;
  const cells = BINS * BINS * BINS;
  const sum = new Float64Array(cells * 3);
  const count = new Int32Array(cells);
  const bin = (v: number): number => Math.min(BINS - 1, Math.max(0, Math.floor(v / BIN)));
  const cellOf = (i: number): number => (bin(img[i * 3]) * BINS + bin(img[i * 3 + 1])) * BINS + bin(img[i * 3 + 2]);
  for (let i = 0; i < n; i++) {
    if (hole[i] || (excluded && excluded[i])) continue;
    const c = cellOf(i);
    count[c]++;
    sum[c * 3] += img[i * 3];
    sum[c * 3 + 1] += img[i * 3 + 1];
    sum[c * 3 + 2] += img[i * 3 + 2];
  }
  const nearest = nearestOccupied(count);
  if (nearest === null) return 0;
  // The source colours' extent along each axis (an outer approximation of their convex hull).
  const lo = new Float64Array(AXES.length).fill(Infinity),
    hi = new Float64Array(AXES.length).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    if (hole[i] || (excluded && excluded[i])) continue;
    for (let a = 0; a < AXES.length; a++) {
      const [wr, wg, wb] = AXES[a];
      const v = wr * img[i * 3] + wg * img[i * 3 + 1] + wb * img[i * 3 + 2];
      if (v < lo[a]) lo[a] = v;
      if (v > hi[a]) hi[a] = v;
    }
  }
  let moved = 0;
  for (let i = 0; i < n; i++) {
    if (!hole[i]) continue;
    let inside = true;
    for (let a = 0; a < AXES.length && inside; a++) {
      const [wr, wg, wb] = AXES[a];
      const v = wr * img[i * 3] + wg * img[i * 3 + 1] + wb * img[i * 3 + 2];
      if (v < lo[a] - SLACK || v > hi[a] + SLACK) inside = false;
    }
    if (inside) continue;
    const t = nearest[cellOf(i)];
    for (let k = 0; k < 3; k++) {
      const rep = sum[t * 3 + k] / count[t];
      const v = img[i * 3 + k];
      // Near the palette colour, and within the source colours' range on this channel (axis k).
      img[i * 3 + k] = Math.min(rep + TOLERANCE, hi[k], Math.max(rep - TOLERANCE, lo[k], v));
    }
    moved++;
  }
  return moved;
}

/**
 * For every cell, an occupied cell near it (breadth-first over the 26-neighbourhood from all
 * occupied cells at once: the nearest by Chebyshev distance in bins), or null when none is occupied.
 */
function nearestOccupied(count: Int32Array): Int32Array | null {
  const cells = count.length;
  const near = new Int32Array(cells).fill(-1);
  const queue = new Int32Array(cells);
  let head = 0,
    tail = 0;
  for (let c = 0; c < cells; c++)
    if (count[c] > 0) {
      near[c] = c;
      queue[tail++] = c;
    }
  if (tail === 0) return null;
  while (head < tail) {
    const c = queue[head++];
    const b = c % BINS,
      g = ((c - b) / BINS) % BINS,
      r = (c - b - g * BINS) / (BINS * BINS);
    for (let dr = -1; dr <= 1; dr++)
      for (let dg = -1; dg <= 1; dg++)
        for (let db = -1; db <= 1; db++) {
          const rr = r + dr,
            gg = g + dg,
            bb = b + db;
          if (rr < 0 || gg < 0 || bb < 0 || rr >= BINS || gg >= BINS || bb >= BINS) continue;
          const d = (rr * BINS + gg) * BINS + bb;
          if (near[d] >= 0) continue;
          near[d] = near[c];
          queue[tail++] = d;
        }
  }
  return near;
}
