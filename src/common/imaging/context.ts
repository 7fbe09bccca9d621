// Fill planning: the context window the service sees around a selection, the Firefly size preset that
// fits it best, and the exact scale factors both ways. Pure; unit-tested with exact numbers.
//
// Rules (after krita-ai-diffusion's context bounds, adapted to Firefly's fixed output sizes):
// - padding grows with the selection (1/8 of its longest side, at least `minPadding`);
// - the window is at least `minContext` per side, so a small selection shows the model enough;
// - for each preset the window is grown to the preset's aspect and, when smaller than the preset,
//   to the preset's size itself, so small selections go out and come back at 1:1 (native resolution);
// - the window is clamped to the canvas; the preset with the least distortion and detail loss wins.
// The window is read once at the preset size (one downscale in the host) and the result is resampled
// once back to the window.

import type { Rect, Size } from "../host";
import { canvasRect, clampToCanvas, fitAround, growRect, rectHeight, rectWidth } from "./rect";

export interface ContextOptions {
  minPadding?: number;
  /** Smallest window side (document pixels) when the canvas allows it. */
  minContext?: number;
  /**
   * Weight of the output's pixel count in the choice (default 0: detail first, so small selections
   * go out at 1:1). Around 0.5 trades some sharpness for a smaller request and less codec work.
   */
  workWeight?: number;
}

export interface FillGeometry {
  /** The selection bounds (clamped to the canvas). */
  selection: Rect;
  /** The document region sent to the service. */
  window: Rect;
  /** The Firefly size requested and the size the window is read at. */
  sendSize: Size;
  /** sendSize / window size, per axis (>1 means the window is enlarged for sending). */
  scaleX: number;
  scaleY: number;
}

export const DEFAULT_MIN_PADDING = 32;
export const DEFAULT_MIN_CONTEXT = 512;

export function contextPadding(selection: Rect, minPadding = DEFAULT_MIN_PADDING): number {
  return Math.max(minPadding, Math.ceil(Math.max(rectWidth(selection), rectHeight(selection)) / 8));
}

/** The selection plus padding, widened to the minimum context, inside the canvas. */
export function baseWindow(doc: Size, selection: Rect, opts: ContextOptions = {}): Rect {
  const canvas = canvasRect(doc);
  const padded = clampToCanvas(growRect(selection, contextPadding(selection, opts.minPadding)), doc);
  const minContext = opts.minContext ?? DEFAULT_MIN_CONTEXT;
  const w = Math.min(doc.width, Math.max(rectWidth(padded), minContext));
  const h = Math.min(doc.height, Math.max(rectHeight(padded), minContext));
  if (w === rectWidth(padded) && h === rectHeight(padded)) return padded;
  return fitAround(padded, w, h, canvas);
}

export interface Candidate extends FillGeometry {
  cost: number;
}

/** The window a preset would use, and what it costs (distortion, detail lost, wasted upscaling). */
export function candidateFor(doc: Size, selection: Rect, base: Rect, preset: Size, opts: ContextOptions = {}): Candidate {
  const bw = rectWidth(base);
  const bh = rectHeight(base);
  const aspect = preset.width / preset.height;
  // The padding may shrink (down to a quarter) in one direction to reach the preset's aspect when the
  // canvas stops the window from growing in the other.
  const tight = clampToCanvas(growRect(selection, Math.max(8, Math.ceil(contextPadding(selection, opts.minPadding) / 4))), doc);
  let w = bw;
  let h = bh;
  if (w / h < aspect) {
    w = Math.min(doc.width, Math.round(h * aspect));
    if (w / h < aspect) h = Math.max(rectHeight(tight), Math.min(h, Math.round(w / aspect)));
  } else {
    h = Math.min(doc.height, Math.round(w / aspect));
    if (w / h > aspect) w = Math.max(rectWidth(tight), Math.min(w, Math.round(h * aspect)));
  }
  if (w < preset.width && h < preset.height && !(opts.workWeight && opts.workWeight > 0)) {
    w = Math.min(doc.width, preset.width);
    h = Math.min(doc.height, preset.height);
  }
  const window = fitAround(selection, w, h, canvasRect(doc));
  const scaleX = preset.width / w;
  const scaleY = preset.height / h;
  const anisotropy = Math.abs(Math.log(scaleX / scaleY));
  const detailLoss = Math.max(0, -Math.log(Math.min(scaleX, scaleY)));
  const upscale = Math.max(0, Math.log(Math.max(scaleX, scaleY)));
  const area = (preset.width * preset.height) / (2048 * 2048);
  const shapeMismatch = Math.abs(Math.log(aspect / (bw / bh)));
  const cost = 4 * anisotropy + detailLoss + 0.25 * upscale + 0.05 * shapeMismatch + (0.01 + (opts.workWeight ?? 0)) * area;
  return { selection, window, sendSize: { ...preset }, scaleX, scaleY, cost };
}

export function planFillGeometry(doc: Size, selection: Rect, presets: readonly Size[], opts: ContextOptions = {}): FillGeometry {
  if (presets.length === 0) throw new Error("no Firefly sizes to choose from");
  const sel = clampToCanvas(selection, doc);
  if (rectWidth(sel) <= 0 || rectHeight(sel) <= 0) throw new Error("the selection lies outside the canvas");
  const base = baseWindow(doc, sel, opts);
  let best: Candidate | null = null;
  for (const p of presets) {
    const c = candidateFor(doc, sel, base, p, opts);
    if (!best || c.cost < best.cost - 1e-9) best = c;
  }
  const { cost: _cost, ...geometry } = best!;
  return geometry;
}
