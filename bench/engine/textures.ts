// Procedural "real-looking" test images for the engine bench: value-noise textures, stripes,
// bricks, gradients with noise, a wood-like ring pattern. Deterministic for a seed.

import { createRng } from "../../src/broker/local/engine/prng";
import type { RgbaImage } from "../../src/broker/local/engine/types";

type Fn = (x: number, y: number) => [number, number, number];

function render(w: number, h: number, f: Fn): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      const i = (y * w + x) * 4;
      data[i] = clamp(r);
      data[i + 1] = clamp(g);
      data[i + 2] = clamp(b);
      data[i + 3] = 255;
    }
  return { width: w, height: h, data };
}
const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Smooth value noise with octaves, in [0,1). */
function valueNoise(seed: number, cell: number, octaves = 4): (x: number, y: number) => number {
  const rng = createRng(seed);
  const N = 256;
  const table = new Float32Array(N * N);
  for (let i = 0; i < table.length; i++) table[i] = rng.next();
  const lattice = (ix: number, iy: number): number => table[(iy & (N - 1)) * N + (ix & (N - 1))];
  const smooth = (t: number): number => t * t * (3 - 2 * t);
  const one = (x: number, y: number): number => {
    const ix = Math.floor(x),
      iy = Math.floor(y);
    const fx = smooth(x - ix),
      fy = smooth(y - iy);
    const a = lattice(ix, iy),
      b = lattice(ix + 1, iy),
      c = lattice(ix, iy + 1),
      d = lattice(ix + 1, iy + 1);
    return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
  };
  return (x, y) => {
    let s = 0,
      amp = 0.5,
      f = 1 / cell,
      norm = 0;
    for (let o = 0; o < octaves; o++) {
      s += amp * one(x * f + o * 17.3, y * f + o * 31.7);
      norm += amp;
      amp *= 0.5;
      f *= 2;
    }
    return s / norm;
  };
}

function grain(seed: number): (x: number, y: number) => number {
  // cheap deterministic per-pixel noise in [-1, 1]
  return (x, y) => {
    let t = Math.imul(x * 374761393 + y * 668265263 + seed * 2246822519, 1274126177);
    t ^= t >>> 13;
    t = Math.imul(t, 1103515245);
    return (((t ^ (t >>> 16)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export function grass(w: number, h: number, seed = 1, grainSeed = seed): RgbaImage {
  const n = valueNoise(seed, 24, 5),
    g = grain(grainSeed);
  return render(w, h, (x, y) => {
    const v = n(x, y),
      e = g(x, y) * 18;
    return [60 + 70 * v + e * 0.6, 110 + 90 * v + e, 40 + 40 * v + e * 0.5];
  });
}

export function stripes(w: number, h: number, seed = 2, grainSeed = seed): RgbaImage {
  const g = grain(grainSeed),
    n = valueNoise(seed, 64, 3);
  return render(w, h, (x, y) => {
    const t = (x + y * 0.35 + 12 * n(x, y)) / 22;
    const band = Math.floor(t) % 3;
    const base = band === 0 ? [200, 60, 50] : band === 1 ? [235, 220, 190] : [40, 70, 140];
    const e = g(x, y) * 10;
    return [base[0] + e, base[1] + e, base[2] + e];
  });
}

export function bricks(w: number, h: number, seed = 3, grainSeed = seed): RgbaImage {
  const g = grain(grainSeed),
    n = valueNoise(seed, 8, 3),
    tone = createRng(seed);
  const tones = new Float32Array(4096);
  for (let i = 0; i < tones.length; i++) tones[i] = tone.next();
  const bw = 48,
    bh = 20,
    mortar = 3;
  return render(w, h, (x, y) => {
    const row = Math.floor(y / bh);
    const xo = x + (row % 2) * (bw / 2);
    const col = Math.floor(xo / bw);
    const inMortar = y % bh < mortar || xo % bw < mortar;
    const e = g(x, y) * 12 + (n(x, y) - 0.5) * 30;
    if (inMortar) return [185 + e * 0.5, 180 + e * 0.5, 170 + e * 0.5];
    const t = tones[(row * 131 + col * 7) & 4095];
    return [140 + 50 * t + e, 60 + 25 * t + e, 45 + 15 * t + e];
  });
}

export function gradientNoise(w: number, h: number, seed = 4, grainSeed = seed): RgbaImage {
  const g = grain(grainSeed),
    n = valueNoise(seed, 96, 4);
  return render(w, h, (x, y) => {
    const u = x / w,
      v = y / h,
      e = g(x, y) * 14,
      m = (n(x, y) - 0.5) * 60;
    return [40 + 150 * u + m + e, 90 + 100 * v + m + e, 200 - 120 * u * v + m + e];
  });
}

export function wood(w: number, h: number, seed = 5, grainSeed = seed): RgbaImage {
  const g = grain(grainSeed),
    n = valueNoise(seed, 40, 4);
  return render(w, h, (x, y) => {
    const d = Math.sqrt((x - w * 0.3) ** 2 * 0.05 + (y - h * 1.4) ** 2) / 9 + 6 * n(x, y);
    const ring = 0.5 + 0.5 * Math.sin(d);
    const e = g(x, y) * 8;
    return [120 + 70 * ring + e, 75 + 45 * ring + e, 35 + 25 * ring + e];
  });
}

/**
 * Every texture takes (width, height, seed, grainSeed): `seed` fixes its structure (noise fields,
 * brick tones), `grainSeed` (default: seed) only the per-pixel grain, so the bench can render the
 * same structure with new grain as a reference completion.
 */
export const TEXTURES: Record<string, (w: number, h: number, seed?: number, grainSeed?: number) => RgbaImage> = {
  grass,
  stripes,
  bricks,
  gradientNoise,
  wood,
};
