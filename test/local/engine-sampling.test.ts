// Where the engine copies from (the band around the hole, not a distinct object beyond it, and
// never from outside the sampling area when one is given) and what it continues across the hole.

import { fillImage, EngineInputError } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { grass } from "./helpers";

const W = 160,
  H = 120;

/** Grass, with the pixels where `red(x, y)` holds recoloured as a red object of the same grain. */
function scene(red: (x: number, y: number) => boolean): RgbaImage {
  const img = grass(W, H, 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (!red(x, y)) continue;
      const o = (y * W + x) * 4;
      const g = img.data[o + 1];
      img.data[o] = Math.min(255, g + 90);
      img.data[o + 1] = img.data[o + 2] >> 1;
    }
  return img;
}

function gray(f: (x: number, y: number) => boolean): GrayImage {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (f(x, y)) data[y * W + x] = 255;
  return { width: W, height: H, data };
}

/** Hole pixels of `out` that look like the red object (red well above green). */
function redInHole(out: RgbaImage, hole: GrayImage): number {
  let n = 0;
  for (let i = 0; i < W * H; i++) if (hole.data[i] && out.data[i * 4] > out.data[i * 4 + 1] + 40) n++;
  return n;
}

describe("sampling", () => {
  it("fills a region ringed by a distinct object from the band around the hole, not from the object", () => {
    const img = scene((x, y) => Math.hypot(x - 80, y - 60) > 40);
    const hole = gray((x, y) => Math.hypot(x - 80, y - 60) < 18);
    for (const seed of [1, 2]) expect(redInHole(fillImage(img, hole, { seed }), hole)).toBe(0);
  });

  it("copies only from the sampling area when one is given", () => {
    // Left half red, right half grass; the hole straddles the border. The smooth base and the seam
    // blend carry the boundary's tone into the hole whatever is copied, so they are off here: what
    // is left is copied pixels only.
    const img = scene((x) => x < 80);
    const hole = gray((x, y) => Math.hypot(x - 80, y - 60) < 20);
    const copiedOnly = { baseScale: 0, adaptiveBase: false, seamBlend: false };
    expect(redInHole(fillImage(img, hole, { seed: 1, ...copiedOnly }), hole)).toBeGreaterThan(50); // the red half continues
    const right = gray((x) => x >= 80);
    for (const seed of [1, 2]) expect(redInHole(fillImage(img, hole, { seed, samplingMask: right, ...copiedOnly }), hole)).toBe(0);
  });

  it("rejects a sampling mask of the wrong size and one that leaves nothing to copy", () => {
    const img = scene(() => false);
    const hole = gray((x, y) => Math.hypot(x - 80, y - 60) < 20);
    expect(() => fillImage(img, hole, { seed: 1, samplingMask: { width: 10, height: 10, data: new Uint8Array(100) } })).toThrow(EngineInputError);
    expect(() => fillImage(img, hole, { seed: 1, samplingMask: gray(() => false) })).toThrow(/sampling area/);
  });
});

describe("structure", () => {
  it("continues a straight edge that crosses the hole", () => {
    // Dark grass above y = 60, light grass below; the hole sits across the edge.
    const img = grass(W, H, 6);
    for (let y = 60; y < H; y++)
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 4;
        for (let c = 0; c < 3; c++) img.data[o + c] = Math.min(255, img.data[o + c] + 80);
      }
    const hole = gray((x, y) => Math.hypot(x - 80, y - 60) < 22);
    for (const seed of [1, 2]) {
      const out = fillImage(img, hole, { seed });
      // In every hole column, the edge (the row where the 5-px means above and below differ most) stays within 3 px of y = 60.
      let off = 0,
        cols = 0;
      for (let x = 62; x <= 98; x += 2) {
        const luma = (y: number): number => {
          const o = (y * W + x) * 4;
          return out.data[o] + out.data[o + 1] + out.data[o + 2];
        };
        let best = -Infinity,
          at = 0;
        for (let y = 44; y <= 76; y++) {
          let up = 0,
            down = 0;
          for (let k = 1; k <= 5; k++) {
            up += luma(y - k);
            down += luma(y + k - 1);
          }
          if (down - up > best) {
            best = down - up;
            at = y;
          }
        }
        cols++;
        if (Math.abs(at - 60) > 3) off++;
      }
      expect(off).toBe(0);
      expect(cols).toBeGreaterThan(15);
    }
  });
});
