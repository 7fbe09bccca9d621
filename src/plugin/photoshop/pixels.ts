// Pure buffer maths between Photoshop's imaging buffers and the Host's images. No `photoshop` here.
//
// Photoshop returns composites trimmed to the pixels that exist (documents without a Background layer),
// with 3 (RGB) or 4 (RGBA) components, and — when `targetSize` makes it read a pyramid level — bounds
// expressed at that level. These functions place whatever came back into the rectangle that was asked
// for, so callers never depend on which of those cases happened.

import type { GrayImage, Rect, RGBAImage, Size } from "../../common/host";

export const rectWidth = (r: Rect) => r.right - r.left;
export const rectHeight = (r: Rect) => r.bottom - r.top;
export const isEmptyRect = (r: Rect) => r.right <= r.left || r.bottom <= r.top;

export function intersect(a: Rect, b: Rect): Rect {
  return {
    left: Math.max(a.left, b.left),
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
  };
}

/** Bounds from Photoshop (possibly fractional, possibly past the canvas) → integer rect inside the canvas. */
export function clampToCanvas(r: Rect, canvas: Size): Rect {
  return intersect(
    { left: Math.floor(r.left), top: Math.floor(r.top), right: Math.ceil(r.right), bottom: Math.ceil(r.bottom) },
    { left: 0, top: 0, right: canvas.width, bottom: canvas.height },
  );
}

export function transparentImage(width: number, height: number): RGBAImage {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** A chunky 8-bit buffer with 1–4 components as RGBA (gray → RGB, missing alpha → opaque). */
export function toRGBA(src: Uint8Array, width: number, height: number, components: number): RGBAImage {
  const n = width * height;
  if (src.length < n * components) throw new Error(`pixel buffer too short: ${src.length} < ${n}×${components}`);
  if (components === 4) return { width, height, data: src.length === n * 4 ? src : src.slice(0, n * 4) };
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const s = i * components;
    const d = i * 4;
    if (components >= 3) {
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    } else {
      out[d] = out[d + 1] = out[d + 2] = src[s];
    }
    out[d + 3] = components === 2 ? src[s + 1] : 255;
  }
  return { width, height, data: out };
}

/**
 * Draws `src`, which covers `srcRect` (document pixels, may be fractional), into an output image that
 * covers `window` at `outSize`. Output pixels whose centre falls outside `srcRect` stay transparent.
 * Same scale and integer alignment → exact copy; otherwise bilinear sampling at pixel centres.
 */
export function placeInto(src: RGBAImage, srcRect: Rect, window: Rect, outSize: Size, out?: RGBAImage): RGBAImage {
  const dst = out ?? transparentImage(outSize.width, outSize.height);
  const sx = rectWidth(window) / outSize.width; // document px per output px
  const sy = rectHeight(window) / outSize.height;
  const kx = src.width / rectWidth(srcRect); // source px per document px
  const ky = src.height / rectHeight(srcRect);
  const exact = sx === 1 && sy === 1 && kx === 1 && ky === 1 && Number.isInteger(srcRect.left - window.left) && Number.isInteger(srcRect.top - window.top);
  if (exact) {
    const ox = srcRect.left - window.left;
    const oy = srcRect.top - window.top;
    const x0 = Math.max(0, ox),
      x1 = Math.min(dst.width, ox + src.width);
    const y0 = Math.max(0, oy),
      y1 = Math.min(dst.height, oy + src.height);
    if (x1 <= x0) return dst;
    for (let y = y0; y < y1; y++) {
      const from = ((y - oy) * src.width + (x0 - ox)) * 4;
      dst.data.set(src.data.subarray(from, from + (x1 - x0) * 4), (y * dst.width + x0) * 4);
    }
    return dst;
  }
  for (let y = 0; y < dst.height; y++) {
    const docY = window.top + (y + 0.5) * sy;
    if (docY < srcRect.top || docY >= srcRect.bottom) continue;
    const fy = Math.min(Math.max((docY - srcRect.top) * ky - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy),
      y1 = Math.min(y0 + 1, src.height - 1),
      wy = fy - y0;
    for (let x = 0; x < dst.width; x++) {
      const docX = window.left + (x + 0.5) * sx;
      if (docX < srcRect.left || docX >= srcRect.right) continue;
      const fx = Math.min(Math.max((docX - srcRect.left) * kx - 0.5, 0), src.width - 1);
      const x0 = Math.floor(fx),
        x1 = Math.min(x0 + 1, src.width - 1),
        wx = fx - x0;
      const a = (y0 * src.width + x0) * 4,
        b = (y0 * src.width + x1) * 4;
      const c = (y1 * src.width + x0) * 4,
        d = (y1 * src.width + x1) * 4;
      const o = (y * dst.width + x) * 4;
      for (let k = 0; k < 4; k++) {
        const top = src.data[a + k] * (1 - wx) + src.data[b + k] * wx;
        const bottom = src.data[c + k] * (1 - wx) + src.data[d + k] * wx;
        dst.data[o + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return dst;
}

/** A gray buffer covering `srcRect` placed into a mask covering `into` (zeros elsewhere). Integer rects. */
export function placeGray(src: Uint8Array, srcRect: Rect, components: number, into: Rect): GrayImage {
  const width = rectWidth(into),
    height = rectHeight(into);
  const out = new Uint8Array(width * height);
  const sw = rectWidth(srcRect);
  const r = intersect(srcRect, into);
  for (let y = r.top; y < r.bottom; y++) {
    for (let x = r.left; x < r.right; x++) {
      out[(y - into.top) * width + (x - into.left)] = src[((y - srcRect.top) * sw + (x - srcRect.left)) * components];
    }
  }
  return { width, height, data: out };
}

/** Crops an RGBA image placed at (left, top) to the canvas. Returns null when nothing is on the canvas. */
export function cropToCanvas(img: RGBAImage, left: number, top: number, canvas: Size): { image: RGBAImage; left: number; top: number } | null {
  const r = intersect({ left, top, right: left + img.width, bottom: top + img.height }, { left: 0, top: 0, right: canvas.width, bottom: canvas.height });
  if (isEmptyRect(r)) return null;
  if (r.left === left && r.top === top && rectWidth(r) === img.width && rectHeight(r) === img.height) return { image: img, left, top };
  const w = rectWidth(r),
    h = rectHeight(r);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const from = ((y + r.top - top) * img.width + (r.left - left)) * 4;
    data.set(img.data.subarray(from, from + w * 4), y * w * 4);
  }
  return { image: { width: w, height: h, data }, left: r.left, top: r.top };
}

/** A mask placed at (left, top), cropped to the canvas (never larger than the mask); null when off the canvas. */
export function cropMaskToCanvas(mask: GrayImage, left: number, top: number, canvas: Size): { image: GrayImage; left: number; top: number } | null {
  const from: Rect = { left, top, right: left + mask.width, bottom: top + mask.height };
  const r = intersect(from, { left: 0, top: 0, right: canvas.width, bottom: canvas.height });
  if (isEmptyRect(r)) return null;
  if (rectWidth(r) === mask.width && rectHeight(r) === mask.height) return { image: mask, left, top };
  return { image: placeGray(mask.data, from, 1, r), left: r.left, top: r.top };
}

/** 8-bit values → Photoshop's 16-bit range (0..32768), for writing into 16-bit documents. */
export function to16Bit(src: Uint8Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.round((src[i] * 32768) / 255);
  return out;
}

/** 8-bit sRGB code value → linear light, for 32-bit documents (which hold linear floats). */
const SRGB_TO_LINEAR = Float32Array.from({ length: 256 }, (_, v) => {
  const u = v / 255;
  return u <= 0.04045 ? u / 12.92 : Math.pow((u + 0.055) / 1.055, 2.4);
});

/**
 * 8-bit values → 32-bit floats: colour channels of chunky RGBA (`channels` 4) become linear light
 * (written with the sRGB profile name, which Photoshop pairs with linear data in 32-bit documents);
 * alpha and single-channel masks (`channels` 1) are coverage, 0..1 without a curve.
 */
export function to32Bit(src: Uint8Array, channels: 1 | 4): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = channels === 4 && (i & 3) !== 3 ? SRGB_TO_LINEAR[src[i]] : src[i] / 255;
  return out;
}

/** 8-bit samples in the layout Photoshop expects for a document of `depth` bits per channel. */
export function samplesForDepth(src: Uint8Array, depth: 8 | 16 | 32, channels: 1 | 4): Uint8Array | Uint16Array | Float32Array {
  return depth === 16 ? to16Bit(src) : depth === 32 ? to32Bit(src, channels) : src;
}

/** The smallest rect (relative to the buffer) holding every non-zero first component; null when all are zero. */
export function nonZeroBounds(src: Uint8Array, width: number, height: number, components: number): Rect | null {
  let left = width,
    top = -1,
    right = 0,
    bottom = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width * components;
    let first = -1,
      last = -1;
    for (let x = 0; x < width; x++) {
      if (src[row + x * components] === 0) continue;
      if (first < 0) first = x;
      last = x;
    }
    if (first < 0) continue;
    if (top < 0) top = y;
    bottom = y + 1;
    left = Math.min(left, first);
    right = Math.max(right, last + 1);
  }
  return top < 0 ? null : { left, top, right, bottom };
}

/** The smallest rect holding both (either may be null). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a || !b) return a ?? b;
  return { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) };
}

export function isAllZero(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}
