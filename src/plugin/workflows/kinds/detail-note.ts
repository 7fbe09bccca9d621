// What a job says about detail: how much its result is enlarged when placed, and any stretch of the
// context the plan could not avoid.

import { describeInterpolation, type Interpolation } from "../../../common/imaging/detail";

/** "generated at 1/2.3 of native size", followed by the plan's note when it has one. */
export function detailNote(i: Interpolation, note?: string): string {
  const phrase = describeInterpolation(i);
  const sentence = phrase.charAt(0).toUpperCase() + phrase.slice(1) + ".";
  return note ? `${sentence} ${note}` : sentence;
}

/**
 * What a job with a detail plan says: the upscale it runs, the enlargement left after it, the plan's
 * note, and why Native detail fell back to Standard (`fallback`).
 */
export function nativeDetailNote(base: Interpolation, factor: number | undefined, note?: string, fallback?: string): string {
  const f = factor ?? 1;
  const said = detailNote({ x: base.x / f, y: base.y / f, max: base.max / f }, note);
  return [factor ? `Native detail: upscaled ×${f}.` : "", said, fallback ?? ""].filter(Boolean).join(" ");
}
