// Choosing the smooth base's scale per image, by cross-validation on known pixels.
//
// The base (base.ts) carries what a membrane can interpolate across the hole; the patches carry
// the rest. How much of the image belongs in the base depends on the image: where broad tonal
// variations run through the hole (a sky, a vignette, a lit wall) a finer base continues them,
// while on stripes or bricks a finer base smears the pattern itself and the patches then copy a
// mixture of pattern and smear. Which works better is measured on the image: a band of known
// pixels around the hole is held out, the enlarged hole is completed with each candidate scale at
// a reduced resolution (the base is about low frequencies, and the trials stay cheap), and the
// completions are compared with the held-out pixels by the completion's own criterion, patch
// similarity in both directions (every completed patch should exist in the truth and every true
// patch in the completion). No base is the third candidate, and the one taken unless a base is
// clearly better; of the two bases the finer is taken only when it is clearly better than the
// default. A small difference is within the trials' noise. Only known pixels are consulted.

import type { CompleteParams } from "./complete";
import { completeLevel0 } from "./complete";
import { Level, distanceToKnown, maxOf, resampleLevelDown } from "./pyramid";

/** Hole thickness (distance to the nearest known pixel, px) at which the trials run. */
const TRIAL_THICKNESS = 16;
/**
 * How much lower the finer base's held-out error must be (as a fraction) for it to be used: about
 * two and a half times the spread of that ratio between trials run with different seeds on
 * the same image.
 */
const MARGIN = 0.08;
/** Half-side of the patches compared at trial resolution. */
const TRIAL_PATCH_RADIUS = 2;

/**
 * Held-out error of a completion with each of `scales` (base scales), in order, or null when the
 * image leaves too little around the hole for a trial.
 */
export function baseScaleTrials(level: Level, params: CompleteParams, scales: number[]): number[] | null {
  const t = maxOf(distanceToKnown(level.hole, level.w, level.h));
  const k = Math.max(1, t / TRIAL_THICKNESS);
  const lv: Level =
    k > 1
      ? resampleLevelDown(level, Math.max(1, Math.floor(level.w / k)), Math.max(1, Math.floor(level.h / k)))
      : { w: level.w, h: level.h, img: level.img.slice(), hole: level.hole.slice(), excluded: level.excluded };
  const { w, h } = lv,
    n = w * h;
  // The band: known pixels within half the (trial) hole's thickness of it.
  const known = new Uint8Array(n);
  for (let i = 0; i < n; i++) known[i] = lv.hole[i] ? 0 : 1;
  const toHole = distanceToKnown(known, w, h);
  const b = Math.max(2, Math.round(maxOf(distanceToKnown(lv.hole, w, h)) / 2));
  const hole = new Uint8Array(n);
  for (let i = 0; i < n; i++) hole[i] = lv.hole[i] || toHole[i] <= b ? 1 : 0;
  // Patches compared: centred in the band, clear of the real hole (whose truth is unknown).
  const r = TRIAL_PATCH_RADIUS;
  const centres: number[] = [];
  for (let y = r; y < h - r; y++)
    for (let x = r; x < w - r; x++) {
      const i = y * w + x;
      if (!hole[i] || lv.hole[i]) continue;
      let clear = true;
      for (let oy = -r; oy <= r && clear; oy++)
        for (let ox = -r; ox <= r; ox++)
          if (lv.hole[i + oy * w + ox]) {
            clear = false;
            break;
          }
      if (clear) centres.push(i);
    }
  if (centres.length < 16) return null;
  const errors: number[] = [];
  for (const scale of scales) {
    const trial: Level = { w, h, img: lv.img.slice(), hole: hole.slice(), excluded: lv.excluded };
    try {
      // Colour alone: the base is about low frequencies, and the trials stay as cheap as they were.
      const trialParams = { ...params, baseScale: scale, seamBlend: false, textureWeight: 0 };
      completeLevel0(trial, { ...trialParams, onProgress: undefined, onIteration: undefined });
    } catch (e) {
      if (e instanceof Error && e.name === "AbortError") throw e;
      return null; // too little left to copy from once the band is held out
    }
    const coherence = nearestPatchError(trial.img, lv.img, centres, w, r);
    const completeness = nearestPatchError(lv.img, trial.img, centres, w, r);
    errors.push(Math.sqrt((coherence + completeness) / 2));
  }
  return errors;
}

/**
 * The base scale to complete `level` with. A base is used only when the held-out trials show it
 * clearly better (error lower by more than `margin`) than completing the image itself: across
 * strong edges and busy scenes a membrane base is a blur the patches cannot hide, and the seam
 * blend (blend.ts) already carries the boundary's tone. Of the two bases, half of
 * `params.baseScale` is taken when it is clearly better than the default.
 */
export function chooseBaseScale(level: Level, params: CompleteParams, margin = MARGIN): number {
  const coarse = params.baseScale,
    fine = params.baseScale / 2;
  if (!(coarse > 0)) return coarse;
  const e = baseScaleTrials(level, params, [coarse, fine, 0]);
  if (e === null) return coarse;
  const k = e[1] < (1 - margin) * e[0] ? 1 : 0;
  return e[k] < (1 - margin) * e[2] ? [coarse, fine][k] : 0;
}

/**
 * Mean over every third centre of a's patch distance (per value, squared) to the nearest patch of
 * b among every other centre: neighbouring patches overlap by all but a column, so the sampling
 * loses little (the choices on the bench textures, seeds 1–7, are the same as with every other centre).
 */
function nearestPatchError(a: Float32Array, b: Float32Array, centres: number[], w: number, r: number): number {
  const rowLen = (2 * r + 1) * 3;
  let total = 0,
    count = 0;
  for (let k = 0; k < centres.length; k += 3) {
    const p = centres[k];
    let best = Infinity;
    for (let m = 1; m < centres.length; m += 2) {
      const q = centres[m];
      let d = 0;
      for (let oy = -r; oy <= r && d < best; oy++) {
        let ia = (p + oy * w - r) * 3,
          ib = (q + oy * w - r) * 3;
        for (let t = 0; t < rowLen; t++, ia++, ib++) {
          const e = a[ia] - b[ib];
          d += e * e;
        }
      }
      if (d < best) best = d;
    }
    total += best;
    count++;
  }
  return total / Math.max(1, count) / (rowLen * (2 * r + 1));
}
