// Structure before texture: an edge that enters the hole continues across it.

import * as path from "path";
import sharp from "sharp";
import { fillImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { PHOTO_CASES, caseMask } from "../../bench/engine/photos/cases";
import { discMask, seededRandom } from "./helpers";

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

/** Two grainy regions (dark green above, sand below) split by the line y = line(x). */
function splitField(w: number, h: number, line: (x: number) => number, seed: number): RgbaImage {
  const rnd = seededRandom(seed);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const e = (rnd() * 2 - 1) * 14;
      const c = y + 0.5 > line(x + 0.5) ? [200, 170, 120] : [60, 90, 70];
      const i = (y * w + x) * 4;
      for (let k = 0; k < 3; k++) data[i + k] = Math.max(0, Math.min(255, Math.round(c[k] + e)));
      data[i + 3] = 255;
    }
  return { width: w, height: h, data };
}

/** Per hole column, where the column's mean of R, G, B steps from the dark level (73) to the light one (163): least squares. */
function boundaryRows(img: RgbaImage, m: GrayImage): { x: number; y: number }[] {
  const { width: w, height: h } = img;
  const found: { x: number; y: number }[] = [];
  for (let x = 0; x < w; x++) {
    const rows: number[] = [];
    for (let y = 0; y < h; y++) if (m.data[y * w + x]) rows.push(y);
    if (rows.length < 10) continue;
    const y0 = rows[0] - 4,
      y1 = rows[rows.length - 1] + 5;
    let best = Infinity,
      at = y0;
    for (let s = y0; s <= y1; s++) {
      let e = 0;
      for (let y = y0; y < y1; y++) {
        const i = (y * w + x) * 4;
        e += ((img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3 - (y < s ? 73 : 163)) ** 2;
      }
      if (e < best) {
        best = e;
        at = s;
      }
    }
    found.push({ x, y: at });
  }
  return found;
}

describe("structure before texture", () => {
  it("continues a straight boundary between two textures across a round hole: every column within 2 px of the line", () => {
    const line = (x: number): number => 40 + 0.35 * x;
    const m = discMask(160, 120, 80, line(80), 22);
    for (const seed of [1, 2, 3]) {
      const out = fillImage(splitField(160, 120, line, seed), m, { seed });
      const cols = boundaryRows(out, m);
      expect(cols.length).toBeGreaterThan(30);
      for (const c of cols) expect(Math.abs(c.y - line(c.x + 0.5))).toBeLessThanOrEqual(2);
    }
  });

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
