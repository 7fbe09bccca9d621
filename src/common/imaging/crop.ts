// Cropped outputs: the part of a result the panel reads, asked of the broker's output link so only
// that part is downloaded and decoded. The panel names a rectangle in the frame it requested
// (`of`, the size it asked the service for); the broker maps it onto the output's actual size with
// `regionIn` (the same mapping the region-aware decoder uses), crops, re-encodes, and says in two
// headers where the crop lies in the whole output. Shared by the panel's broker client, the broker's
// output route and the fill bench's stand-in service.

import type { Rect, Size } from "../host";

/** A rectangle in a frame of size `of`. */
export interface DecodeRegion {
  rect: Rect;
  of: Size;
}

export type OutputCrop = DecodeRegion;

/** Where a cropped answer lies: its rectangle in the whole output, and the whole output's size. */
export interface OutputPlacement {
  rect: Rect;
  size: Size;
}

/** Resampling reads up to a couple of pixels beyond the rectangle it produces. */
export const REGION_MARGIN = 2;

/** Largest frame side accepted in a crop query (Firefly outputs are at most 3999 per side; expand canvases are scaled to fit). */
export const MAX_CROP_FRAME = 16384;

export const CROP_HEADER = "x-infill-crop";
export const OUTPUT_SIZE_HEADER = "x-infill-output-size";

/** `region` (in its frame) mapped onto an image of `width`×`height`, grown by the margin and clamped. */
export function regionIn(region: DecodeRegion, width: number, height: number, margin = REGION_MARGIN): Rect {
  const sx = width / region.of.width;
  const sy = height / region.of.height;
  return {
    left: Math.max(0, Math.floor(region.rect.left * sx) - margin),
    top: Math.max(0, Math.floor(region.rect.top * sy) - margin),
    right: Math.min(width, Math.ceil(region.rect.right * sx) + margin),
    bottom: Math.min(height, Math.ceil(region.rect.bottom * sy) + margin),
  };
}

/** The query parameters that ask for a crop: `crop=left,top,right,bottom&of=width,height`. */
export function cropQuery(crop: OutputCrop): string {
  const r = crop.rect;
  return `crop=${r.left},${r.top},${r.right},${r.bottom}&of=${crop.of.width},${crop.of.height}`;
}

const INT_LIST = /^(0|[1-9]\d{0,5})(,(0|[1-9]\d{0,5}))*$/;

function ints(text: string, n: number): number[] | null {
  if (!INT_LIST.test(text)) return null;
  const v = text.split(",").map(Number);
  return v.length === n ? v : null;
}

/**
 * The crop a query asks for: null when it asks for none, a string saying what is wrong when the
 * parameters are malformed (only `crop` and `of` together, integers, a non-empty rectangle inside the
 * frame, a frame of at most MAX_CROP_FRAME per side).
 */
export function parseCropQuery(query: URLSearchParams): OutputCrop | null | string {
  const c = query.getAll("crop");
  const o = query.getAll("of");
  if (c.length === 0 && o.length === 0) return null;
  if (c.length !== 1 || o.length !== 1) return "give crop and of exactly once each";
  const r = ints(c[0], 4);
  if (!r) return "crop must be left,top,right,bottom (non-negative integers)";
  const s = ints(o[0], 2);
  if (!s) return "of must be width,height (positive integers)";
  const [left, top, right, bottom] = r;
  const [width, height] = s;
  if (width < 1 || height < 1 || width > MAX_CROP_FRAME || height > MAX_CROP_FRAME) return `of must be between 1 and ${MAX_CROP_FRAME} per side`;
  if (right <= left || bottom <= top) return "crop must be a non-empty rectangle";
  if (right > width || bottom > height) return "crop must lie inside of";
  return { rect: { left, top, right, bottom }, of: { width, height } };
}

/** Header values saying where a crop lies. */
export function placementHeaders(p: OutputPlacement): Record<string, string> {
  return {
    [CROP_HEADER]: `${p.rect.left},${p.rect.top},${p.rect.right},${p.rect.bottom}`,
    [OUTPUT_SIZE_HEADER]: `${p.size.width},${p.size.height}`,
  };
}

/** The placement from an answer's headers; null when they are absent or do not make sense. */
export function parsePlacement(get: (name: string) => string | null | undefined): OutputPlacement | null {
  const c = get(CROP_HEADER);
  const s = get(OUTPUT_SIZE_HEADER);
  if (!c || !s) return null;
  const r = ints(c.trim(), 4);
  const z = ints(s.trim(), 2);
  if (!r || !z) return null;
  const [left, top, right, bottom] = r;
  const [width, height] = z;
  if (right <= left || bottom <= top || right > width || bottom > height) return null;
  return { rect: { left, top, right, bottom }, size: { width, height } };
}
