// The default sampling area (no sampling mask given): the band around the hole, without distinct
// objects that do not reach it. A hole in a pale tablecloth beside green sweets is filled with
// tablecloth, not with sweet.

import { fillImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { seededRandom } from "./helpers";

const W = 160,
  H = 120;
const SWEETS = [
  { x: 106, y: 62, r: 8 },
  { x: 80, y: 30, r: 9 },
  { x: 56, y: 92, r: 8 },
];

/** A pale cloth with a fine weave and a soft shadow, and three green sweets close to (not touching) the hole. */
function table(seed: number): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  const rnd = seededRandom(seed);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const grain = rnd() * 6 - 3 + 3 * Math.sin(x * 1.3) * Math.sin(y * 1.1);
      const shade = 236 - 10 * (y / H) + grain;
      const o = (y * W + x) * 4;
      data[o] = data[o + 1] = shade;
      data[o + 2] = shade - 6;
      data[o + 3] = 255;
      for (const s of SWEETS) {
        const d = Math.hypot(x - s.x, y - s.y);
        if (d < s.r) {
          const lit = 1 - (0.4 * d) / s.r;
          data[o] = 30 * lit;
          data[o + 1] = 200 * lit + grain;
          data[o + 2] = 60 * lit;
        }
      }
    }
  return { width: W, height: H, data };
}

function holeMask(): GrayImage {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot((x - 76) / 1.1, y - 60) < 17) data[y * W + x] = 255;
  return { width: W, height: H, data };
}

/** Hole pixels with a green cast (green well above red and blue). */
function greenInHole(out: RgbaImage, hole: GrayImage): number {
  let n = 0;
  for (let i = 0; i < W * H; i++) {
    if (!hole.data[i]) continue;
    const r = out.data[i * 4],
      g = out.data[i * 4 + 1],
      b = out.data[i * 4 + 2];
    if (g > r + 12 && g > b + 12) n++;
  }
  return n;
}

describe("default sampling area", () => {
  it("fills a hole beside distinct objects from what surrounds the hole, never from the objects", () => {
    const hole = holeMask();
    let without = 0;
    for (const seed of [1, 2, 3]) {
      const img = table(seed);
      expect(greenInHole(fillImage(img, hole, { seed }), hole)).toBe(0);
      without += greenInHole(fillImage(img, hole, { seed, defaultSampling: false, structureFirst: false, textureWeight: 0 }), hole);
    }
    // The same fills with every known pixel as a source, synthesised in rings on colour alone, copy a sweet (seed 3: about 190 pixels).
    expect(without).toBeGreaterThan(20);
  });
});
