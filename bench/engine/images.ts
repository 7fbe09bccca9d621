// Small RGBA helpers shared by the engine benches.

import type { Rect } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";

/** The image with the mask's pixels painted magenta, as a person sees the hole. */
export function holed(img: RgbaImage, mask: GrayImage): RgbaImage {
  const data = img.data.slice();
  for (let i = 0; i < mask.data.length; i++)
    if (mask.data[i]) {
      data[i * 4] = 255;
      data[i * 4 + 1] = 0;
      data[i * 4 + 2] = 255;
    }
  return { ...img, data };
}

export function crop(img: RgbaImage, r: Rect): RgbaImage {
  const data = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++)
    data.set(img.data.subarray(((y + r.y) * img.width + r.x) * 4, ((y + r.y) * img.width + r.x + r.width) * 4), y * r.width * 4);
  return { width: r.width, height: r.height, data };
}

export function grow(r: Rect, by: number, w: number, h: number): Rect {
  const x = Math.max(0, r.x - by),
    y = Math.max(0, r.y - by);
  return { x, y, width: Math.min(w, r.x + r.width + by) - x, height: Math.min(h, r.y + r.height + by) - y };
}
