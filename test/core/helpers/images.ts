// Small deterministic test images.

import type { RGBAImage } from "../../../src/common/host";

/** A pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every pixel different: r = x mod 251, g = y mod 241, b = (x*7 + y*13) mod 256. */
export function coordImage(width: number, height: number): RGBAImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data[p] = x % 251;
      data[p + 1] = y % 241;
      data[p + 2] = (x * 7 + y * 13) & 255;
      data[p + 3] = 255;
    }
  return { width, height, data };
}

const photos = new Map<string, RGBAImage>();

/** Real-looking: smooth gradients and blobs plus fine noise texture. Each call answers its own copy of the pixels. */
export function photoLike(width: number, height: number, seed = 1): RGBAImage {
  const key = `${width}x${height}:${seed}`;
  let img = photos.get(key);
  if (!img) photos.set(key, (img = paintPhoto(width, height, seed)));
  return { width, height, data: img.data.slice() };
}

function paintPhoto(width: number, height: number, seed: number): RGBAImage {
  const r = rng(seed);
  const blobs = Array.from({ length: 6 }, () => ({
    x: r() * width,
    y: r() * height,
    s: (0.1 + r() * 0.3) * Math.max(width, height),
    c: [r() * 70 - 20, r() * 70 - 20, r() * 70 - 20],
  }));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        let v = 70 + (c * 25 * x) / width + (35 * y) / height;
        for (const b of blobs) v += b.c[c] * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
        v += (r() - 0.5) * 16 + 6 * Math.sin(x / 3 + c) * Math.cos(y / 4);
        data[p + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
      data[p + 3] = 255;
    }
  return { width, height, data };
}
