// Plain pixel buffers: creation, cropping and pasting. 8-bit RGBA (straight alpha) and 8-bit gray.

import type { GrayImage, Rect, RGBAImage } from "../host";

/** Samples of any depth that `repeatPixel` fills. */
type Samples = Uint8Array | Uint16Array | Float32Array;

/** Fills `data` with copies of `pixel` (its length a multiple of the pixel's): one pixel, then doubling block copies. */
export function repeatPixel(data: Samples, pixel: readonly number[]): void {
  if (data.length === 0) return;
  data.set(pixel);
  for (let n = pixel.length; n < data.length; n *= 2) data.copyWithin(n, 0, Math.min(n, data.length - n));
}

export function createRGBA(width: number, height: number, fill?: [number, number, number, number]): RGBAImage {
  const data = new Uint8Array(width * height * 4);
  if (fill && (fill[0] | fill[1] | fill[2] | fill[3]) !== 0) repeatPixel(data, fill);
  return { width, height, data };
}

export function createGray(width: number, height: number, value = 0): GrayImage {
  const data = new Uint8Array(width * height);
  if (value !== 0) data.fill(value);
  return { width, height, data };
}

/** Rows of `src` (placed at srcLeft/srcTop, `channels` bytes a pixel) that fall inside `region`, copied into `out`. */
function copyRegion(
  src: { width: number; height: number; data: Uint8Array },
  out: Uint8Array,
  channels: number,
  region: Rect,
  srcLeft: number,
  srcTop: number,
): void {
  const w = region.right - region.left;
  const x0 = Math.max(region.left, srcLeft);
  const x1 = Math.min(region.right, srcLeft + src.width);
  if (x1 <= x0) return;
  for (let y = region.top; y < region.bottom; y++) {
    const sy = y - srcTop;
    if (sy < 0 || sy >= src.height) continue;
    const s = (sy * src.width + (x0 - srcLeft)) * channels;
    const d = ((y - region.top) * w + (x0 - region.left)) * channels;
    out.set(src.data.subarray(s, s + (x1 - x0) * channels), d);
  }
}

/** Copy the part of `src` (placed at srcLeft/srcTop) that falls inside `region`; outside `src` is zero. */
export function cropRGBA(src: RGBAImage, region: Rect, srcLeft = 0, srcTop = 0): RGBAImage {
  const out = createRGBA(region.right - region.left, region.bottom - region.top);
  copyRegion(src, out.data, 4, region, srcLeft, srcTop);
  return out;
}

export function cropGray(src: GrayImage, region: Rect, srcLeft = 0, srcTop = 0): GrayImage {
  const out = createGray(region.right - region.left, region.bottom - region.top);
  copyRegion(src, out.data, 1, region, srcLeft, srcTop);
  return out;
}

/** Paste `src` into `dst` with src's top-left at (left, top) in dst coordinates (clipped). */
export function pasteRGBA(dst: RGBAImage, src: RGBAImage, left: number, top: number): void {
  const x0 = Math.max(0, left);
  const x1 = Math.min(dst.width, left + src.width);
  if (x1 <= x0) return;
  for (let y = Math.max(0, top); y < Math.min(dst.height, top + src.height); y++) {
    const s = ((y - top) * src.width + (x0 - left)) * 4;
    dst.data.set(src.data.subarray(s, s + (x1 - x0) * 4), (y * dst.width + x0) * 4);
  }
}

export function pasteGray(dst: GrayImage, src: GrayImage, left: number, top: number): void {
  const x0 = Math.max(0, left);
  const x1 = Math.min(dst.width, left + src.width);
  if (x1 <= x0) return;
  for (let y = Math.max(0, top); y < Math.min(dst.height, top + src.height); y++) {
    const s = (y - top) * src.width + (x0 - left);
    dst.data.set(src.data.subarray(s, s + (x1 - x0)), y * dst.width + x0);
  }
}

export function cloneRGBA(img: RGBAImage): RGBAImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

export function cloneGray(img: GrayImage): GrayImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Bounding box of the non-zero pixels of a gray image, in its own coordinates (empty rect when none). */
export function nonZeroBounds(img: GrayImage): Rect {
  const { width, height, data } = img;
  // Zero runs (most of a mask) are skipped four pixels at a time through a 32-bit view.
  const words = (data.byteOffset & 3) === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const end = row + width;
    let i = row;
    if (words) {
      while (i < end && (i & 3) !== 0 && data[i] === 0) i++;
      if (i < end && (i & 3) === 0) {
        let w = i >> 2;
        const wEnd = end >> 2;
        while (w < wEnd && words[w] === 0) w++;
        i = w << 2;
      }
    }
    while (i < end && data[i] === 0) i++;
    if (i === end) continue;
    let last = end - 1;
    while (data[last] === 0) last--;
    const first = i - row;
    if (first < left) left = first;
    if (last - row > right) right = last - row;
    if (y < top) top = y;
    bottom = y;
  }
  if (right < 0) return { left: 0, top: 0, right: 0, bottom: 0 };
  return { left, top, right: right + 1, bottom: bottom + 1 };
}
