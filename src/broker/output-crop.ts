// Cropping an output for the panel (`GET /v1/outputs/…?crop=l,t,r,b&of=w,h`, see
// src/common/imaging/crop.ts): the panel only reads the part of a fill result under its layer and
// the tone ring, so it asks for that part and downloads and decodes a quarter of the bytes. The crop
// is re-encoded in the output's own format (JPEG at high quality, PNG losslessly); the answer says
// where it lies in the whole output. sharp runs on libuv's thread pool, off the event loop.
// sharp is loaded on the first crop: a broker in Firefly mode that never crops does not pay for
// libvips (about 100 ms at start and 20 MB of memory).

import type { Metadata, Sharp, SharpOptions } from "sharp";
import { regionIn, type OutputCrop, type OutputPlacement } from "../common/imaging/crop";

/** Largest output (in pixels) the broker decodes to crop. */
export const MAX_CROP_INPUT_PIXELS = 50_000_000;
/** Quality of a re-encoded JPEG crop (the panel's own source JPEG is sent at 85). */
export const CROP_JPEG_QUALITY = 92;

export interface CroppedOutput {
  bytes: Buffer;
  contentType: "image/jpeg" | "image/png";
  placement: OutputPlacement;
}

/** Thrown when the output is not an image sharp can crop (the route then sends it whole). */
export class CropError extends Error {}

/**
 * Crops running at once. Each holds one of libuv's threads (4 by default) while libvips decodes and
 * encodes, and file reads and writes (the job journal, uploads) need those threads too: two crops
 * leave the others free, so a flood of crops cannot stall a submit.
 */
export const MAX_CONCURRENT_CROPS = 2;
/** Crops waiting for a turn; past that an output link is answered whole (streamed, no decoding). */
export const MAX_WAITING_CROPS = 16;

/** A turn to crop: at most `max` at once, first come first served, at most `maxWaiting` waiting. */
export class CropTurns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly max = MAX_CONCURRENT_CROPS,
    private readonly maxWaiting = MAX_WAITING_CROPS,
  ) {}

  /** A promise of the turn's release function, or undefined when too many wait already. */
  enter(): Promise<() => void> | undefined {
    if (this.running >= this.max && this.waiting.length >= this.maxWaiting) return undefined;
    return new Promise((resolve) => {
      const start = () => {
        this.running++;
        let done = false;
        resolve(() => {
          if (done) return;
          done = true;
          this.running--;
          this.waiting.shift()?.();
        });
      };
      if (this.running < this.max) start();
      else this.waiting.push(start);
    });
  }

  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

let sharpModule: ((input: Buffer, options: SharpOptions) => Sharp) | undefined;

function sharp(input: Buffer, options: SharpOptions): Sharp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sharpModule ??= require("sharp") as (input: Buffer, options: SharpOptions) => Sharp;
  return sharpModule(input, options);
}

export async function cropOutput(bytes: Uint8Array, crop: OutputCrop): Promise<CroppedOutput> {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_CROP_INPUT_PIXELS }).metadata();
  } catch (e) {
    throw new CropError(`the output is not an image that can be cropped (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!meta.width || !meta.height || (meta.format !== "jpeg" && meta.format !== "png")) {
    throw new CropError(`the output is not a JPEG or PNG (${meta.format ?? "unknown"})`);
  }
  // EXIF orientations other than 1 would move the crop: not cropped (Firefly and the local engine write none).
  if (meta.orientation !== undefined && meta.orientation !== 1) throw new CropError("the output carries an EXIF rotation");
  const size = { width: meta.width, height: meta.height };
  const rect = regionIn(crop, size.width, size.height);
  if (rect.right <= rect.left || rect.bottom <= rect.top) throw new CropError("the crop is empty on this output");
  const img = sharp(input, { limitInputPixels: MAX_CROP_INPUT_PIXELS }).extract({
    left: rect.left,
    top: rect.top,
    width: rect.right - rect.left,
    height: rect.bottom - rect.top,
  });
  try {
    const out =
      meta.format === "jpeg"
        ? await img.jpeg({ quality: CROP_JPEG_QUALITY }).toBuffer()
        : await img.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
    return { bytes: out, contentType: meta.format === "jpeg" ? "image/jpeg" : "image/png", placement: { rect, size } };
  } catch (e) {
    throw new CropError(`the output could not be cropped (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Reads a stream to one buffer, refusing more than `cap` bytes. */
export async function readAll(stream: NodeJS.ReadableStream, cap: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    n += b.length;
    if (n > cap) throw new CropError(`the output is larger than ${cap} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts, n);
}
