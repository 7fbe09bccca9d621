// The engine on photograph-like input, judged by the photo bench's measures: pixels outside the
// hole untouched, no visible seam at the hole's edge, no colours the surroundings do not contain.

import * as path from "path";
import sharp from "sharp";
import { fillImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { holeGeometry, inventedColours, seam } from "../../bench/engine/photos/measures";
import { caseMask } from "../../bench/engine/photos/cases";
import { countDiffering, seededRandom } from "./helpers";

function blob(w: number, h: number, cx: number, cy: number, rx: number, ry: number): GrayImage {
  return caseMask(w, h, { name: "t", image: "", note: "", hole: { kind: "fill", cx, cy, rx, ry } });
}

/** A sunset glow: a bright sun-coloured centre fading into a purple sky, with fine grain. */
function glowPhoto(w: number, h: number, seed: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  const rnd = seededRandom(seed);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const e = (rnd() * 2 - 1) * 2;
      const d = Math.hypot(x - 0.45 * w, y - 0.55 * h) / w;
      const s = Math.exp(-d * d * 12);
      const i = (y * w + x) * 4;
      data[i] = Math.round(120 + 130 * s + e);
      data[i + 1] = Math.round(60 + 150 * s * s + e);
      data[i + 2] = Math.round(110 - 60 * s + e);
      data[i + 3] = 255;
    }
  return { width: w, height: h, data };
}

async function photo(file: string, width: number): Promise<RgbaImage> {
  const { data, info } = await sharp(path.join(__dirname, "../../bench/engine/photos/images", file))
    .resize(width)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe("fill on photographs", () => {
  it("leaves no visible seam in a smooth glow: the edge difference stays at the photo's own level (without the blend: 4–7×)", () => {
    for (const seed of [1, 2]) {
      const img = glowPhoto(160, 120, seed);
      const m = blob(160, 120, 0.5, 0.5, 0.18, 0.22);
      const g = holeGeometry(m);
      const out = fillImage(img, m, { seed });
      expect(seam(out, g) / seam(img, g)).toBeLessThanOrEqual(1.3);
    }
  });

  it("keeps every pixel outside the hole, adds no colour the surroundings lack, and shows no seam (photo of a sky)", async () => {
    const img = await photo("home.jpg", 200);
    const m = blob(img.width, img.height, 0.22, 0.3, 0.09, 0.12);
    const g = holeGeometry(m);
    const out = fillImage(img, m, { seed: 3 });
    expect(countDiffering(out, img, (i) => m.data[i] === 0)).toBe(0);
    expect(countDiffering(out, img, (i) => m.data[i] !== 0)).toBeGreaterThan(0);
    expect(inventedColours(out, g)).toBe(0);
    expect(seam(out, g) / seam(img, g)).toBeLessThanOrEqual(1.3);
  });
});
