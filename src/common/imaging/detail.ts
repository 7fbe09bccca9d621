// Planning by detail: how many document pixels each generated pixel becomes (the interpolation
// factor, per axis) for fill, expand and generate-into-selection, and the Native-detail plan that
// brings a fill to ≤ 1 with Firefly's upscale (factor 2/3/4/6 on the result's window only) or, when
// even the largest preset times the largest factor falls short, with overlapping tiles, each a fill
// with its own context. Pure; unit-tested with exact numbers.

import { FILL_SIZES } from "../firefly/limits";
import { UPSCALE_FACTORS, UPSCALE_MAX_OUTPUT_SIDE, type UpscaleFactor } from "../firefly/upscale";
import type { Rect, Size } from "../host";
import { planFillGeometry, type ContextOptions, type FillGeometry } from "./context";
import { expandLayerRect, originalRect, type ExpandGeometry } from "./expand";
import { coverPlacement } from "./placement";
import { canvasRect, clampToCanvas, growRect, intersectRect, isEmptyRect, rectHeight, rectWidth } from "./rect";

/** Document pixels placed per generated pixel, per axis; > 1 means the result is enlarged (soft). */
export interface Interpolation {
  x: number;
  y: number;
  /** The larger of the two. */
  max: number;
}

/**
 * Interpolation factors up to 1 + this count as native: a result enlarged by at most 1 % (a 4000 px
 * canvas sent at 3999 px) is placed as it is rather than upscaled.
 */
export const NATIVE_TOLERANCE = 0.01;

/** Slack for floating-point rounding when turning generated pixels back into document pixels. */
const ROUNDING = 1e-6;

function interpolation(x: number, y: number): Interpolation {
  return { x, y, max: Math.max(x, y) };
}

/** A result's frame: the document rectangle a generated result covers and its size in generated pixels. */
export interface ResultFrame {
  window: Rect;
  sendSize: Size;
}

export function fillInterpolation(g: ResultFrame): Interpolation {
  return interpolation(rectWidth(g.window) / g.sendSize.width, rectHeight(g.window) / g.sendSize.height);
}

/** An expansion's frame: its output covers the whole new canvas. */
export function expandFrame(g: ExpandGeometry): ResultFrame {
  return { window: canvasRect(g.canvas), sendSize: { ...g.outputSize } };
}

export function expandInterpolation(g: ExpandGeometry): Interpolation {
  return fillInterpolation(expandFrame(g));
}

/** Generate into a selection (or the canvas): the result covers `target`, aspect kept. */
export function coverInterpolation(result: Size, target: Rect): Interpolation {
  const { scaledSize } = coverPlacement(result, target);
  return interpolation(scaledSize.width / result.width, scaledSize.height / result.height);
}

function oneDecimal(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** "generated at 1/2.3 of native size", "generated at native size", "generated at 1.4× native size". */
export function describeInterpolation(i: Interpolation): string {
  if (Math.abs(i.max - 1) <= 0.05) return "generated at native size";
  if (i.max > 1) return `generated at 1/${oneDecimal(i.max)} of native size`;
  return `generated at ${oneDecimal(1 / i.max)}× native size`;
}

/** One Firefly upscale of a result's crop: the crop in generated pixels and the factor. */
export interface UpscaleStep {
  factor: UpscaleFactor;
  /** The part of the generated result that is upscaled (generated pixels, inside the result). */
  crop: Rect;
  outputSize: Size;
}

/** One fill of the plan: its geometry, the document rectangle it places, and its upscale if any. */
export interface DetailPart {
  geometry: FillGeometry;
  /** Document pixels this part's result covers when placed (selection part plus the blend band). */
  placeRect: Rect;
  upscale: UpscaleStep | null;
  /** After the upscale, if any. */
  interpolation: Interpolation;
  /**
   * An expansion tile's steps of context from the original (see contextLevels): 0 (or absent) when its
   * window holds part of the original; n > 0 when it sees the results of parts of lower levels
   * instead, so it is sent once per variation, after them.
   */
  level?: number;
}

export interface DetailPlan {
  mode: "standard" | "native";
  parts: DetailPart[];
  /** Whole-plan figures: the worst part's interpolation. */
  interpolation: Interpolation;
  fills: number;
  upscales: number;
  requests: number;
  /** Overlap between neighbouring tiles, document pixels (0 for one part). */
  overlapPx: number;
  /** Parts whose context is other parts' results (level > 0), each sent once per variation. */
  dependentParts: number;
}

/** The crop of the generated result that covers `rect` of the window (generated pixels, outward-rounded). */
export function resultCrop(g: ResultFrame, rect: Rect): Rect {
  const w = g.window;
  const r = intersectRect(rect, w);
  const sx = g.sendSize.width / rectWidth(w);
  const sy = g.sendSize.height / rectHeight(w);
  return clampToCanvas(
    {
      left: Math.floor((r.left - w.left) * sx),
      top: Math.floor((r.top - w.top) * sy),
      right: Math.ceil((r.right - w.left) * sx),
      bottom: Math.ceil((r.bottom - w.top) * sy),
    },
    g.sendSize,
  );
}

/**
 * The smallest upscale factor that brings `placeRect` to ≤ 1 within the output limit, or null when none
 * does. `null` is also returned when no upscale is needed (check `fillInterpolation` first).
 */
export function chooseUpscale(g: ResultFrame, placeRect: Rect, maxOutputSide = UPSCALE_MAX_OUTPUT_SIDE): UpscaleStep | null {
  const need = fillInterpolation(g).max;
  if (need <= 1 + NATIVE_TOLERANCE) return null;
  const crop = resultCrop(g, placeRect);
  for (const factor of UPSCALE_FACTORS) {
    if (factor + NATIVE_TOLERANCE < need) continue;
    const outputSize = { width: rectWidth(crop) * factor, height: rectHeight(crop) * factor };
    if (Math.max(outputSize.width, outputSize.height) > maxOutputSide) return null;
    return { factor, crop, outputSize };
  }
  return null;
}

function partFor(input: DetailInput, tile: Rect, native: boolean): DetailPart {
  const geometry = planFillGeometry(input.doc, tile, input.presets, input.context ?? {});
  const placeRect = intersectRect(growRect(geometry.selection, input.bandPx), geometry.window);
  const base = fillInterpolation(geometry);
  const upscale = native ? chooseUpscale(geometry, placeRect, input.maxUpscaleSide) : null;
  const interpolationAfter = upscale ? interpolation(base.x / upscale.factor, base.y / upscale.factor) : base;
  return { geometry, placeRect, upscale, interpolation: interpolationAfter };
}

function isNative(p: DetailPart): boolean {
  return p.interpolation.max <= 1 + NATIVE_TOLERANCE;
}

/** Splits `extent` into nx × ny tiles that overlap by `overlap` document pixels. */
export function tileRects(extent: Rect, nx: number, ny: number, overlap: number): Rect[] {
  const cuts = (lo: number, hi: number, n: number): [number, number][] => {
    const len = hi - lo;
    const step = (len - overlap) / n;
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = i === 0 ? lo : Math.round(lo + i * step);
      const b = i === n - 1 ? hi : Math.round(lo + (i + 1) * step + overlap);
      out.push([a, b]);
    }
    return out;
  };
  const xs = cuts(extent.left, extent.right, nx);
  const ys = cuts(extent.top, extent.bottom, ny);
  const tiles: Rect[] = [];
  for (const [top, bottom] of ys) for (const [left, right] of xs) tiles.push({ left, top, right, bottom });
  return tiles;
}

/** Overlap between neighbouring tiles: twice the blend band, at least 32 px, so the blends meet. */
export function tileOverlap(bandPx: number): number {
  return Math.max(32, 2 * bandPx);
}

export interface DetailInput {
  doc: Size;
  /** The selection's extent (document pixels). */
  selection: Rect;
  presets: readonly Size[];
  /** Result variations: each needs its own upscale. */
  variations: number;
  bandPx: number;
  context?: ContextOptions;
  /** The largest upscale output side (default UPSCALE_MAX_OUTPUT_SIDE). */
  maxUpscaleSide?: number;
}

/** What a fill or expansion may ask of Firefly: fill sizes, the largest upscale output side and expand output side (defaults: Firefly's). */
export interface FillLimits {
  presets?: readonly Size[];
  maxUpscaleSide?: number;
  expandMaxSide?: number;
}

function summarise(mode: DetailPlan["mode"], parts: DetailPart[], variations: number, overlapPx: number): DetailPlan {
  const dependentParts = parts.filter((p) => p.level).length;
  const fills = parts.length + dependentParts * (variations - 1);
  const upscales = parts.filter((p) => p.upscale).length * variations;
  const x = Math.max(...parts.map((p) => p.interpolation.x));
  const y = Math.max(...parts.map((p) => p.interpolation.y));
  return { mode, parts, interpolation: interpolation(x, y), fills, upscales, requests: fills + upscales, overlapPx, dependentParts };
}

/** Standard: one fill, the result resampled to the window (today's behaviour). */
export function planStandardDetail(input: DetailInput): DetailPlan {
  return summarise("standard", [partFor(input, input.selection, false)], input.variations, 0);
}

/** The most tiles per axis the planner tries before giving up on native detail. */
const MAX_TILES_PER_AXIS = 12;

/**
 * Native detail: one fill plus upscales when that reaches ≤ 1; else the overlapping tiles whose every
 * part reaches ≤ 1 with the fewest requests (then the fewest tiles, then the squarest tiles). A tile
 * small enough for 1:1 needs no upscale, so more tiles can mean fewer requests.
 */
export function planNativeDetail(input: DetailInput): DetailPlan {
  const one = partFor(input, input.selection, true);
  if (isNative(one)) return summarise("native", [one], input.variations, 0);
  const sel = clampToCanvas(input.selection, input.doc);
  const overlap = tileOverlap(input.bandPx);
  const grids: [number, number][] = [];
  for (let nx = 1; nx <= MAX_TILES_PER_AXIS; nx++) for (let ny = 1; ny <= MAX_TILES_PER_AXIS; ny++) if (nx * ny > 1) grids.push([nx, ny]);
  const squareness = ([nx, ny]: [number, number]) => Math.abs(Math.log(rectWidth(sel) / nx / (rectHeight(sel) / ny)));
  grids.sort((a, b) => a[0] * a[1] - b[0] * b[1] || squareness(a) - squareness(b));
  let best: DetailPlan | null = null;
  for (const [nx, ny] of grids) {
    // Every tile is at least one request: no larger grid can beat the best plan found.
    if (best && nx * ny >= best.requests) break;
    if ((nx > 1 && rectWidth(sel) / nx <= overlap) || (ny > 1 && rectHeight(sel) / ny <= overlap)) continue;
    const parts = tileRects(sel, nx, ny, overlap).map((t) => partFor(input, t, true));
    if (!parts.every(isNative)) continue;
    const plan = summarise("native", parts, input.variations, overlap);
    if (!best || plan.requests < best.requests) best = plan;
  }
  if (!best) throw new Error(`this selection needs more than ${MAX_TILES_PER_AXIS}×${MAX_TILES_PER_AXIS} tiles for native detail`);
  return best;
}

/**
 * The document rectangle an upscaled crop covers: the crop's span in the frame, widened to whole
 * pixels (inside the frame's window), so it holds every document pixel the crop was chosen for.
 */
export function cropWindow(g: ResultFrame, crop: Rect): Rect {
  const w = g.window;
  const sx = g.sendSize.width / rectWidth(w);
  const sy = g.sendSize.height / rectHeight(w);
  return intersectRect(
    {
      left: Math.floor(w.left + crop.left / sx + ROUNDING),
      top: Math.floor(w.top + crop.top / sy + ROUNDING),
      right: Math.ceil(w.left + crop.right / sx - ROUNDING),
      bottom: Math.ceil(w.top + crop.bottom / sy - ROUNDING),
    },
    w,
  );
}

/** The upscale factor for an expand or cover result (one upscale of the whole output), or null. */
export function uniformUpscale(i: Interpolation, output: Size, maxOutputSide = UPSCALE_MAX_OUTPUT_SIDE): UpscaleFactor | null {
  if (i.max <= 1 + NATIVE_TOLERANCE) return null;
  for (const f of UPSCALE_FACTORS) if (f + NATIVE_TOLERANCE >= i.max && Math.max(output.width, output.height) * f <= maxOutputSide) return f;
  return null;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  return minutes < 90 ? `${oneDecimal(minutes)} min` : `${oneDecimal(minutes / 60)} h`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Seconds the plan's requests take at `perMinute` requests per minute (the pace alone). */
export function estimateSeconds(plan: Pick<DetailPlan, "requests">, perMinute: number): number {
  if (!(perMinute > 0)) throw new Error("the pace must be a positive number of requests per minute");
  return (plan.requests * 60) / perMinute;
}

/** ", about 5 min at your organisation's pace (4/min)". */
function atPace(requests: number, perMinute: number): string {
  return `, about ${duration(estimateSeconds({ requests }, perMinute))} at your organisation's pace (${perMinute}/min)`;
}

/** "Native detail: 1 fill + 4 upscales = 5 requests". */
export function describeRequests(plan: Pick<DetailPlan, "mode" | "fills" | "upscales">): string {
  const label = plan.mode === "native" ? "Native detail" : "Standard detail";
  const fills = plan.fills === 1 ? "1 fill" : `${plan.fills} tile fills`;
  const parts = plan.upscales > 0 ? `${fills} + ${count(plan.upscales, "upscale", "upscales")}` : fills;
  return `${label}: ${parts} = ${count(plan.fills + plan.upscales, "request", "requests")}`;
}

/** "Native detail: 1 fill + 4 upscales = 5 requests, about 75 s at 4/min". */
export function describeDetailPlan(plan: DetailPlan, perMinute: number): string {
  return `${describeRequests(plan)}, about ${duration(estimateSeconds(plan, perMinute))} at ${perMinute}/min`;
}

/** "Native detail: 4 tile fills + 16 upscales = 20 requests, about 5 min at your organisation's pace (4/min)". */
export function describePlanAtPace(plan: DetailPlan, perMinute: number): string {
  return `${describeRequests(plan)}${atPace(plan.requests, perMinute)}`;
}

/** Native detail for an expansion: what it asks for and the worst interpolation left. */
export interface ExpandDetail {
  /** The upscale of the output's part under the new area; null when none is needed or none reaches native size. */
  upscale: UpscaleStep | null;
  /** One upscale cannot reach native size: the new strips are filled as tiles (`tiles`), or, when they cannot be planned, at Standard detail. */
  short: boolean;
  /** The strips' fills and their upscales, when `short`. */
  tiles?: DetailPlan;
  requests: number;
  interpolation: Interpolation;
}

/** How an expansion's strips are planned when they need tiles (defaults: Firefly's fill sizes, a 16 px band). */
export interface ExpandTileOptions {
  presets?: readonly Size[];
  maxUpscaleSide?: number;
  bandPx?: number;
  context?: ContextOptions;
}

export function planExpandDetail(g: ExpandGeometry, variations: number, opts: ExpandTileOptions = {}): ExpandDetail {
  const frame = expandFrame(g);
  const base = fillInterpolation(frame);
  if (base.max <= 1 + NATIVE_TOLERANCE) return { upscale: null, short: false, requests: 1, interpolation: base };
  const upscale = chooseUpscale(frame, expandLayerRect(g), opts.maxUpscaleSide);
  if (upscale) return { upscale, short: false, requests: 1 + variations, interpolation: interpolation(base.x / upscale.factor, base.y / upscale.factor) };
  try {
    const tiles = planExpandTiles(g, {
      presets: opts.presets ?? FILL_SIZES,
      variations,
      bandPx: opts.bandPx ?? 16,
      context: opts.context,
      maxUpscaleSide: opts.maxUpscaleSide,
    });
    return { upscale: null, short: true, tiles, requests: tiles.requests, interpolation: tiles.interpolation };
  } catch {
    return { upscale: null, short: true, requests: 1, interpolation: base };
  }
}

/**
 * "Native detail: 1 expansion + 2 upscales = 3 requests."; with the organisation's pace (`perMinute`)
 * known, a run of more than one request also says how long it takes at it.
 */
export function describeExpandRequests(d: ExpandDetail, variations: number, perMinute?: number): string {
  const pace = perMinute && d.requests > 1 ? atPace(d.requests, perMinute) : "";
  if (d.tiles) return `${describeRequests(d.tiles)} along the new strips${pace}.`;
  if (d.short) return "Native detail is not possible for this expansion's new strips: it runs at Standard detail (1 request).";
  if (!d.upscale) return "Native detail: the expansion is generated at native size (1 request).";
  return `Native detail: 1 expansion + ${count(variations, "upscale", "upscales")} = ${count(d.requests, "request", "requests")}${pace}.`;
}

/**
 * The new area of an expansion as strips around the original: full-width top and bottom, left and
 * right between them, reaching `overlap` px into the top and bottom strips so the strips' tiles are
 * blended across the corners too.
 */
export function expandStrips(g: ExpandGeometry, overlap: number): Rect[] {
  const o = originalRect(g);
  const { width, height } = g.canvas;
  const top = o.top > 0 ? Math.max(0, o.top - overlap) : o.top;
  const bottom = o.bottom < height ? Math.min(height, o.bottom + overlap) : o.bottom;
  const strips = [
    { left: 0, top: 0, right: width, bottom: o.top },
    { left: 0, top: o.bottom, right: width, bottom: height },
    { left: 0, top, right: o.left, bottom },
    { left: o.right, top, right: width, bottom },
  ];
  return strips.filter((r) => rectWidth(r) > 0 && rectHeight(r) > 0);
}

function overlaps(a: Rect, b: Rect): boolean {
  return !isEmptyRect(intersectRect(a, b));
}

/**
 * Each part's steps of context from the original: 0 when its window holds part of the original, n
 * when it holds none of it and the lowest-level parts whose results (placeRect) it holds are at n − 1.
 * Throws when a part's window holds neither the original nor any part's result.
 */
export function contextLevels(original: Rect, parts: readonly Pick<DetailPart, "geometry" | "placeRect">[]): number[] {
  const levels: number[] = parts.map((p) => (overlaps(p.geometry.window, original) ? 0 : -1));
  for (let level = 1; levels.includes(-1); level++) {
    const seen = parts.filter((_, k) => levels[k] === level - 1);
    if (seen.length === 0) throw new Error("a tile of this expansion would see neither the original nor another tile");
    parts.forEach((p, i) => {
      if (levels[i] === -1 && seen.some((q) => overlaps(q.placeRect, p.geometry.window))) levels[i] = level;
    });
  }
  return levels;
}

/**
 * Native detail for an expansion one request cannot render at native size: each strip of the new area
 * planned as a fill at native detail on the new canvas (one fill and its upscales, or overlapping
 * tiles; see planNativeDetail), the strips' parts together, nearest the original first (see
 * contextLevels). Throws when a strip cannot be planned or a part would see no context.
 */
export function planExpandTiles(g: ExpandGeometry, input: Omit<DetailInput, "doc" | "selection">): DetailPlan {
  const plans = expandStrips(g, tileOverlap(input.bandPx)).map((strip) => planNativeDetail({ ...input, doc: g.canvas, selection: strip }));
  const strips = plans.flatMap((p) => p.parts);
  const levels = contextLevels(originalRect(g), strips);
  // Nearest the original first, so every part comes after the parts it sees.
  const parts = strips.map((p, i) => ({ ...p, level: levels[i] })).sort((a, b) => a.level - b.level);
  return summarise("native", parts, input.variations, Math.max(0, ...plans.map((p) => p.overlapPx)));
}
