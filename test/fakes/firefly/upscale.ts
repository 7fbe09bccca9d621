// The fake's upscale: the input's content at the new size (resampled), with a fine pattern laid over
// it — a one-pixel checkerboard of ±UPSCALE_PATTERN_AMPLITUDE levels — so a test can tell an upscaled
// output placed at 1:1 (pattern intact) from one resampled again (pattern blurred away).

import { encodeRGBAPng } from "../../../src/common/imaging/codecs";
import type { RGBAImage } from "../../../src/common/host";
import { resampleRGBA } from "../../../src/common/imaging/resample";

export const UPSCALE_PATTERN_AMPLITUDE = 12;

/** The checkerboard's sign at (x, y): +1 on even x + y, −1 on odd. */
export function upscalePatternSign(x: number, y: number): 1 | -1 {
  return (x + y) % 2 === 0 ? 1 : -1;
}

export function fakeUpscaleImage(input: RGBAImage, factor: number): RGBAImage {
  const out = resampleRGBA(input, input.width * factor, input.height * factor);
  for (let y = 0, p = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++, p += 4) {
      const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x, y);
      for (let c = 0; c < 3; c++) out.data[p + c] = Math.max(0, Math.min(255, out.data[p + c] + d));
    }
  return out;
}

/** A decoded input → PNG bytes of the upscaled image. */
export function fakeUpscale(input: RGBAImage, factor: number): Buffer {
  return Buffer.from(encodeRGBAPng(fakeUpscaleImage(input, factor)));
}
