// Server-side decoding and encoding with sharp. Outputs are PNG: lossless, so the pixels outside
// the hole stay exactly the input's, and alpha survives. sharp runs on libuv's thread pool, off the
// event loop.

import sharp from "sharp";
import type { GrayImage, RgbaImage } from "./engine/types";
import { DEFAULT_MAX_PIXELS } from "./limits";

/** An encoded image in memory, or the path of a file holding one. */
export type ImageBytes = Buffer | string;

/**
 * sharp's libvips threads per operation. It defaults to 1 on glibc; we set it explicitly. The
 * engine workers already keep every core busy during a job, so more codec threads would only
 * contend with them: use half the cores (at least one).
 */
export function configureCodecs(cores: number): number {
  const threads = Math.max(1, Math.floor(cores / 2));
  sharp.concurrency(threads);
  // libvips' operation cache would keep decoded inputs after their task: memory is budgeted per task.
  sharp.cache(false);
  return threads;
}

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
}

/** Size and format from the image's header only (nothing is decoded, so any size may be asked). */
export async function probe(bytes: ImageBytes): Promise<ImageInfo> {
  const m = await sharp(bytes, { limitInputPixels: false }).metadata();
  if (!m.width || !m.height || !m.format) throw new Error("not an image");
  return { width: m.width, height: m.height, format: m.format };
}

/** Decode any supported image to 8-bit sRGB RGBA. */
export async function decodeRgba(bytes: ImageBytes, maxPixels = DEFAULT_MAX_PIXELS): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels })
    .toColourspace("srgb")
    .ensureAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`unexpected channel count ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Decode a mask to one 8-bit channel: its luminance (transparent areas count as black). With
 * `invert`, 255 − value, so that white always means "fill" for the engine.
 */
export async function decodeMask(bytes: ImageBytes, invert: boolean, maxPixels = DEFAULT_MAX_PIXELS): Promise<GrayImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels })
    .flatten({ background: "#000000" })
    .greyscale()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const out = new Uint8Array(n);
  const ch = info.channels;
  for (let i = 0; i < n; i++) out[i] = invert ? 255 - data[i * ch] : data[i * ch];
  return { width: info.width, height: info.height, data: out };
}

/** Encode RGBA as PNG (RGB when fully opaque). */
export async function encodePng(img: RgbaImage): Promise<Buffer> {
  let opaque = true;
  for (let i = 3; i < img.data.length; i += 4)
    if (img.data[i] !== 255) {
      opaque = false;
      break;
    }
  let s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
    limitInputPixels: false,
  });
  if (opaque) s = s.removeAlpha();
  return s.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}
