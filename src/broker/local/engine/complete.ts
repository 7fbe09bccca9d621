// Exemplar-based image completion: multi-scale PatchMatch (Barnes et al. 2009) inside the
// coarse-to-fine EM of Wexler et al. (2007).
//
// At every level a target→source nearest-neighbour field (NNF) maps each patch that touches the
// hole to a patch made only of known pixels. Each EM iteration improves the NNF (propagation +
// random search) and then re-estimates every hole pixel from the patches covering it with a
// mean-shift (mode-seeking) vote: a plain weighted average blurs the hole flat. The coarsest hole
// is initialised by onion-peel synthesis; every finer level starts by voting with the upsampled
// NNF over the finer source, never by interpolating the coarse pixels.
// Everything lives in typed arrays allocated once per level; the inner loops allocate nothing.

import { AbortError, EngineInputError } from "./types";
import { createRng, Rng } from "./prng";
import { Level, distanceToKnown, downsampleLevel, maxOf } from "./pyramid";
import { robustBase } from "./base";
import { blendSeam } from "./blend";
import { countSources } from "./sampling";
import { FrontQueue } from "./priority";
import { keepToSourceColours } from "./colours";
import { downsampleTexture, textureFeature } from "./texture";

export interface CompleteParams {
  seed: number;
  /** Patch side (odd) at the coarser levels, default 7. */
  patchSize: number;
  /** Patch side (odd) at the finest level, where most of the cost is; default 5. */
  finestPatchSize: number;
  /** Random-search radius (pixels) below the coarsest level, where the NNF only needs refining; 0 = whole image. */
  fineSearchRadius: number;
  /** EM iterations at the coarsest level / at intermediate levels (upper bound) / at the finest level. */
  emCoarsest: number;
  emMiddle: number;
  emFinest: number;
  /** PatchMatch scans per EM iteration (alternating scan direction). */
  scansPerEm: number;
  /** Stop a level's EM early when the mean absolute change of the hole (0..255 per channel) falls below this. */
  earlyExitDelta: number;
  /** Boundary confidence base γ in γ^(−distance to known pixels) (Wexler). */
  gamma: number;
  /** Mean-shift window (Euclidean RGB distance) and iterations. */
  meanShiftRadius: number;
  meanShiftIters: number;
  /**
   * Weight of the texture feature (texture.ts) in the patch distance, per colour channel's worth of
   * patch: a patch's centre feature difference d adds `textureWeight · d² · (patch pixels · 3)`. 0 = off.
   */
  textureWeight: number;
  /**
   * Smooth base layer: its standard deviation as a fraction of the hole's thickness (largest distance
   * to a known pixel); 0 = off. The detail layer (image − base) is completed, and the base,
   * interpolated across the hole as a membrane, is added back.
   */
  baseScale: number;
  /**
   * Try half the base scale too, on a held-out band of known pixels around the hole, and use it
   * when it reproduces that band clearly better (choose.ts). Read by the entry points (index.ts).
   */
  adaptiveBase: boolean;
  /** Stop building the pyramid when the hole is at most this thick (distance from known pixels). */
  coarsestThickness: number;
  /** Remove the step at the hole's edge with a gradient-domain blend (blend.ts). */
  seamBlend: boolean;
  /**
   * With no sampling mask given, copy only from a band around the hole and not from distinct
   * objects that do not reach it (sampling.ts). Read by the entry points (index.ts).
   */
  defaultSampling: boolean;
  /**
   * Spatial prior: a source patch at distance d (pixels) from the target costs
   * `spatialPrior · (d / thickness)²` more per patch value (thickness = the level's hole
   * thickness), so among similar patches the nearer one is copied. 0 = off.
   */
  spatialPrior: number;
  /**
   * Synthesise the coarsest hole edges first (priority.ts: confidence × isophote strength) rather
   * than in rings from the edge inwards.
   */
  structureFirst: boolean;
  /** Keep every hole pixel inside the hull of the source region's colours (colours.ts). */
  keepToSourceColours: boolean;
  shouldAbort?: () => boolean;
  onProgress?: (fraction: number) => void;
  onIteration?: (level: number, iteration: number) => void;
}

export const DEFAULT_PARAMS: Omit<CompleteParams, "seed"> = {
  patchSize: 7,
  finestPatchSize: 5,
  fineSearchRadius: 16,
  emCoarsest: 8,
  emMiddle: 4,
  emFinest: 1,
  scansPerEm: 2,
  earlyExitDelta: 0.6,
  gamma: 1.3,
  meanShiftRadius: 28,
  meanShiftIters: 3,
  textureWeight: 2,
  baseScale: 1,
  adaptiveBase: true,
  coarsestThickness: 6,
  seamBlend: true,
  defaultSampling: true,
  spatialPrior: 0,
  structureFirst: true,
  keepToSourceColours: true,
};

/**
 * The parameters as an object of one shape. Callers build them by spreading (defaults, options,
 * trial overrides) in varying orders, with the callbacks present or not; read through objects of
 * many shapes, the engine's loops were compiled again and again while warming up.
 */
function fixedShape(p: CompleteParams): CompleteParams {
  return {
    seed: p.seed,
    patchSize: p.patchSize,
    finestPatchSize: p.finestPatchSize,
    fineSearchRadius: p.fineSearchRadius,
    emCoarsest: p.emCoarsest,
    emMiddle: p.emMiddle,
    emFinest: p.emFinest,
    scansPerEm: p.scansPerEm,
    earlyExitDelta: p.earlyExitDelta,
    gamma: p.gamma,
    meanShiftRadius: p.meanShiftRadius,
    meanShiftIters: p.meanShiftIters,
    textureWeight: p.textureWeight,
    baseScale: p.baseScale,
    adaptiveBase: p.adaptiveBase,
    coarsestThickness: p.coarsestThickness,
    seamBlend: p.seamBlend,
    defaultSampling: p.defaultSampling,
    spatialPrior: p.spatialPrior,
    structureFirst: p.structureFirst,
    keepToSourceColours: p.keepToSourceColours,
    shouldAbort: p.shouldAbort,
    onProgress: p.onProgress,
    onIteration: p.onIteration,
  };
}

/** Work state for one pyramid level. */
interface LevelState {
  lv: Level;
  r: number;
  srcOk: Uint8Array;
  srcList: Int32Array;
  tgtList: Int32Array;
  holeList: Int32Array;
  nnf: Int32Array;
  dist: Float32Array;
  conf: Float32Array;
  weight: Float32Array;
  /** Extra cost per squared pixel of target–source distance (the spatial prior at this level). */
  prior: number;
  /** Texture feature per pixel (hole pixels: voted like colours), or null when not used. */
  tex: Float32Array | null;
  /** Cost per squared feature difference of two patch centres. */
  texCost: number;
}

/**
 * Complete the hole of `finest` in place (its `img` is overwritten at hole pixels) and return it.
 * Throws AbortError when `shouldAbort` says so, checked between scans and every few thousand patches.
 */
export function completeLevel0(finest: Level, params: CompleteParams): Level {
  const p = fixedShape(params);
  const r = (p.patchSize - 1) >> 1;
  const rFinest = (p.finestPatchSize - 1) >> 1;
  const rng = createRng(p.seed);
  const minSide = 4 * (2 * r + 1);

  // Split off the smooth base: the completion works on the detail layer.
  const finestThickness = maxOf(distanceToKnown(finest.hole, finest.w, finest.h));
  const sigma = p.baseScale * finestThickness;
  const base = sigma >= 2 ? robustBase(finest, sigma) : null;
  if (base) for (let i = 0; i < base.length; i++) finest.img[i] -= base[i];

  // Pyramid: halve until the hole is thin enough or the image too small.
  const levels: Level[] = [finest];
  for (;;) {
    const cur = levels[levels.length - 1];
    const thick = cur === finest ? finestThickness : maxOf(distanceToKnown(cur.hole, cur.w, cur.h));
    if (thick <= p.coarsestThickness) break;
    if ((cur.w + 1) >> 1 < minSide || (cur.h + 1) >> 1 < minSide) break;
    const next = downsampleLevel(cur);
    // A coarse hole grows (any hole child makes a hole); stop while there are patches to copy.
    if (countSources(next.hole, next.excluded, next.w, next.h, r) < 16) break;
    levels.push(next);
  }
  const L = levels.length;
  const texs: (Float32Array | null)[] = levels.map(() => null);
  if (p.textureWeight > 0) {
    texs[0] = textureFeature(finest.img, finest.hole, finest.w, finest.h);
    for (let l = 1; l < L; l++) {
      const f = levels[l - 1];
      texs[l] = downsampleTexture(texs[l - 1] as Float32Array, f.hole, f.w, f.h);
    }
  }
  const emAt = (l: number): number => (l === L - 1 ? p.emCoarsest : l === 0 ? p.emFinest : Math.min(p.emMiddle, 1 + l));

  // Progress is counted in patch-scans, estimated from the hole sizes.
  let total = 0;
  for (let l = 0; l < L; l++) total += countHole(levels[l].hole) * emAt(l) * (p.scansPerEm + 1);
  let done = 0;
  const tick = (units: number): void => {
    done += units;
    if (p.onProgress) p.onProgress(Math.min(1, done / Math.max(1, total)));
  };
  const checkAbort = (): void => {
    if (p.shouldAbort && p.shouldAbort()) throw new AbortError();
  };

  let prev: LevelState | null = null;
  for (let l = L - 1; l >= 0; l--) {
    checkAbort();
    const st = prepareLevel(levels[l], l === 0 ? rFinest : r, p.gamma, p.spatialPrior, texs[l], p.textureWeight);
    const searchRadius = l === L - 1 || p.fineSearchRadius <= 0 ? Math.max(st.lv.w, st.lv.h) : p.fineSearchRadius;
    if (st.srcList.length === 0)
      throw new EngineInputError(
        finest.excluded
          ? "the sampling area leaves nothing large enough to copy from: widen it or fill a smaller area"
          : "the mask leaves no area large enough to copy from: fill a smaller area",
      );
    if (prev === null) {
      initOnionPeel(st, rng, p.structureFirst, checkAbort);
      for (let k = 0; k < st.tgtList.length; k++) st.nnf[st.tgtList[k]] = st.srcList[rng.int(st.srcList.length)];
      recomputeDistances(st);
    } else {
      upsampleNnf(prev, st, rng);
      computeWeights(st);
      vote(st, p.meanShiftRadius, p.meanShiftIters); // builds this level's hole from the finer source
      recomputeDistances(st);
    }
    const iters = emAt(l);
    for (let it = 0; it < iters; it++) {
      for (let s = 0; s < p.scansPerEm; s++) {
        checkAbort();
        patchMatchScan(st, s % 2 === 0, searchRadius, rng, checkAbort);
      }
      computeWeights(st);
      const delta = vote(st, p.meanShiftRadius, p.meanShiftIters);
      const last = it === iters - 1 || (it > 0 && delta < p.earlyExitDelta);
      // Distances feed the next iteration, or the next level's first vote; not needed after the very end.
      if (!(last && l === 0)) recomputeDistances(st);
      tick(st.holeList.length * (p.scansPerEm + 1));
      if (p.onIteration) p.onIteration(l, it);
      if (last) {
        tick(st.holeList.length * (p.scansPerEm + 1) * (iters - it - 1));
        break;
      }
    }
    prev = st;
  }
  if (base) for (let i = 0; i < base.length; i++) finest.img[i] += base[i];
  if (p.seamBlend) blendSeam(finest);
  if (p.keepToSourceColours) keepToSourceColours(finest);
  return finest;
}

function holeIntegral(hole: Uint8Array, w: number, h: number): Int32Array {
  const ii = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += hole[y * w + x];
      ii[(y + 1) * (w + 1) + x + 1] = ii[y * (w + 1) + x + 1] + row;
    }
  }
  return ii;
}

function boxSum(ii: Int32Array, w: number, x0: number, y0: number, x1: number, y1: number): number {
  const W = w + 1;
  return ii[y1 * W + x1] - ii[y0 * W + x1] - ii[y1 * W + x0] + ii[y0 * W + x0];
}

function countHole(hole: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < hole.length; i++) n += hole[i];
  return n;
}

function prepareLevel(lv: Level, r: number, gamma: number, spatialPrior: number, tex: Float32Array | null, textureWeight: number): LevelState {
  const { w, h, hole } = lv;
  const n = w * h;
  // Integral images of the hole (and of the pixels no patch may be copied from: the hole and the
  // excluded ones) to test "patch fully known" and "patch may be a source" in O(1).
  const ii = holeIntegral(hole, w, h);
  let blocked = ii;
  if (lv.excluded) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = hole[i] | lv.excluded[i];
    blocked = holeIntegral(b, w, h);
  }
  const srcOk = new Uint8Array(n);
  const isTgt = new Uint8Array(n);
  let nSrc = 0,
    nTgt = 0,
    nHole = 0;
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      const s = boxSum(ii, w, x - r, y - r, x + r + 1, y + r + 1);
      if (s !== 0) {
        isTgt[y * w + x] = 1;
        nTgt++;
      } else if (blocked === ii || boxSum(blocked, w, x - r, y - r, x + r + 1, y + r + 1) === 0) {
        srcOk[y * w + x] = 1;
        nSrc++;
      }
    }
  }
  for (let i = 0; i < n; i++) nHole += hole[i];
  const srcList = new Int32Array(nSrc);
  const tgtList = new Int32Array(nTgt);
  const holeList = new Int32Array(nHole);
  for (let i = 0, a = 0, b = 0, c = 0; i < n; i++) {
    if (srcOk[i]) srcList[a++] = i;
    if (isTgt[i]) tgtList[b++] = i;
    if (hole[i]) holeList[c++] = i;
  }
  const dt = distanceToKnown(hole, w, h);
  const conf = new Float32Array(n);
  for (let k = 0; k < nTgt; k++) {
    const i = tgtList[k];
    conf[i] = Math.pow(gamma, -dt[i]);
  }
  const nnf = new Int32Array(n).fill(-1);
  const thickness = Math.max(1, maxOf(dt));
  const prior = (spatialPrior * (2 * r + 1) * (2 * r + 1) * 3) / (thickness * thickness);
  const texCost = textureWeight * (2 * r + 1) * (2 * r + 1) * 3;
  return { lv, r, srcOk, srcList, tgtList, holeList, nnf, dist: new Float32Array(n), conf, weight: new Float32Array(n), prior, tex, texCost };
}

/**
 * Sum of squared RGB differences between the patches centred at p and q, plus the texture term of
 * their centres; stops early past `best`.
 */
function patchDist(st: LevelState, p: number, q: number, best: number): number {
  const { r, tex } = st;
  const { img, w } = st.lv;
  const rowLen = (2 * r + 1) * 3;
  let d = 0;
  if (tex !== null) {
    const t = tex[p] - tex[q];
    d = st.texCost * t * t;
    if (d >= best) return d;
  }
  for (let oy = -r; oy <= r; oy++) {
    const ip = (p + oy * w - r) * 3;
    const iq = (q + oy * w - r) * 3;
    for (let k = 0; k < rowLen; k++) {
      const t = img[ip + k] - img[iq + k];
      d += t * t;
    }
    if (d >= best) return d;
  }
  return d;
}

function recomputeDistances(st: LevelState): void {
  const { tgtList, nnf, dist } = st;
  for (let k = 0; k < tgtList.length; k++) {
    const p = tgtList[k];
    dist[p] = patchDist(st, p, nnf[p], Infinity);
  }
}

/** One PatchMatch scan: propagation from the previous two neighbours in scan order, then random search. */
function patchMatchScan(st: LevelState, forward: boolean, maxRadius: number, rng: Rng, checkAbort: () => void): void {
  const { lv, r, srcOk, tgtList, nnf, dist, prior } = st;
  const { w, h } = lv;
  const n = tgtList.length;
  const step = forward ? 1 : -1;
  // Candidates are ranked by patch distance plus the spatial prior; `dist` keeps the patch distance alone.
  let ptx = 0,
    pty = 0;
  const pen = (q: number): number => {
    if (prior === 0) return 0;
    const qx = q % w,
      dx = qx - ptx,
      dy = (q - qx) / w - pty;
    return prior * (dx * dx + dy * dy);
  };
  for (let k = forward ? 0 : n - 1, c = 0; forward ? k < n : k >= 0; k += step, c++) {
    if ((c & 4095) === 4095) checkAbort();
    const p = tgtList[k];
    ptx = p % w;
    pty = (p - ptx) / w;
    let bq = nnf[p];
    let bestD = dist[p];
    let best = bestD + pen(bq);
    const tryQ = (q: number): void => {
      const e = pen(q);
      if (e >= best) return;
      const d = patchDist(st, p, q, best - e);
      if (d + e < best) {
        best = d + e;
        bestD = d;
        bq = q;
      }
    };
    // Propagation: the neighbour's match, shifted back by one pixel.
    const px = p % w;
    const nb1 = forward ? (px > 0 ? p - 1 : -1) : px < w - 1 ? p + 1 : -1;
    if (nb1 >= 0 && nnf[nb1] >= 0) {
      const q = nnf[nb1] + step;
      if (q !== bq && q >= 0 && q < srcOk.length && srcOk[q] && Math.abs((q % w) - (nnf[nb1] % w)) === 1) tryQ(q);
    }
    const nb2 = forward ? p - w : p + w;
    if (nb2 >= 0 && nb2 < nnf.length && nnf[nb2] >= 0) {
      const q = nnf[nb2] + step * w;
      if (q !== bq && q >= 0 && q < srcOk.length && srcOk[q]) tryQ(q);
    }
    // Random search around the current best with a halving radius.
    const bx = bq % w,
      by = (bq - bx) / w;
    for (let rad = maxRadius; rad >= 1; rad >>= 1) {
      let cx = bx + Math.floor((rng.next() * 2 - 1) * rad + 0.5);
      let cy = by + Math.floor((rng.next() * 2 - 1) * rad + 0.5);
      if (cx < r) cx = r;
      else if (cx > w - 1 - r) cx = w - 1 - r;
      if (cy < r) cy = r;
      else if (cy > h - 1 - r) cy = h - 1 - r;
      const q = cy * w + cx;
      if (q === bq || !srcOk[q]) continue;
      tryQ(q);
    }
    nnf[p] = bq;
    dist[p] = bestD;
  }
}

// Scratch for the weight percentile; grown as needed, never per pixel.
let sampleScratch = new Float32Array(4096);

/** Patch weights: similarity exp(−e / 2σ²) (σ² = 75th percentile of the mean patch error) × boundary confidence. */
function computeWeights(st: LevelState): void {
  const { r, tgtList, dist, conf, weight } = st;
  const area3 = (2 * r + 1) * (2 * r + 1) * 3;
  const n = tgtList.length;
  const stride = Math.max(1, Math.floor(n / 4096));
  let m = 0;
  if (sampleScratch.length < 4096) sampleScratch = new Float32Array(4096);
  for (let k = 0; k < n && m < 4096; k += stride) sampleScratch[m++] = dist[tgtList[k]] / area3;
  const sample = sampleScratch.subarray(0, m);
  sample.sort();
  const sigma2 = Math.max(4, m > 0 ? sample[Math.floor(m * 0.75)] : 4);
  const inv = 1 / (2 * sigma2);
  for (let k = 0; k < n; k++) {
    const p = tgtList[k];
    weight[p] = Math.exp(-(dist[p] / area3) * inv) * conf[p] + 1e-30;
  }
}

const MAX_VOTES = 15 * 15;
const vr = new Float32Array(MAX_VOTES);
const vg = new Float32Array(MAX_VOTES);
const vb = new Float32Array(MAX_VOTES);
const vw = new Float32Array(MAX_VOTES);
const vt = new Float32Array(MAX_VOTES);

/**
 * Re-estimate every hole pixel from the patches that cover it: start at the strongest vote and
 * move to the weighted mean of the votes within `radius` (flat-kernel mean shift), a few times.
 * Returns the mean absolute change per channel.
 */
function vote(st: LevelState, radius: number, iters: number): number {
  const { lv, r, holeList, nnf, weight, tex } = st;
  const { w, h, img } = lv;
  const rad2 = radius * radius;
  let change = 0;
  for (let k = 0; k < holeList.length; k++) {
    const x = holeList[k];
    const xx = x % w,
      xy = (x - xx) / w;
    let n = 0,
      bestW = -1,
      bi = 0;
    for (let oy = -r; oy <= r; oy++) {
      const py = xy - oy;
      if (py < r || py > h - 1 - r) continue;
      for (let ox = -r; ox <= r; ox++) {
        const px = xx - ox;
        if (px < r || px > w - 1 - r) continue;
        const p = py * w + px;
        const q = nnf[p];
        if (q < 0) continue;
        const qi = (q + oy * w + ox) * 3;
        vr[n] = img[qi];
        vg[n] = img[qi + 1];
        vb[n] = img[qi + 2];
        if (tex !== null) vt[n] = tex[q + oy * w + ox];
        const wt = weight[p];
        vw[n] = wt;
        if (wt > bestW) {
          bestW = wt;
          bi = n;
        }
        n++;
      }
    }
    if (n === 0) continue;
    let mr = vr[bi],
      mg = vg[bi],
      mb = vb[bi];
    for (let it = 0; it < iters; it++) {
      let sr = 0,
        sg = 0,
        sb = 0,
        sw = 0;
      for (let j = 0; j < n; j++) {
        const dr = vr[j] - mr,
          dg = vg[j] - mg,
          db = vb[j] - mb;
        if (dr * dr + dg * dg + db * db > rad2) continue;
        const wt = vw[j];
        sr += vr[j] * wt;
        sg += vg[j] * wt;
        sb += vb[j] * wt;
        sw += wt;
      }
      if (sw <= 0) break;
      mr = sr / sw;
      mg = sg / sw;
      mb = sb / sw;
    }
    if (tex !== null) tex[x] = modeFeature(n, mr, mg, mb, rad2);
    const i3 = x * 3;
    change += Math.abs(img[i3] - mr) + Math.abs(img[i3 + 1] - mg) + Math.abs(img[i3 + 2] - mb);
    img[i3] = mr;
    img[i3 + 1] = mg;
    img[i3 + 2] = mb;
  }
  return holeList.length > 0 ? change / (holeList.length * 3) : 0;
}

/** Weighted mean feature of the votes within the mean-shift window around the colour mode. */
function modeFeature(n: number, mr: number, mg: number, mb: number, rad2: number): number {
  let st = 0,
    sw = 0,
    all = 0;
  for (let j = 0; j < n; j++) {
    all += vt[j];
    const dr = vr[j] - mr,
      dg = vg[j] - mg,
      db = vb[j] - mb;
    if (dr * dr + dg * dg + db * db > rad2) continue;
    st += vt[j] * vw[j];
    sw += vw[j];
  }
  return sw > 0 ? st / sw : all / n;
}

/**
 * Coarsest level: fill hole pixels layer by layer from the boundary inwards, each from the centre
 * of the known patch that best matches its already-known neighbourhood (exhaustive over a seeded
 * subset of at most 1500 source patches).
 */
function initOnionPeel(st: LevelState, rng: Rng, structureFirst: boolean, checkAbort: () => void): void {
  const { lv, r, srcList, holeList } = st;
  const { w, h, img, hole } = lv;
  const maxCand = 1500;
  let cand: Int32Array = srcList;
  if (srcList.length > maxCand) {
    cand = new Int32Array(maxCand);
    for (let k = 0; k < maxCand; k++) cand[k] = srcList[rng.int(srcList.length)];
  }
  const filled = new Uint8Array(w * h);
  for (let i = 0; i < filled.length; i++) filled[i] = hole[i] ? 0 : 1;
  const next = structureFirst ? structureOrder(img, filled, w, h, r) : ringOrder(hole, holeList, w, h);
  // The filled neighbours of the pixel being synthesised, listed once per pixel (row by row, as
  // the comparison visits them): their colours and their offsets from a candidate's centre.
  const side = 2 * r + 1;
  const nbCol = new Float32Array(side * side * 3);
  const nbOff = new Int32Array(side * side);
  const nbTex = new Float32Array(side * side);
  const nbOffPx = new Int32Array(side * side);
  const { tex } = st;
  // The texture term per neighbour: the patch distance's per-pixel share.
  const texCost = st.texCost / (side * side);
  const rowEnd = new Int32Array(side);
  for (let k = 0; ; k++) {
    if ((k & 255) === 255) checkAbort();
    const x = next.pop();
    if (x < 0) break;
    const xx = x % w,
      xy = (x - xx) / w;
    let m = 0,
      rows = 0;
    for (let oy = -r; oy <= r; oy++) {
      const yy = xy + oy;
      if (yy < 0 || yy >= h) continue;
      for (let ox = -r; ox <= r; ox++) {
        const xx2 = xx + ox;
        if (xx2 < 0 || xx2 >= w) continue;
        const pi = yy * w + xx2;
        if (!filled[pi]) continue;
        nbCol[m * 3] = img[pi * 3];
        nbCol[m * 3 + 1] = img[pi * 3 + 1];
        nbCol[m * 3 + 2] = img[pi * 3 + 2];
        if (tex !== null) nbTex[m] = tex[pi];
        nbOffPx[m] = oy * w + ox;
        nbOff[m++] = (oy * w + ox) * 3;
      }
      rowEnd[rows++] = m;
    }
    let best = Infinity,
      bq = cand[0];
    for (let c = 0; c < cand.length; c++) {
      const q3 = cand[c] * 3;
      let d = 0;
      for (let row = 0, j = 0; row < rows && d < best; row++) {
        for (const end = rowEnd[row]; j < end; j++) {
          const qi = q3 + nbOff[j];
          const a = nbCol[j * 3] - img[qi],
            b = nbCol[j * 3 + 1] - img[qi + 1],
            c2 = nbCol[j * 3 + 2] - img[qi + 2];
          d += a * a + b * b + c2 * c2;
          if (tex !== null) {
            const t = nbTex[j] - tex[cand[c] + nbOffPx[j]];
            d += texCost * t * t;
          }
        }
      }
      if (d < best) {
        best = d;
        bq = cand[c];
      }
    }
    img[x * 3] = img[bq * 3];
    img[x * 3 + 1] = img[bq * 3 + 1];
    img[x * 3 + 2] = img[bq * 3 + 2];
    if (st.tex !== null) st.tex[x] = st.tex[bq];
    filled[x] = 1;
    next.markFilled(x);
  }
}

interface FillOrder {
  pop(): number;
  markFilled(i: number): void;
}

/** Rings from the hole's edge inwards: hole pixels by distance to the known region (stable by index). */
function ringOrder(hole: Uint8Array, holeList: Int32Array, w: number, h: number): FillOrder {
  const dt = distanceToKnown(hole, w, h);
  const keys = new Float64Array(holeList.length);
  for (let k = 0; k < holeList.length; k++) keys[k] = Math.round(dt[holeList[k]] * 16) * 16777216 + holeList[k];
  keys.sort();
  let k = 0;
  return { pop: () => (k < keys.length ? keys[k++] % 16777216 : -1), markFilled: () => undefined };
}

function structureOrder(img: Float32Array, filled: Uint8Array, w: number, h: number, r: number): FillOrder {
  return new FrontQueue(img, filled, w, h, r);
}

/** Carry the coarse NNF to the finer level: q_fine = 2·q_coarse + (p_fine − 2·p_coarse), with weights from the coarse distances. */
function upsampleNnf(coarse: LevelState, fine: LevelState, rng: Rng): void {
  const wc = coarse.lv.w,
    hc = coarse.lv.h,
    rc = coarse.r;
  const { lv, r, srcOk, srcList, tgtList, nnf, dist } = fine;
  const w = lv.w,
    h = lv.h;
  for (let k = 0; k < tgtList.length; k++) {
    const p = tgtList[k];
    const x = p % w,
      y = (p - x) / w;
    let cx = x >> 1,
      cy = y >> 1;
    if (cx < rc) cx = rc;
    else if (cx > wc - 1 - rc) cx = wc - 1 - rc;
    if (cy < rc) cy = rc;
    else if (cy > hc - 1 - rc) cy = hc - 1 - rc;
    const pc = cy * wc + cx;
    const qc = coarse.nnf[pc];
    let q = -1;
    if (qc >= 0) {
      const qcx = qc % wc,
        qcy = (qc - qcx) / wc;
      let qx = 2 * qcx + (x - 2 * cx),
        qy = 2 * qcy + (y - 2 * cy);
      if (qx < r) qx = r;
      else if (qx > w - 1 - r) qx = w - 1 - r;
      if (qy < r) qy = r;
      else if (qy > h - 1 - r) qy = h - 1 - r;
      const cand = qy * w + qx;
      if (srcOk[cand]) q = cand;
      dist[p] = coarse.dist[pc] * 4;
    } else {
      dist[p] = Infinity;
    }
    if (q < 0) q = srcList[rng.int(srcList.length)];
    nnf[p] = q;
  }
  // Unmatched patches get a large finite distance so their weight is small but valid.
  let maxD = 0;
  for (let k = 0; k < tgtList.length; k++) {
    const d = dist[tgtList[k]];
    if (d !== Infinity && d > maxD) maxD = d;
  }
  for (let k = 0; k < tgtList.length; k++) if (dist[tgtList[k]] === Infinity) dist[tgtList[k]] = maxD * 2 + 1;
}
