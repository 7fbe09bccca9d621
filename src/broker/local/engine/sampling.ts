// The default sampling area: where patches may be copied from when the caller gives none.
//
// Two rules, as an artist choosing Content-Aware Fill's sampling area would apply them:
// - A band around the hole: sources near the hole resemble what it hid more than distant ones.
//   Its width grows with the hole's thickness, and doubles until the band holds enough whole
//   patches to copy from.
// - Not from a distinct object that does not reach the hole: the colours on the hole's rim are
//   what continues into it. A known pixel whose colour (with its neighbours') is far from every
//   colour of the rim belongs to something the hole was not cut into (a sweet beside a hole in a
//   tablecloth, a window beside a hole in a brick wall, the subject beside an expand's strip), and
//   no patch containing it is copied. Only solid runs of such colours count: the soft edge between
//   two rim colours is made of colours the rim may lack, and is what a blurred background is made of. When that leaves too few patches, the rule is dropped.
// A pixel outside the area is marked in `Level.excluded`; the hole itself is never a source.

import { Level, distanceToKnown, maxOf } from "./pyramid";

/** Band width as a multiple of the hole's thickness (its largest distance to a known pixel), and its least width in pixels. */
const BAND_PER_THICKNESS = 1;
const MIN_BAND = 48;
/** Width of the rim whose colours are taken as what continues into the hole: a quarter of the hole's thickness, at least 3 px. */
const RIM = 3;
const RIM_PER_THICKNESS = 0.25;
/** Colour quantisation (levels per bin) of the rim's palette; a colour matches a bin next to its own too. */
const BIN_SHIFT = 4;
/** A bin counts as a rim colour when it holds at least this share of the rim (a few stray pixels do not). */
const MIN_RIM_SHARE = 0.002;
/** Whole source patches wanted per hole pixel (at least MIN_PATCHES). */
const PATCHES_PER_HOLE_PIXEL = 0.5;
const MIN_PATCHES = 256;

/**
 * Mark the default sampling area's outside in `lv.excluded` (creating it), for patches of half-side
 * `r`. Pixels already excluded stay excluded. Only known pixels are read.
 */
export function applyDefaultSampling(lv: Level, r: number): void {
  const { w, h, hole } = lv;
  const n = w * h;
  let holeCount = 0;
  for (let i = 0; i < n; i++) holeCount += hole[i];
  if (holeCount === 0) return;
  const given = lv.excluded;
  const knownMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) knownMask[i] = hole[i] ? 0 : 1;
  const toHole = distanceToKnown(knownMask, w, h); // for known pixels: distance to the nearest hole pixel
  const thickness = maxOf(distanceToKnown(hole, w, h));
  const foreign = foreignPixels(lv, toHole, Math.max(RIM, RIM_PER_THICKNESS * thickness));
  const wanted = Math.max(MIN_PATCHES, Math.round(holeCount * PATCHES_PER_HOLE_PIXEL));
  const excluded = new Uint8Array(n);
  for (const useForeign of [true, false]) {
    for (let band = Math.max(MIN_BAND, BAND_PER_THICKNESS * thickness); ; band *= 2) {
      let outside = false;
      for (let i = 0; i < n; i++) {
        const out = (given !== undefined && given[i] === 1) || (!hole[i] && toHole[i] > band) || (useForeign && foreign[i] === 1);
        excluded[i] = out ? 1 : 0;
        if (!hole[i] && toHole[i] > band) outside = true;
      }
      if (countSources(hole, excluded, w, h, r) >= wanted) {
        lv.excluded = excluded;
        return;
      }
      if (!outside) break; // the band already holds every known pixel
    }
  }
  // Too few patches even with every known pixel: leave the given area (or none) as it was.
}

/**
 * Known pixels whose colour is not among the rim's, in runs at least 5 px wide (so the transition
 * between two rim colours, outlines and grain do not count): 1 = foreign.
 */
function foreignPixels(lv: Level, toHole: Float32Array, rimWidth: number): Uint8Array {
  const { w, h, img, hole } = lv;
  const n = w * h;
  const bins = 1 << (3 * (8 - BIN_SHIFT));
  const side = 1 << (8 - BIN_SHIFT);
  const count = new Float32Array(bins);
  let rim = 0;
  const binOf = (i: number): number => {
    const q = (v: number): number => Math.min(side - 1, Math.max(0, Math.floor(v) >> BIN_SHIFT));
    return (q(img[i * 3]) * side + q(img[i * 3 + 1])) * side + q(img[i * 3 + 2]);
  };
  for (let i = 0; i < n; i++)
    if (!hole[i] && toHole[i] <= rimWidth) {
      count[binOf(i)]++;
      rim++;
    }
  const present = new Uint8Array(bins);
  const min = Math.max(1, MIN_RIM_SHARE * rim);
  for (let b = 0; b < bins; b++) {
    if (count[b] < min) continue;
    const r0 = Math.floor(b / (side * side)),
      g0 = Math.floor(b / side) % side,
      b0 = b % side;
    for (let dr = -1; dr <= 1; dr++)
      for (let dg = -1; dg <= 1; dg++)
        for (let db = -1; db <= 1; db++) {
          const rr = r0 + dr,
            gg = g0 + dg,
            bb = b0 + db;
          if (rr < 0 || gg < 0 || bb < 0 || rr >= side || gg >= side || bb >= side) continue;
          present[(rr * side + gg) * side + bb] = 1;
        }
  }
  const odd = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (!hole[i] && !present[binOf(i)]) odd[i] = 1;
  // An opening (two 3×3 erosions, then two dilations): solid objects stay; thin runs of odd
  // colour (the soft transition between two rim colours, an outline, grain) go.
  return dilate(dilate(erode(erode(odd, w, h), w, h), w, h), w, h);
}

/** Number of patch centres whose (2r+1)² patch holds no hole and no excluded pixel. */
export function countSources(hole: Uint8Array, excluded: Uint8Array | undefined, w: number, h: number, r: number): number {
  const W = w + 1;
  const ii = new Int32Array(W * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      row += hole[i] | (excluded ? excluded[i] : 0);
      ii[(y + 1) * W + x + 1] = ii[y * W + x + 1] + row;
    }
  }
  let c = 0;
  for (let y = r; y < h - r; y++)
    for (let x = r; x < w - r; x++) {
      const x0 = x - r,
        y0 = y - r,
        x1 = x + r + 1,
        y1 = y + r + 1;
      if (ii[y1 * W + x1] - ii[y0 * W + x1] - ii[y1 * W + x0] + ii[y0 * W + x0] === 0) c++;
    }
  return c;
}

/** 3×3 erosion of a 0/1 map (outside the image counts as set). */
function erode(a: Uint8Array, w: number, h: number): Uint8Array {
  const o = new Uint8Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let all = 1;
      for (let dy = -1; dy <= 1 && all; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx,
            yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && !a[yy * w + xx]) {
            all = 0;
            break;
          }
        }
      o[y * w + x] = all;
    }
  return o;
}

/** 3×3 dilation of a 0/1 map. */
function dilate(a: Uint8Array, w: number, h: number): Uint8Array {
  const o = new Uint8Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!a[y * w + x]) continue;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx,
            yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h) o[yy * w + xx] = 1;
        }
    }
  return o;
}
