// Expand planning: the new canvas from a target (exact size, aspect preset or per-side pixels with
// alignment), the insets Firefly needs, the request scaled so its output is at most 3999 per side,
// and the two-step anchor canvas operations that make the original's offset exact.

import type { LayerOp, Rect, Size } from "../host";
import type { Alignment, AspectPreset, ExpandTarget } from "../jobs";

export interface Insets {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface ExpandGeometry {
  /** Document size at capture. */
  original: Size;
  /** The canvas after expanding. */
  canvas: Size;
  /** Where the original lies in the new canvas (document pixels). */
  insets: Insets;
  /** The request, scaled: source size, output size and insets in Firefly pixels. */
  scale: number;
  sourceSize: Size;
  outputSize: Size;
  sendInsets: Insets;
}

export const EXPAND_DEFAULT_MAX_SIDE = 3999;
/** Small documents are enlarged for the request until the output's longest side reaches this. */
export const EXPAND_MIN_SIDE = 1024;

export function aspectRatio(preset: AspectPreset): number {
  const [a, b] = preset.split(":").map(Number);
  return a / b;
}

function alignedOffset(extra: number, where: "left" | "top" | "center" | "right" | "bottom"): number {
  if (where === "left" || where === "top") return 0;
  if (where === "right" || where === "bottom") return extra;
  return Math.floor(extra / 2);
}

function insetsFor(doc: Size, w2: number, h2: number, alignment: Alignment): Insets {
  const left = alignedOffset(w2 - doc.width, alignment.horizontal);
  const top = alignedOffset(h2 - doc.height, alignment.vertical);
  return { left, top, right: w2 - doc.width - left, bottom: h2 - doc.height - top };
}

/** Insets of the original inside the new canvas (document pixels). Throws on targets that would crop. */
export function expandInsets(doc: Size, target: ExpandTarget): Insets {
  let insets: Insets;
  if (target.kind === "sides") {
    insets = { left: target.left, top: target.top, right: target.right, bottom: target.bottom };
  } else if (target.kind === "size") {
    if (target.width < doc.width || target.height < doc.height) {
      throw new RangeError(
        `The target ${target.width}×${target.height} is smaller than the document (${doc.width}×${doc.height}); expand only grows the canvas.`,
      );
    }
    insets = insetsFor(doc, target.width, target.height, target.alignment);
  } else {
    const a = aspectRatio(target.aspect);
    let w2 = doc.width;
    let h2 = doc.height;
    if (doc.width / doc.height < a) w2 = Math.round(doc.height * a);
    else h2 = Math.round(doc.width / a);
    insets = insetsFor(doc, w2, h2, target.alignment);
  }
  for (const v of [insets.left, insets.top, insets.right, insets.bottom]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError("Expand sides must be whole, non-negative pixel counts.");
  }
  if (insets.left + insets.top + insets.right + insets.bottom === 0) {
    throw new RangeError("Nothing to expand: the document already has this size or aspect.");
  }
  return insets;
}

export function planExpandGeometry(doc: Size, target: ExpandTarget, maxSide = EXPAND_DEFAULT_MAX_SIDE): ExpandGeometry {
  const insets = expandInsets(doc, target);
  const W2 = doc.width + insets.left + insets.right;
  const H2 = doc.height + insets.top + insets.bottom;
  const longest = Math.max(W2, H2);
  const scale = longest > maxSide ? maxSide / longest : longest < EXPAND_MIN_SIDE ? Math.min(EXPAND_MIN_SIDE, maxSide) / longest : 1;
  const sw = Math.max(1, Math.round(doc.width * scale));
  const sh = Math.max(1, Math.round(doc.height * scale));
  const send: Insets = {
    left: Math.round(insets.left * scale),
    top: Math.round(insets.top * scale),
    right: Math.round(insets.right * scale),
    bottom: Math.round(insets.bottom * scale),
  };
  // Rounding may push a side one or two pixels over the limit: take it off the larger inset.
  while (send.left + sw + send.right > maxSide) {
    if (send.right >= send.left) send.right--;
    else send.left--;
  }
  while (send.top + sh + send.bottom > maxSide) {
    if (send.bottom >= send.top) send.bottom--;
    else send.top--;
  }
  return {
    original: { ...doc },
    canvas: { width: W2, height: H2 },
    insets,
    scale,
    sourceSize: { width: sw, height: sh },
    outputSize: { width: send.left + sw + send.right, height: send.top + sh + send.bottom },
    sendInsets: send,
  };
}

/**
 * Photoshop's two-step anchor method: grow left/top anchored bottom-right, then right/bottom anchored
 * top-left. Content then moves by exactly (left, top). Steps that add nothing are left out.
 */
export function expandCanvasOps(g: ExpandGeometry): LayerOp[] {
  const ops: LayerOp[] = [];
  const { width: W, height: H } = g.original;
  const { left, top } = g.insets;
  if (left > 0 || top > 0) ops.push({ op: "resizeCanvas", width: W + left, height: H + top, anchor: "bottomRight" });
  if (g.insets.right > 0 || g.insets.bottom > 0) {
    ops.push({ op: "resizeCanvas", width: g.canvas.width, height: g.canvas.height, anchor: "topLeft" });
  }
  return ops;
}

/** The original's rectangle inside the new canvas. */
export function originalRect(g: ExpandGeometry): Rect {
  return {
    left: g.insets.left,
    top: g.insets.top,
    right: g.insets.left + g.original.width,
    bottom: g.insets.top + g.original.height,
  };
}

/**
 * The part of the new canvas a result layer covers: only the new area. When one side grew, that strip;
 * otherwise the whole canvas (its mask hides the original). Never a pixel of the original in a strip, so
 * the original's pixels cannot change whatever the layer holds.
 */
export function expandLayerRect(g: ExpandGeometry): Rect {
  const o = originalRect(g);
  const { width, height } = g.canvas;
  const grownLeft = g.insets.left > 0;
  const grownTop = g.insets.top > 0;
  const grownRight = g.insets.right > 0;
  const grownBottom = g.insets.bottom > 0;
  const count = [grownLeft, grownTop, grownRight, grownBottom].filter(Boolean).length;
  if (count !== 1) return { left: 0, top: 0, right: width, bottom: height };
  if (grownLeft) return { left: 0, top: 0, right: o.left, bottom: height };
  if (grownRight) return { left: o.right, top: 0, right: width, bottom: height };
  if (grownTop) return { left: 0, top: 0, right: width, bottom: o.top };
  return { left: 0, top: o.bottom, right: width, bottom: height };
}
