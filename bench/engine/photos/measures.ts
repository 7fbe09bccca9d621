// Measures of a filled hole in a photograph, each taken on the result and on the original so that
// the photo's own level is the reference:
// - seam: mean RGB difference between neighbouring pixels across the hole's edge, divided by the
//   same difference between neighbouring pixels in the band around the hole;
// - gradient energy: mean gradient magnitude inside the hole over the band's (≈ 1 natural, ≪ 1 blurred);
// - patch distance: RMS distance from sampled 7×7 patches of the band to their nearest patch
//   inside the hole (a hole that holds the surroundings' texture scores low; a blur, which holds
//   none of it, scores high);
// - invented colours: the share of hole pixels whose colour is far from every colour of the band.
// The band is the known pixels within `bandWidth` of the hole (default: twice the hole's
// thickness, at least 16 px).

import type { GrayImage, RgbaImage } from "../../../src/broker/local/engine/types";

export interface HoleGeometry {
  w: number;
  h: number;
  hole: Uint8Array;
  /** City-block distance to the hole for known pixels (0 inside the hole). */
  dist: Int32Array;
  thickness: number;
  band: number;
}

/** City-block distance transform of `inside` (two passes). */
function cityBlock(inside: Uint8Array, w: number, h: number): Int32Array {
  const big = w + h;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = inside[i] ? 0 : big;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x > 0 && d[i - 1] + 1 < d[i]) d[i] = d[i - 1] + 1;
      if (y > 0 && d[i - w] + 1 < d[i]) d[i] = d[i - w] + 1;
    }
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (x < w - 1 && d[i + 1] + 1 < d[i]) d[i] = d[i + 1] + 1;
      if (y < h - 1 && d[i + w] + 1 < d[i]) d[i] = d[i + w] + 1;
    }
  return d;
}

export function holeGeometry(mask: GrayImage, bandWidth?: number): HoleGeometry {
  const { width: w, height: h } = mask;
  const hole = new Uint8Array(w * h);
  const known = new Uint8Array(w * h);
  for (let i = 0; i < hole.length; i++) {
    hole[i] = mask.data[i] ? 1 : 0;
    known[i] = 1 - hole[i];
  }
  const inner = cityBlock(known, w, h);
  let thickness = 0;
  for (let i = 0; i < inner.length; i++) if (hole[i] && inner[i] > thickness) thickness = inner[i];
  return { w, h, hole, dist: cityBlock(hole, w, h), thickness, band: bandWidth ?? Math.max(16, 2 * thickness) };
}

const inBand = (g: HoleGeometry, i: number, lo: number): boolean => !g.hole[i] && g.dist[i] >= lo && g.dist[i] <= g.band;

function diff(img: RgbaImage, a: number, b: number): number {
  const d = img.data;
  return (Math.abs(d[a * 4] - d[b * 4]) + Math.abs(d[a * 4 + 1] - d[b * 4 + 1]) + Math.abs(d[a * 4 + 2] - d[b * 4 + 2])) / 3;
}

/** Seam: mean difference across the hole's edge over the mean neighbour difference in the band. */
export function seam(img: RgbaImage, g: HoleGeometry): number {
  const { w, h, hole } = g;
  let edge = 0,
    ne = 0,
    band = 0,
    nb = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      for (const j of [x + 1 < w ? i + 1 : -1, y + 1 < h ? i + w : -1]) {
        if (j < 0) continue;
        if (hole[i] !== hole[j]) {
          edge += diff(img, i, j);
          ne++;
        } else if (inBand(g, i, 1) && inBand(g, j, 1)) {
          band += diff(img, i, j);
          nb++;
        }
      }
    }
  return ne && nb ? edge / ne / Math.max(1e-6, band / nb) : 0;
}

/** Mean gradient magnitude inside the hole over that of the band. */
export function gradientEnergy(img: RgbaImage, g: HoleGeometry): number {
  const { w, h, hole } = g;
  let gi = 0,
    ni = 0,
    gb = 0,
    nb = 0;
  for (let y = 0; y < h - 1; y++)
    for (let x = 0; x < w - 1; x++) {
      const i = y * w + x;
      const v = diff(img, i, i + 1) + diff(img, i, i + w);
      if (hole[i] && hole[i + 1] && hole[i + w]) {
        gi += v;
        ni++;
      } else if (inBand(g, i, 1) && inBand(g, i + 1, 1) && inBand(g, i + w, 1)) {
        gb += v;
        nb++;
      }
    }
  return ni && nb ? gi / ni / Math.max(1e-6, gb / nb) : 0;
}

const PR = 3;

/** RMS distance (0..255) from sampled 7×7 patches of the band to their nearest patch inside the hole. */
export function patchDistance(img: RgbaImage, g: HoleGeometry, queryStride = 6, candidateStride = 2): number {
  const { w, h, hole } = g;
  const holeIn = (x: number, y: number, want: boolean): boolean => {
    for (let oy = -PR; oy <= PR; oy++) for (let ox = -PR; ox <= PR; ox++) if (!!hole[(y + oy) * w + x + ox] !== want) return false;
    return true;
  };
  const cands: number[] = [],
    queries: number[] = [];
  for (let y = PR; y < h - PR; y += queryStride)
    for (let x = PR; x < w - PR; x += queryStride) {
      if (inBand(g, y * w + x, PR + 1) && holeIn(x, y, false)) queries.push(y * w + x);
    }
  for (let y = PR; y < h - PR; y += candidateStride)
    for (let x = PR; x < w - PR; x += candidateStride) {
      if (hole[y * w + x] && holeIn(x, y, true)) cands.push(y * w + x);
    }
  if (!cands.length || !queries.length) return 0;
  const d = img.data;
  let total = 0;
  for (const q of queries) {
    let best = Infinity;
    for (const c of cands) {
      let s = 0;
      for (let oy = -PR; oy <= PR && s < best; oy++) {
        let a = (q + oy * w - PR) * 4,
          b = (c + oy * w - PR) * 4;
        for (let ox = -PR; ox <= PR; ox++, a += 4, b += 4) {
          const r = d[a] - d[b],
            gg = d[a + 1] - d[b + 1],
            bl = d[a + 2] - d[b + 2];
          s += r * r + gg * gg + bl * bl;
        }
      }
      if (s < best) best = s;
    }
    total += best;
  }
  return Math.sqrt(total / queries.length / ((2 * PR + 1) ** 2 * 3));
}

/**
 * Share of hole pixels whose colour is farther than about `tolerance` (per channel, in 8-level
 * bins) from every colour of the band.
 */
export function inventedColours(img: RgbaImage, g: HoleGeometry, tolerance = 16): number {
  const B = 32,
    bin = 256 / B,
    reach = Math.ceil(tolerance / bin);
  const seen = new Uint8Array(B * B * B);
  const d = img.data;
  const key = (i: number): number => ((d[i * 4] / bin) | 0) * B * B + ((d[i * 4 + 1] / bin) | 0) * B + ((d[i * 4 + 2] / bin) | 0);
  for (let i = 0; i < g.hole.length; i++) if (inBand(g, i, 1)) seen[key(i)] = 1;
  const near = new Uint8Array(seen.length);
  for (let r = 0; r < B; r++)
    for (let gg = 0; gg < B; gg++)
      for (let b = 0; b < B; b++) {
        if (!seen[(r * B + gg) * B + b]) continue;
        for (let dr = -reach; dr <= reach; dr++)
          for (let dg = -reach; dg <= reach; dg++)
            for (let db = -reach; db <= reach; db++) {
              const rr = r + dr,
                g2 = gg + dg,
                bb = b + db;
              if (rr >= 0 && rr < B && g2 >= 0 && g2 < B && bb >= 0 && bb < B) near[(rr * B + g2) * B + bb] = 1;
            }
      }
  let n = 0,
    far = 0;
  for (let i = 0; i < g.hole.length; i++)
    if (g.hole[i]) {
      n++;
      if (!near[key(i)]) far++;
    }
  return n ? far / n : 0;
}

export interface PhotoScores {
  seam: number;
  gradient: number;
  patch: number;
  invented: number;
}

export function scorePhoto(img: RgbaImage, g: HoleGeometry): PhotoScores {
  return { seam: seam(img, g), gradient: gradientEnergy(img, g), patch: patchDistance(img, g), invented: inventedColours(img, g) };
}
