// Fill planning: the context window the service sees around a selection, the Firefly size preset that
// fits it best, and the exact scale factors both ways. Pure; unit-tested with exact numbers.
//
// Rules (after krita-ai-diffusion's context bounds, adapted to Firefly's fixed output sizes):
// - padding grows with the selection (1/8 of its longest side, at least `minPadding`);
// - the window is at least `minContext` per side, so a small selection shows the model enough;
// - for each preset the window takes the preset's shape (aspect) and is scaled uniformly: it covers the
//   padded selection when the canvas allows, else shrinks (down to the selection plus a quarter of the
//   padding) to stay inside it; a window smaller than the preset grows, keeping its shape, to the
//   preset's size or as far as the canvas allows, so small selections go out and come back at 1:1;
// - only when no window of a preset's shape can hold the selection does that preset stretch the
//   context; presets whose stretch is within `ANISOTROPY_LIMIT` always win over the others, and a plan
//   beyond it says so in `note`;
// - among the rest, the preset with the least detail loss and wasted upscaling wins.
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
  /** How much one axis is scaled more than the other: max(scaleX, scaleY) / min(scaleX, scaleY) - 1. */
  anisotropy: number;
  /** Said to the artist when the anisotropy is above `ANISOTROPY_LIMIT` (no preset's shape could fit). */
  note?: string;
}

/** The largest stretch of the context (3%) a plan may have without saying so. */
export const ANISOTROPY_LIMIT = 0.03;

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

/** The smallest window a plan keeps around the selection: the padding shrunk to a quarter (at least 8). */
export function minimalContext(doc: Size, selection: Rect, opts: ContextOptions = {}): Rect {
  return clampToCanvas(growRect(selection, Math.max(8, Math.ceil(contextPadding(selection, opts.minPadding) / 4))), doc);
}

/** max/min − 1 of two scale factors. */
export function anisotropyOf(scaleX: number, scaleY: number): number {
  return Math.max(scaleX, scaleY) / Math.min(scaleX, scaleY) - 1;
}

/**
 * The window size (document pixels) for a preset: the preset's aspect when a window of that shape can
 * hold `tight` inside the canvas, else the rectangle closest to that aspect that holds `tight`.
 */
export function windowSizeFor(doc: Size, base: Size, tight: Size, preset: Size, grow: boolean): Size {
  const aspect = preset.width / preset.height;
  const maxW = Math.min(doc.width, doc.height * aspect);
  const needTight = Math.max(tight.width, tight.height * aspect);
  if (needTight > maxW + 0.5) {
    const width = Math.min(doc.width, Math.max(tight.width, Math.round(tight.height * aspect)));
    const height = Math.min(doc.height, Math.max(tight.height, Math.round(width / aspect)));
    return { width, height };
  }
  let w = Math.min(maxW, Math.max(needTight, base.width, base.height * aspect));
  if (grow && w < preset.width) w = Math.min(maxW, preset.width);
  const width = Math.min(doc.width, Math.max(tight.width, Math.round(w)));
  const height = Math.min(doc.height, Math.max(tight.height, Math.round(width / aspect)));
  return { width, height };
}

function stretchNote(window: Size, preset: Size, anisotropy: number): string {
  return (
    `No Firefly shape fits around this selection: its context (${window.width}×${window.height}) goes out as ` +
    `${preset.width}×${preset.height}, stretched ${(anisotropy * 100).toFixed(1)}%, and the result is stretched back when placed.`
  );
}

/** The window a preset would use, and what it costs (distortion, detail lost, wasted upscaling). */
export function candidateFor(doc: Size, selection: Rect, base: Rect, preset: Size, opts: ContextOptions = {}): Candidate {
  const bw = rectWidth(base);
  const bh = rectHeight(base);
  const tight = minimalContext(doc, selection, opts);
  const grow = !(opts.workWeight && opts.workWeight > 0);
  const size = windowSizeFor(doc, { width: bw, height: bh }, { width: rectWidth(tight), height: rectHeight(tight) }, preset, grow);
  const window = fitAround(selection, size.width, size.height, canvasRect(doc));
  const scaleX = preset.width / size.width;
  const scaleY = preset.height / size.height;
  const anisotropy = anisotropyOf(scaleX, scaleY);
  const detailLoss = Math.max(0, -Math.log(Math.min(scaleX, scaleY)));
  const upscale = Math.max(0, Math.log(Math.max(scaleX, scaleY)));
  const area = (preset.width * preset.height) / (2048 * 2048);
  const shapeMismatch = Math.abs(Math.log(preset.width / preset.height / (bw / bh)));
  const cost = 4 * Math.log1p(anisotropy) + detailLoss + 0.25 * upscale + 0.05 * shapeMismatch + (0.01 + (opts.workWeight ?? 0)) * area;
  const note = anisotropy > ANISOTROPY_LIMIT ? stretchNote(size, preset, anisotropy) : undefined;
  return { selection, window, sendSize: { ...preset }, scaleX, scaleY, anisotropy, ...(note ? { note } : {}), cost };
}

/** Within-limit candidates always win over stretched ones; then the lowest cost. */
function better(a: Candidate, b: Candidate): boolean {
  const aOk = a.anisotropy <= ANISOTROPY_LIMIT;
  const bOk = b.anisotropy <= ANISOTROPY_LIMIT;
  if (aOk !== bOk) return aOk;
  if (!aOk && Math.abs(a.anisotropy - b.anisotropy) > 1e-9) return a.anisotropy < b.anisotropy;
  return a.cost < b.cost - 1e-9;
}

export function planFillGeometry(doc: Size, selection: Rect, presets: readonly Size[], opts: ContextOptions = {}): FillGeometry {
  if (presets.length === 0) throw new Error("no Firefly sizes to choose from");
  const sel = clampToCanvas(selection, doc);
  if (rectWidth(sel) <= 0 || rectHeight(sel) <= 0) throw new Error("the selection lies outside the canvas");
  const base = baseWindow(doc, sel, opts);
  let best: Candidate | null = null;
  for (const p of presets) {
    const c = candidateFor(doc, sel, base, p, opts);
    if (!best || better(c, best)) best = c;
  }
  const { cost: _cost, ...geometry } = best!;
  return geometry;
}
