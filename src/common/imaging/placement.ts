// Generate and Generate Similar: the Firefly size preset closest to the target's aspect, and the result
// placed to cover the target (selection bounds or canvas) with its aspect preserved.

import type { Rect, Size } from "../host";

/** The preset whose aspect is closest to `target` (ties: the larger preset, for more detail). */
export function closestPreset(target: Size, presets: readonly Size[]): Size {
  if (presets.length === 0) throw new Error("no Firefly sizes to choose from");
  const want = Math.log(target.width / target.height);
  let best = presets[0];
  let bestCost = Infinity;
  for (const p of presets) {
    const cost = Math.abs(Math.log(p.width / p.height) - want);
    if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) <= 1e-9 && p.width * p.height > best.width * best.height)) {
      best = p;
      bestCost = cost;
    }
  }
  return { ...best };
}

export interface CoverPlacement {
  /** The result's size once scaled to cover the target (aspect preserved). */
  scaledSize: Size;
  /** Where the scaled result's top-left lands, in document pixels (may be left/above the target). */
  left: number;
  top: number;
  /** The part kept: the target itself. */
  target: Rect;
}

export function coverPlacement(result: Size, target: Rect): CoverPlacement {
  const tw = target.right - target.left;
  const th = target.bottom - target.top;
  const scale = Math.max(tw / result.width, th / result.height);
  const sw = Math.max(tw, Math.round(result.width * scale));
  const sh = Math.max(th, Math.round(result.height * scale));
  return {
    scaledSize: { width: sw, height: sh },
    left: target.left - Math.floor((sw - tw) / 2),
    top: target.top - Math.floor((sh - th) / 2),
    target: { ...target },
  };
}
