// Bytes up and down for a detail plan, from bytes per pixel measured in the same run: the project's
// JPEG encoder on a synthetic photograph (sources at the submit quality, results at the broker's crop
// quality), its PNG encoder on a hard rectangular mask, and on the same photograph (the crop an upscale
// sends is a PNG).

import { encodeGrayPng, encodeJpeg, encodeRGBAPng } from "../../src/common/imaging/codecs";
import type { DetailPlan } from "../../src/common/imaging/detail";
import { rectHeight, rectWidth } from "../../src/common/imaging/rect";
import { gradientGrain } from "../../src/common/imaging/synthetic";
import { SOURCE_JPEG_QUALITY } from "../../src/plugin/workflows/submit";

/** JPEG quality of the cropped results the broker sends (see the broker README). */
const RESULT_JPEG_QUALITY = 92;

export interface BytesPerPixel {
  source: number;
  mask: number;
  result: number;
  /** A result crop sent to the upscale (PNG). */
  upscaleInput: number;
}

export function measureBytesPerPixel(side = 1024): BytesPerPixel {
  const img = { width: side, height: side, data: gradientGrain(side, side) };
  const mask = { width: side, height: side, data: new Uint8Array(side * side) };
  for (let y = side / 4; y < (3 * side) / 4; y++) mask.data.fill(255, y * side + side / 4, y * side + (3 * side) / 4);
  const px = side * side;
  return {
    source: encodeJpeg(img, SOURCE_JPEG_QUALITY).length / px,
    mask: encodeGrayPng(mask).length / px,
    result: encodeJpeg(img, RESULT_JPEG_QUALITY).length / px,
    upscaleInput: encodeRGBAPng(img).length / px,
  };
}

export interface Traffic {
  up: number;
  down: number;
}

/**
 * Per fill: the source and mask at the send size go up; per variation the placed crop of the result
 * comes down. Per upscale: that crop goes up again and the upscaled crop comes down.
 */
export function planTraffic(plan: DetailPlan, variations: number, bpp: BytesPerPixel): Traffic {
  let up = 0;
  let down = 0;
  for (const part of plan.parts) {
    const send = part.geometry.sendSize.width * part.geometry.sendSize.height;
    up += send * (bpp.source + bpp.mask);
    const w = part.geometry.window;
    const sx = part.geometry.sendSize.width / rectWidth(w);
    const sy = part.geometry.sendSize.height / rectHeight(w);
    const crop = rectWidth(part.placeRect) * sx * rectHeight(part.placeRect) * sy;
    down += variations * crop * bpp.result;
    if (part.upscale) {
      const c = part.upscale.crop;
      up += variations * rectWidth(c) * rectHeight(c) * bpp.upscaleInput;
      down += variations * part.upscale.outputSize.width * part.upscale.outputSize.height * bpp.result;
    }
  }
  return { up, down };
}
