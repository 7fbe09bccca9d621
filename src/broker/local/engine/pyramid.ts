// Mask-aware image pyramid and the small raster helpers the completion needs.
// Working images are float RGB (3 values per pixel, 0..255); holes are 1 where the pixel is unknown.

export interface Level {
  w: number;
  h: number;
  /** w * h * 3 floats, RGB. */
  img: Float32Array;
  /** w * h, 1 = unknown (to be completed). */
  hole: Uint8Array;
  /** w * h, 1 = a known pixel outside the sampling area: never copied from. Absent = all known pixels may be. */
  excluded?: Uint8Array;
}

/**
 * Halve a level (ceil sizes). A coarse pixel is a hole if any of its children is (excluded likewise);
 * its colour averages the known children.
 */
export function downsampleLevel(src: Level): Level {
  const { w, h } = src;
  const w2 = (w + 1) >> 1;
  const h2 = (h + 1) >> 1;
  const img = new Float32Array(w2 * h2 * 3);
  const hole = new Uint8Array(w2 * h2);
  const excluded = src.excluded ? new Uint8Array(w2 * h2) : undefined;
  for (let y = 0; y < h2; y++) {
    for (let x = 0; x < w2; x++) {
      let r = 0,
        g = 0,
        b = 0,
        n = 0,
        anyHole = 0,
        anyExcluded = 0;
      for (let dy = 0; dy < 2; dy++) {
        const sy = 2 * y + dy;
        if (sy >= h) continue;
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx;
          if (sx >= w) continue;
          const i = sy * w + sx;
          if (src.hole[i]) {
            anyHole = 1;
            continue;
          }
          if (src.excluded && src.excluded[i]) anyExcluded = 1;
          r += src.img[i * 3];
          g += src.img[i * 3 + 1];
          b += src.img[i * 3 + 2];
          n++;
        }
      }
      const o = y * w2 + x;
      hole[o] = anyHole;
      if (excluded) excluded[o] = anyExcluded;
      if (n > 0) {
        img[o * 3] = r / n;
        img[o * 3 + 1] = g / n;
        img[o * 3 + 2] = b / n;
      }
    }
  }
  return { w: w2, h: h2, img, hole, excluded };
}

/**
 * Distance of each hole pixel to the nearest known pixel (two-pass chamfer, 1 / 1.41); 0 for known pixels.
 */
export function distanceToKnown(hole: Uint8Array, w: number, h: number): Float32Array {
  const INF = 1e9;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = hole[i] ? INF : 0;
  const D = 1.41421356;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let v = d[i];
      if (v === 0) continue;
      if (x > 0) v = Math.min(v, d[i - 1] + 1);
      if (y > 0) {
        v = Math.min(v, d[i - w] + 1);
        if (x > 0) v = Math.min(v, d[i - w - 1] + D);
        if (x < w - 1) v = Math.min(v, d[i - w + 1] + D);
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      let v = d[i];
      if (v === 0) continue;
      if (x < w - 1) v = Math.min(v, d[i + 1] + 1);
      if (y < h - 1) {
        v = Math.min(v, d[i + w] + 1);
        if (x < w - 1) v = Math.min(v, d[i + w + 1] + D);
        if (x > 0) v = Math.min(v, d[i + w - 1] + D);
      }
      d[i] = v;
    }
  }
  return d;
}

/** Largest value of an array (used for the hole's "thickness"). */
export function maxOf(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/**
 * Area-average resample of an RGB float image with a known-pixel mask to (w2, h2) (downscaling only).
 * A target pixel is a hole if any source pixel it covers is a hole; its colour averages the known ones.
 */
export function resampleLevelDown(src: Level, w2: number, h2: number): Level {
  const { w, h } = src;
  const img = new Float32Array(w2 * h2 * 3);
  const hole = new Uint8Array(w2 * h2);
  const excluded = src.excluded ? new Uint8Array(w2 * h2) : undefined;
  for (let y = 0; y < h2; y++) {
    const y0 = Math.floor((y * h) / h2);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / h2));
    for (let x = 0; x < w2; x++) {
      const x0 = Math.floor((x * w) / w2);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / w2));
      let r = 0,
        g = 0,
        b = 0,
        n = 0,
        anyHole = 0,
        anyExcluded = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = sy * w + sx;
          if (src.hole[i]) {
            anyHole = 1;
            continue;
          }
          if (src.excluded && src.excluded[i]) anyExcluded = 1;
          r += src.img[i * 3];
          g += src.img[i * 3 + 1];
          b += src.img[i * 3 + 2];
          n++;
        }
      }
      const o = y * w2 + x;
      hole[o] = anyHole;
      if (excluded) excluded[o] = anyExcluded;
      if (n > 0) {
        img[o * 3] = r / n;
        img[o * 3 + 1] = g / n;
        img[o * 3 + 2] = b / n;
      }
    }
  }
  return { w: w2, h: h2, img, hole, excluded };
}

/** Bilinear sample (pixel-centre aligned) of an RGB float image at fractional coordinates, into out[0..2]. */
export function sampleBilinear(img: Float32Array, w: number, h: number, fx: number, fy: number, out: Float32Array): void {
  let x = fx - 0.5,
    y = fy - 0.5;
  if (x < 0) x = 0;
  else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0;
  else if (y > h - 1) y = h - 1;
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const x1 = x0 + 1 < w ? x0 + 1 : x0,
    y1 = y0 + 1 < h ? y0 + 1 : y0;
  const ax = x - x0,
    ay = y - y0;
  const i00 = (y0 * w + x0) * 3,
    i10 = (y0 * w + x1) * 3,
    i01 = (y1 * w + x0) * 3,
    i11 = (y1 * w + x1) * 3;
  for (let c = 0; c < 3; c++) {
    const top = img[i00 + c] + (img[i10 + c] - img[i00 + c]) * ax;
    const bot = img[i01 + c] + (img[i11 + c] - img[i01 + c]) * ax;
    out[c] = top + (bot - top) * ay;
  }
}
