// OpenCV's Telea inpainting (@techstark/opencv-js 4.12, WASM) as the baseline, loaded in Node.

import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";

type Cv = any;
let cvPromise: Promise<{ cv: Cv }> | null = null;

/**
 * The module is an Emscripten "thenable" that resolves to itself, so it must never be returned
 * from an async function or passed to resolve() directly (promise adoption would loop forever):
 * it is always handed around wrapped in an object.
 */
export function loadOpenCv(): Promise<{ cv: Cv }> {
  if (!cvPromise) {
    cvPromise = new Promise((resolve) => {
      const mod = require("@techstark/opencv-js");
      if (mod.Mat) resolve({ cv: mod });
      else if (typeof mod.then === "function") mod.then((cv: Cv) => resolve({ cv }));
      else mod.onRuntimeInitialized = () => resolve({ cv: mod });
    });
  }
  return cvPromise;
}

/** Telea inpainting of the mask's nonzero pixels (radius 3). Alpha is kept from the input. */
export async function telea(image: RgbaImage, mask: GrayImage, radius = 3): Promise<RgbaImage> {
  const { cv } = await loadOpenCv();
  const { width: w, height: h } = image;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    rgb[i * 3] = image.data[i * 4];
    rgb[i * 3 + 1] = image.data[i * 4 + 1];
    rgb[i * 3 + 2] = image.data[i * 4 + 2];
  }
  const src = cv.matFromArray(h, w, cv.CV_8UC3, rgb);
  const m = cv.matFromArray(
    h,
    w,
    cv.CV_8UC1,
    Array.from(mask.data, (v) => (v ? 255 : 0)),
  );
  const dst = new cv.Mat();
  try {
    cv.inpaint(src, m, dst, radius, cv.INPAINT_TELEA);
    const out = new Uint8Array(w * h * 4);
    const d = dst.data as Uint8Array;
    for (let i = 0; i < w * h; i++) {
      out[i * 4] = d[i * 3];
      out[i * 4 + 1] = d[i * 3 + 1];
      out[i * 4 + 2] = d[i * 3 + 2];
      out[i * 4 + 3] = mask.data[i] ? 255 : image.data[i * 4 + 3];
    }
    return { width: w, height: h, data: out };
  } finally {
    src.delete();
    m.delete();
    dst.delete();
  }
}
