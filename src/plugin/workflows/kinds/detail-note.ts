// What a job says about detail: how much its result is enlarged when placed, and any stretch of the
// context the plan could not avoid.

import { describeInterpolation, type Interpolation } from "../../../common/imaging/detail";

/** "generated at 1/2.3 of native size", followed by the plan's note when it has one. */
export function detailNote(i: Interpolation, note?: string): string {
  const phrase = describeInterpolation(i);
  const sentence = phrase.charAt(0).toUpperCase() + phrase.slice(1) + ".";
  return note ? `${sentence} ${note}` : sentence;
}
