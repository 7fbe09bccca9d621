// Pieces of Firefly request bodies that several kinds share.

import type { RequestShared } from "../types";

export const SOURCE_JPEG_QUALITY = 85;
export const REFERENCE_JPEG_QUALITY = 88;

/** `{ [name]: text }` with the text trimmed, or nothing when it is absent or blank. */
export function optionalText<N extends string>(name: N, text: string | undefined): { [K in N]?: string } {
  const t = text?.trim();
  return (t ? { [name]: t } : {}) as { [K in N]?: string };
}

/** How many variations and with which seeds. */
export function variationsOf(req: Pick<RequestShared, "seeds">): { numVariations: number; seeds: number[] } {
  return { numVariations: req.seeds.length, seeds: req.seeds };
}

export function clampInt(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}
