// Codecs in pure JS (UXP, browser and Node): JPEG via ./jpeg (baseline, 4:2:0, region-aware decoding)
// with jpeg-js as the decoder for the JPEG kinds ./jpeg does not handle (progressive, arithmetic,
// 12-bit, CMYK), PNG via ./png (fflate), plus base64 for data URLs. jpeg-js returns a Node Buffer when
// it sees a CommonJS `module` (as in a webpack bundle); where no Buffer exists a minimal stand-in is
// provided for the duration of the call.

import * as jpeg from "jpeg-js";
import { decodeJpegRGBA, encodeJpegRGBA } from "./jpeg";
import { regionIn, type DecodeRegion, type OutputPlacement } from "./crop";
import { decodePng, encodeMaskPng, encodePng, isPng } from "./png";
import type { GrayImage, RGBAImage } from "../host";

type BufferShim = { from(a: ArrayLike<number>): Uint8Array; alloc(n: number): Uint8Array };

function withBuffer<T>(fn: () => T): T {
  const g = globalThis as unknown as { Buffer?: BufferShim };
  if (typeof g.Buffer !== "undefined") return fn();
  g.Buffer = { from: (a) => Uint8Array.from(a), alloc: (n) => new Uint8Array(n) };
  try {
    return fn();
  } finally {
    delete g.Buffer;
  }
}

function plain(bytes: Uint8Array): Uint8Array {
  // A Node Buffer is a Uint8Array subclass; hand out a plain view over the same memory.
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Baseline JPEG, 4:2:0 (alpha ignored: callers matte first when it matters). */
export function encodeJpeg(img: RGBAImage, quality = 90): Uint8Array {
  return encodeJpegRGBA(img.data, img.width, img.height, { quality });
}

/** Single-channel 8-bit grayscale PNG (Firefly masks, stored selections), run-length deflated. */
export function encodeGrayPng(img: GrayImage): Uint8Array {
  return encodeMaskPng(img.width, img.height, img.data);
}

export function encodeRGBAPng(img: RGBAImage): Uint8Array {
  return encodePng(img.width, img.height, img.data, 4);
}

export type ImageFormat = "jpeg" | "png" | "unknown";

export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (isPng(bytes)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return "unknown";
}

/**
 * Decode a downloaded result (JPEG or PNG, any channel layout, 8 or 16 bit) to 8-bit RGBA. With
 * `region`, only the pixels inside it (plus a small margin) are guaranteed: a baseline JPEG skips the
 * inverse DCT and colour conversion elsewhere and leaves those pixels zero. The image keeps its full
 * size either way. EXIF orientation is not applied.
 */
export function decodeImage(bytes: Uint8Array, maxMegapixels = 40, region?: DecodeRegion): RGBAImage {
  const format = sniffFormat(bytes);
  if (format === "jpeg") {
    try {
      const rect = region ? (w: number, h: number) => regionIn(region, w, h) : undefined;
      return decodeJpegRGBA(bytes, rect, maxMegapixels * 1e6);
    } catch {
      // Not handled (UnsupportedJpeg) or malformed in a way jpeg-js may tolerate: let jpeg-js decide.
    }
    const out = withBuffer(() => jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxMegapixels, maxMemoryUsageInMB: 1024 }));
    return { width: out.width, height: out.height, data: plain(out.data) };
  }
  if (format === "png") return decodePng(bytes);
  throw new Error("The downloaded result is neither JPEG nor PNG.");
}

/**
 * Decode a result that may be a crop of the whole output (see ./crop): with a placement, the crop is
 * decoded and put at its place in an otherwise zero image of the whole output's size, so callers see
 * the same frame as for a whole result.
 */
export function decodePlaced(bytes: Uint8Array, placement: OutputPlacement | null | undefined, region?: DecodeRegion, maxMegapixels = 40): RGBAImage {
  if (!placement) return decodeImage(bytes, maxMegapixels, region);
  const crop = decodeImage(bytes, maxMegapixels);
  const { rect, size } = placement;
  if (crop.width !== rect.right - rect.left || crop.height !== rect.bottom - rect.top) {
    throw new Error(`The cropped result is ${crop.width}×${crop.height}, not the ${rect.right - rect.left}×${rect.bottom - rect.top} the broker announced.`);
  }
  if (size.width * size.height > maxMegapixels * 1e6) throw new Error("The result is too large.");
  const data = new Uint8Array(size.width * size.height * 4);
  const rowBytes = crop.width * 4;
  for (let y = 0; y < crop.height; y++) {
    data.set(crop.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((rect.top + y) * size.width + rect.left) * 4);
  }
  return { width: size.width, height: size.height, data };
}

export function decodeGrayPng(bytes: Uint8Array): GrayImage {
  const rgba = decodeImage(bytes);
  const data = new Uint8Array(rgba.width * rgba.height);
  for (let i = 0; i < data.length; i++) data[i] = rgba.data[i * 4];
  return { width: rgba.width, height: rgba.height, data };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64Encode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (i < bytes.length) {
    const v = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64[v >> 18] + B64[(v >> 12) & 63] + (i + 1 < bytes.length ? B64[(v >> 6) & 63] : "=") + "=";
  }
  return out;
}

export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const v =
      (B64.indexOf(clean[i]) << 18) |
      (B64.indexOf(clean[i + 1]) << 12) |
      ((i + 2 < clean.length ? B64.indexOf(clean[i + 2]) : 0) << 6) |
      (i + 3 < clean.length ? B64.indexOf(clean[i + 3]) : 0);
    if (o < out.length) out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/** Matte RGBA onto a colour (transparent documents are sent to the service on white, as Photoshop's applyAlpha does). */
export function matte(img: RGBAImage, rgb: [number, number, number] = [255, 255, 255]): RGBAImage {
  const out = new Uint8Array(img.data.length);
  const d = img.data;
  for (let p = 0; p < d.length; p += 4) {
    const a = d[p + 3];
    if (a === 255) {
      out[p] = d[p];
      out[p + 1] = d[p + 1];
      out[p + 2] = d[p + 2];
    } else {
      out[p] = Math.round((d[p] * a + rgb[0] * (255 - a)) / 255);
      out[p + 1] = Math.round((d[p + 1] * a + rgb[1] * (255 - a)) / 255);
      out[p + 2] = Math.round((d[p + 2] * a + rgb[2] * (255 - a)) / 255);
    }
    out[p + 3] = 255;
  }
  return { width: img.width, height: img.height, data: out };
}
