// What a job says about detail: how much its result is enlarged when placed, and any stretch of the
// context the plan could not avoid.

import { describeInterpolation, describeRequests, fillInterpolation, type Interpolation } from "../../../common/imaging/detail";
import { tileUpscales, type FillTile } from "../tiles-plan";

/** "generated at 1/2.3 of native size", followed by the plan's note when it has one. */
export function detailNote(i: Interpolation, note?: string): string {
  const phrase = describeInterpolation(i);
  const sentence = phrase.charAt(0).toUpperCase() + phrase.slice(1) + ".";
  return note ? `${sentence} ${note}` : sentence;
}

/** Placing scales closer to 1 than this counts as 1:1 (whole-pixel rounding of the upscaled frame). */
const ONE_TO_ONE = 0.01;

function percent(n: number): string {
  return `${Math.round(n * 100)}%`;
}

/** How the upscaled result is placed when it is not 1:1: "scaled to 55% when placed, not 1:1". */
function placingScale(after: Interpolation): string {
  if (Math.abs(after.x - 1) <= ONE_TO_ONE && Math.abs(after.y - 1) <= ONE_TO_ONE) return "";
  const scale = Math.abs(after.x - after.y) <= ONE_TO_ONE ? percent(after.max) : `${percent(after.x)} × ${percent(after.y)}`;
  return `The upscaled result is scaled to ${scale} when placed, not 1:1.`;
}

/**
 * What a job with a detail plan says: the upscale it runs, the enlargement left after it, how far the
 * upscaled result is from 1:1 when placed, the plan's note, and why Native detail fell back to Standard
 * (`fallback`).
 */
export function nativeDetailNote(base: Interpolation, factor: number | undefined, note?: string, fallback?: string): string {
  const f = factor ?? 1;
  const after = { x: base.x / f, y: base.y / f, max: base.max / f };
  const said = detailNote(after, note);
  return [factor ? `Native detail: upscaled ×${f}.` : "", said, factor ? placingScale(after) : "", fallback ?? ""].filter(Boolean).join(" ");
}

/** What a tiled fill or expansion says: its requests, the worst enlargement left in any tile and any stretch of a tile's context. */
export function tiledDetailNote(tiles: readonly FillTile[]): string {
  const upscales = tileUpscales(tiles);
  const worst = Math.max(...tiles.map((t) => fillInterpolation(t.geometry).max / (t.upscale?.factor ?? 1)));
  // A tile whose context had to be stretched says so (the first such note stands for all).
  const stretched = tiles.find((t) => t.geometry.note)?.geometry.note;
  return `${describeRequests({ mode: "native", fills: tiles.length, upscales })}. ${detailNote({ x: worst, y: worst, max: worst }, stretched)}`;
}
