// Texture features in the patch distance: a hole in a textured area beside a smooth area of the
// same mean colour is completed with the texture, not with the smooth area.

import { fillImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { discMask, seededRandom } from "./helpers";

const W = 160,
  H = 120,
  SPLIT = 84;

/** Left of SPLIT: 4×3 setts of random grey (±40) with dark joints; right: flat grey of the same mean, faint grain. */
function settsBesideFlat(seed: number): { img: RgbaImage; mean: number } {
  const rand = seededRandom(seed);
  const cells = new Float32Array(Math.ceil(W / 4) * Math.ceil(H / 3));
  for (let i = 0; i < cells.length; i++) cells[i] = 120 + (rand() * 2 - 1) * 40;
  const data = new Uint8Array(W * H * 4);
  let sum = 0,
    n = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < SPLIT; x++) {
      const v = x % 4 === 3 || y % 3 === 2 ? 70 : cells[Math.floor(y / 3) * Math.ceil(W / 4) + Math.floor(x / 4)];
      sum += v;
      n++;
      data.set([v, v, v, 255], (y * W + x) * 4);
    }
  const mean = Math.round(sum / n);
  for (let y = 0; y < H; y++)
    for (let x = SPLIT; x < W; x++) {
      const v = mean + Math.round((rand() * 2 - 1) * 2);
      data.set([v, v, v, 255], (y * W + x) * 4);
    }
  return { img: { width: W, height: H, data }, mean };
}

const disc = (cx: number, cy: number, r: number): GrayImage => discMask(W, H, cx, cy, r);

/** Mean |horizontal| + |vertical| neighbour difference of the grey channel over pixels where `where` holds. */
function gradientEnergy(img: RgbaImage, where: (x: number, y: number) => boolean): number {
  let s = 0,
    n = 0;
  for (let y = 0; y < H - 1; y++)
    for (let x = 0; x < W - 1; x++) {
      if (!where(x, y)) continue;
      const i = (y * W + x) * 4;
      s += Math.abs(img.data[i + 4] - img.data[i]) + Math.abs(img.data[i + W * 4] - img.data[i]);
      n++;
    }
  return s / n;
}

describe("local engine: texture beside a smooth area of the same colour", () => {
  const { img } = settsBesideFlat(3);
  const cx = 54,
    cy = 60,
    r = 24;
  const mask = disc(cx, cy, r);
  const inHole = (x: number, y: number): boolean => mask.data[y * W + x] > 0;
  const texturedKnown = (x: number, y: number): boolean => x < SPLIT - 1 && !inHole(x, y) && (x - cx) ** 2 + (y - cy) ** 2 < (2 * r) ** 2;
  const own = gradientEnergy(img, texturedKnown);

  it.each([1, 2])("fills a hole in the setts with setts, not the flat area (seed %i)", (seed) => {
    const out = fillImage(img, mask, { seed });
    const filled = gradientEnergy(out, (x, y) => inHole(x, y) && inHole(x + 1, y) && inHole(x, y + 1));
    // The flat area's energy is about 1.3; the setts' about 40.
    expect(filled).toBeGreaterThan(0.7 * own);
  });
});
