// Structure before texture: an edge that enters the hole continues across it.

import * as path from "path";
import sharp from "sharp";
import { fillImage } from "../../src/broker/local/engine";
import type { RgbaImage } from "../../src/broker/local/engine/types";
import { PHOTO_CASES, caseMask } from "../../bench/engine/photos/cases";

async function photo(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path.join(__dirname, "../../bench/engine/photos/images", file))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/**
 * Where the step between the bright-red side (left) and the green side (right) of a row lies:
 * the split of x0..x1 that best fits two levels of R − G (least squares).
 */
function rimX(img: RgbaImage, y: number, x0: number, x1: number): number {
  const v: number[] = [];
  for (let x = x0; x < x1; x++) {
    const i = (y * img.width + x) * 4;
    v.push(img.data[i] - img.data[i + 1]);
  }
  const left = Math.max(...v.slice(0, 3)),
    right = Math.min(...v.slice(-3));
  let best = Infinity,
    at = x0;
  for (let s = 0; s <= v.length; s++) {
    let e = 0;
    for (let k = 0; k < v.length; k++) e += (v[k] - (k < s ? left : right)) ** 2;
    if (e < best) {
      best = e;
      at = x0 + s;
    }
  }
  return at;
}

describe("structure before texture", () => {
  it("continues the apple's rim across a hole cut over it: nine rows in ten within 5 px of the original rim (ring order: 7–9 px)", async () => {
    const img = await photo("apple.jpg");
    const c = PHOTO_CASES.find((k) => k.name === "apple-edge");
    if (!c) throw new Error("the apple-edge case is missing");
    const m = caseMask(img.width, img.height, c);
    for (const seed of [1, 2, 3]) {
      const out = fillImage(img, m, { seed });
      const errors: number[] = [];
      for (let y = 0; y < img.height; y++) {
        let x0 = -1,
          x1 = -1;
        for (let x = 0; x < img.width; x++)
          if (m.data[y * img.width + x]) {
            if (x0 < 0) x0 = x;
            x1 = x;
          }
        if (x1 - x0 < 3) continue;
        const a = Math.max(0, x0 - 6),
          b = Math.min(img.width, x1 + 7);
        errors.push(Math.abs(rimX(out, y, a, b) - rimX(img, y, a, b)));
      }
      errors.sort((p, q) => p - q);
      expect(errors[Math.floor(errors.length * 0.9)]).toBeLessThanOrEqual(5);
    }
  });
});
