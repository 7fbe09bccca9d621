// Colour bounds: the completion adds no colour that the source region does not contain.

import { fillImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { holeGeometry, inventedColours } from "../../bench/engine/photos/measures";
import { discMask, seededRandom } from "./helpers";

/** A sky going from dark blue (left) to pale yellow (right), with red flecks on 6 % of the pixels. */
function fleckedSky(w: number, h: number, seed: number): RgbaImage {
  const rnd = seededRandom(seed);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = x / (w - 1);
      const c = rnd() < 0.06 ? [230, 20, 30] : [30 + 200 * s, 40 + 170 * s, 160 - 130 * s];
      const i = (y * w + x) * 4;
      for (let k = 0; k < 3; k++) data[i + k] = Math.max(0, Math.min(255, Math.round(c[k] + (rnd() * 2 - 1) * 4)));
      data[i + 3] = 255;
    }
  return { width: w, height: h, data };
}

/** Hole pixels outside the per-channel range (± 2 levels) of the known pixels' colours. */
function outsideRange(out: RgbaImage, m: GrayImage): number {
  const lo = [255, 255, 255],
    hi = [0, 0, 0];
  for (let i = 0; i < m.data.length; i++)
    if (!m.data[i])
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c], out.data[i * 4 + c]);
        hi[c] = Math.max(hi[c], out.data[i * 4 + c]);
      }
  let n = 0;
  for (let i = 0; i < m.data.length; i++) {
    if (!m.data[i]) continue;
    let outside = false;
    for (let c = 0; c < 3; c++) if (out.data[i * 4 + c] < lo[c] - 2 || out.data[i * 4 + c] > hi[c] + 2) outside = true;
    if (outside) n++;
  }
  return n;
}

describe("colour bounds", () => {
  it("does not tint copied flecks with the smooth base's offset: no colour beyond the surroundings' range, under 1 % far from every colour of the band (unbounded: 2–3 %)", () => {
    const m = discMask(160, 120, 80, 60, 30);
    const g = holeGeometry(m);
    for (const seed of [1, 2, 3]) {
      const img = fleckedSky(160, 120, seed);
      expect(inventedColours(img, g)).toBe(0);
      const out = fillImage(img, m, { seed });
      expect(outsideRange(out, m)).toBe(0);
      expect(inventedColours(out, g)).toBeLessThan(0.01);
    }
  });
});
