// Small fixtures for the local engine tests.

import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { grass, bricks } from "../../bench/engine/textures";

export { grass, bricks };

/** A mask with a filled rectangle, optionally with a soft (feathered) border of `feather` pixels. */
export function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number, feather = 0): GrayImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const dx = Math.max(x0 - x, x - (x1 - 1), 0),
        dy = Math.max(y0 - y, y - (y1 - 1), 0);
      const d = Math.max(dx, dy);
      if (d === 0) data[y * w + x] = 255;
      else if (d <= feather) data[y * w + x] = Math.round(255 * (1 - d / (feather + 1)));
    }
  return { width: w, height: h, data };
}

/** A mask with a filled disc of radius `r` centred on (cx, cy) (pixel centres inside it). */
export function discMask(w: number, h: number, cx: number, cy: number, r: number): GrayImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) data[y * w + x] = 255;
  return { width: w, height: h, data };
}

/** A seeded source of numbers in [0, 1) (an integer hash step), for fixtures that need grain or noise. */
export function seededRandom(seed: number): () => number {
  let t = seed * 2654435761;
  return () => {
    t = (Math.imul(t ^ (t >>> 15), 2246822519) + 0x9e3779b9) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export function clone(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Indices of pixels where the two images differ, limited to pixels where `where(i)` holds. */
export function countDiffering(a: RgbaImage, b: RgbaImage, where: (pixel: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (!where(i)) continue;
    const o = i * 4;
    if (a.data[o] !== b.data[o] || a.data[o + 1] !== b.data[o + 1] || a.data[o + 2] !== b.data[o + 2] || a.data[o + 3] !== b.data[o + 3]) n++;
  }
  return n;
}

/** Standard deviation of the luminance inside a rectangle. */
export function lumaStd(img: RgbaImage, x0: number, y0: number, x1: number, y1: number): number {
  let s = 0,
    s2 = 0,
    n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const o = (y * img.width + x) * 4;
      const l = 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
      s += l;
      s2 += l * l;
      n++;
    }
  const m = s / n;
  return Math.sqrt(Math.max(0, s2 / n - m * m));
}
