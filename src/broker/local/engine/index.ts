// The local engine's entry points on raw pixels: fill (mask white = fill) and expand (the new
// area is the hole). Both complete a crop around the hole at a capped working resolution, upsample
// the filled region, and composite it into an untouched copy of the full-resolution input, so
// pixels outside the hole are exactly the input's.

import { chooseBaseScale } from "./choose";
import { CompleteParams, DEFAULT_PARAMS, completeLevel0 } from "./complete";
import { Level, resampleLevelDown, sampleBilinear } from "./pyramid";
import { applyDefaultSampling } from "./sampling";
import { CompletionOptions, EngineInputError, GrayImage, RgbaImage } from "./types";

export * from "./types";
export { DEFAULT_PARAMS } from "./complete";
export type { CompleteParams } from "./complete";

export const DEFAULT_MAX_WORKING_PIXELS = 1024 * 1024;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tuning knobs beyond CompletionOptions (benches use these; the provider uses the defaults). */
export type EngineOptions = CompletionOptions & Partial<Omit<CompleteParams, "seed" | "shouldAbort" | "onProgress" | "onIteration">>;

/**
 * Fill: `mask` (same size, 0 = keep, >0 = fill, soft values blend) selects the hole.
 * Returns a new image of the same size.
 */
export function fillImage(image: RgbaImage, mask: GrayImage, options: EngineOptions): RgbaImage {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new EngineInputError(`the mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height}; they must be the same size`);
  }
  return completeMasked(image, mask.data, options);
}

export type HAlign = "left" | "center" | "right";
export type VAlign = "top" | "center" | "bottom";

export interface Placement {
  alignment?: { horizontal?: HAlign; vertical?: VAlign };
  inset?: { left?: number; top?: number; right?: number; bottom?: number };
}

/**
 * Where the source goes on the expanded canvas, and at what size. One inset on an axis fixes that
 * edge; insets on both sides define a box the source is fitted into (scaled down if needed) and
 * aligned in; with no inset the alignment (default centre) positions it on the whole canvas.
 * A source larger than the canvas is scaled down to fit.
 */
export function placeSource(srcW: number, srcH: number, canvasW: number, canvasH: number, placement?: Placement): Rect {
  const inset = placement?.inset ?? {};
  const align = placement?.alignment ?? {};
  const boxX0 = inset.left ?? 0;
  const boxX1 = canvasW - (inset.right ?? 0);
  const boxY0 = inset.top ?? 0;
  const boxY1 = canvasH - (inset.bottom ?? 0);
  const boxW = Math.max(1, boxX1 - boxX0);
  const boxH = Math.max(1, boxY1 - boxY0);
  const s = Math.min(1, boxW / srcW, boxH / srcH);
  const width = Math.max(1, Math.round(srcW * s));
  const height = Math.max(1, Math.round(srcH * s));
  const pos = (lo: number, hi: number, size: number, a: string | undefined, loSet: boolean, hiSet: boolean): number => {
    if (loSet && !hiSet) return lo;
    if (hiSet && !loSet) return hi - size;
    if (a === "left" || a === "top") return lo;
    if (a === "right" || a === "bottom") return hi - size;
    return lo + Math.floor((hi - lo - size) / 2);
  };
  const x = pos(boxX0, boxX1, width, align.horizontal, inset.left !== undefined, inset.right !== undefined);
  const y = pos(boxY0, boxY1, height, align.vertical, inset.top !== undefined, inset.bottom !== undefined);
  return { x, y, width, height };
}

export interface ExpandRequest {
  width: number;
  height: number;
  placement?: Placement;
  /** Optional mask of the canvas size: white areas are generated too (placement is then ignored: centred). */
  mask?: GrayImage;
}

/** Expand: place the source on a larger canvas and complete everything the source does not cover. */
export function expandImage(source: RgbaImage, req: ExpandRequest, options: EngineOptions): RgbaImage {
  const W = req.width,
    H = req.height;
  if (!(W >= 1 && H >= 1)) throw new EngineInputError("the expand size must be at least 1×1");
  if (req.mask && (req.mask.width !== W || req.mask.height !== H)) {
    throw new EngineInputError(`the expand mask is ${req.mask.width}×${req.mask.height} but the requested size is ${W}×${H}; they must match`);
  }
  const rect = placeSource(source.width, source.height, W, H, req.mask ? undefined : req.placement);
  const placed = rect.width === source.width && rect.height === source.height ? source : resizeRgba(source, rect.width, rect.height);
  const canvas = new Uint8Array(W * H * 4);
  const holeMask = new Uint8Array(W * H).fill(255);
  for (let y = 0; y < rect.height; y++) {
    const cy = y + rect.y;
    if (cy < 0 || cy >= H) continue;
    for (let x = 0; x < rect.width; x++) {
      const cx = x + rect.x;
      if (cx < 0 || cx >= W) continue;
      const si = (y * rect.width + x) * 4,
        di = (cy * W + cx) * 4;
      canvas[di] = placed.data[si];
      canvas[di + 1] = placed.data[si + 1];
      canvas[di + 2] = placed.data[si + 2];
      canvas[di + 3] = placed.data[si + 3];
      holeMask[cy * W + cx] = req.mask ? req.mask.data[cy * W + cx] : 0;
    }
  }
  return completeMasked({ width: W, height: H, data: canvas }, holeMask, options);
}

/** Bounding box of the nonzero mask pixels, or null when the mask is empty. */
export function maskBounds(mask: Uint8Array, w: number, h: number): Rect | null {
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (mask[row + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The region the completion works on: the hole's bounds plus a margin of known context. */
export function contextCrop(b: Rect, w: number, h: number): Rect {
  const margin = Math.max(32, Math.round(0.75 * Math.max(b.width, b.height)));
  const x0 = Math.max(0, b.x - margin),
    y0 = Math.max(0, b.y - margin);
  const x1 = Math.min(w, b.x + b.width + margin),
    y1 = Math.min(h, b.y + b.height + margin);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function completeMasked(image: RgbaImage, mask: Uint8Array, options: EngineOptions): RgbaImage {
  const { width: w, height: h } = image;
  const sm = options.samplingMask;
  if (sm && (sm.width !== w || sm.height !== h)) {
    throw new EngineInputError(`the sampling mask is ${sm.width}×${sm.height} but the image (or expanded canvas) is ${w}×${h}; they must be the same size`);
  }
  const out = new Uint8Array(image.data); // untouched copy; only hole pixels are written below
  const bounds = maskBounds(mask, w, h);
  if (!bounds) return { width: w, height: h, data: out };
  const crop = contextCrop(bounds, w, h);
  const cw = crop.width,
    ch = crop.height;

  // Crop to float RGB + hole. Every level has all of Level's properties in one order (`excluded`
  // undefined when there is no sampling area), so the engine's loops see objects of one shape.
  const sampling = sm ? sm.data : null;
  let level: Level = {
    w: cw,
    h: ch,
    img: new Float32Array(cw * ch * 3),
    hole: new Uint8Array(cw * ch),
    excluded: sampling ? new Uint8Array(cw * ch) : undefined,
  };
  let known = 0;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const si = (y + crop.y) * w + (x + crop.x);
      const di = y * cw + x;
      if (mask[si] !== 0) {
        level.hole[di] = 1;
        continue;
      }
      if (sampling && level.excluded && sampling[si] === 0) level.excluded[di] = 1;
      known++;
      level.img[di * 3] = image.data[si * 4];
      level.img[di * 3 + 1] = image.data[si * 4 + 1];
      level.img[di * 3 + 2] = image.data[si * 4 + 2];
    }
  }
  if (known === 0) throw new EngineInputError("the mask covers the whole image: there is nothing to fill from");

  const maxPx = options.maxWorkingPixels ?? DEFAULT_MAX_WORKING_PIXELS;
  const scale = cw * ch > maxPx ? Math.sqrt(maxPx / (cw * ch)) : 1;
  if (scale < 1) level = resampleLevelDown(level, Math.max(1, Math.floor(cw * scale)), Math.max(1, Math.floor(ch * scale)));
  const r = ((options.patchSize ?? DEFAULT_PARAMS.patchSize) - 1) >> 1;
  if (level.w < 2 * r + 3 || level.h < 2 * r + 3) throw new EngineInputError("the image is too small to fill from its surroundings");

  const params: CompleteParams = { ...DEFAULT_PARAMS, ...stripUndefined(options), seed: options.seed };
  // The base scale is chosen on the whole crop (its trials hold out a band around the hole); the
  // default sampling area then limits what the completion copies from.
  if (params.adaptiveBase) params.baseScale = chooseBaseScale(level, params);
  if (params.defaultSampling && !sm) applyDefaultSampling(level, r);
  const done = completeLevel0(level, params);

  // Composite: hole pixels take the (upsampled) completion, blended by the mask value.
  const sx = done.w / cw,
    sy = done.h / ch;
  const px = new Float32Array(3);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const si = (y + crop.y) * w + (x + crop.x);
      const m = mask[si];
      if (m === 0) continue;
      if (scale < 1) sampleBilinear(done.img, done.w, done.h, (x + 0.5) * sx, (y + 0.5) * sy, px);
      else {
        const di = (y * cw + x) * 3;
        px[0] = done.img[di];
        px[1] = done.img[di + 1];
        px[2] = done.img[di + 2];
      }
      const a = m / 255;
      const o = si * 4;
      for (let c = 0; c < 3; c++) {
        const v = image.data[o + c] + (px[c] - image.data[o + c]) * a;
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
      out[o + 3] = Math.round(image.data[o + 3] + (255 - image.data[o + 3]) * a);
    }
  }
  return { width: w, height: h, data: out };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) r[k] = o[k];
  return r;
}

/** Area-average resize of an RGBA image (nearest when enlarging); used to fit an expand source that is too big. */
export function resizeRgba(src: RgbaImage, w2: number, h2: number): RgbaImage {
  const { width: w, height: h, data } = src;
  const out = new Uint8Array(w2 * h2 * 4);
  for (let y = 0; y < h2; y++) {
    const y0 = Math.floor((y * h) / h2),
      y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / h2));
    for (let x = 0; x < w2; x++) {
      const x0 = Math.floor((x * w) / w2),
        x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / w2));
      let a = 0,
        b = 0,
        c = 0,
        d = 0,
        n = 0;
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * w + xx) * 4;
          a += data[i];
          b += data[i + 1];
          c += data[i + 2];
          d += data[i + 3];
          n++;
        }
      const o = (y * w2 + x) * 4;
      out[o] = Math.round(a / n);
      out[o + 1] = Math.round(b / n);
      out[o + 2] = Math.round(c / n);
      out[o + 3] = Math.round(d / n);
    }
  }
  return { width: w2, height: h2, data: out };
}
