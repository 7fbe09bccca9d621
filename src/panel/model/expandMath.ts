// Live numbers for the Expand tab: the new canvas size for a target, and how the request to the
// engine will be scaled to fit Firefly's 3999 px per-side limit. Pure; shown before the user runs.

import type { Alignment, AspectPreset, ExpandTarget } from "../../common/jobs";
import type { Size } from "../../common/host";
import { EXPAND_MAX_SIDE } from "./limits";

export interface ExpandNumbers {
  /** Canvas size after the expand. */
  canvas: Size;
  /** Pixels added on each side. */
  added: { left: number; top: number; right: number; bottom: number };
  /** Size of the request sent to the engine (the canvas scaled down to fit the limit). */
  request: Size;
  /** request / canvas (1 when no scaling is needed). */
  scale: number;
  /** Why the target cannot run, or null. */
  problem: string | null;
}

export function aspectRatio(preset: AspectPreset): number {
  const [w, h] = preset.split(":").map(Number);
  return w / h;
}

function split(total: number, where: "start" | "center" | "end"): [number, number] {
  if (where === "start") return [0, total];
  if (where === "end") return [total, 0];
  const a = Math.floor(total / 2);
  return [a, total - a];
}

function sidesFor(doc: Size, canvas: Size, alignment: Alignment) {
  // Alignment says where the original sits in the new canvas: "left" keeps it at the left edge.
  const h = alignment.horizontal === "left" ? "start" : alignment.horizontal === "right" ? "end" : "center";
  const v = alignment.vertical === "top" ? "start" : alignment.vertical === "bottom" ? "end" : "center";
  const [left, right] = split(canvas.width - doc.width, h);
  const [top, bottom] = split(canvas.height - doc.height, v);
  return { left, top, right, bottom };
}

/** The smallest canvas with the preset's aspect that contains the document. */
export function canvasForAspect(doc: Size, preset: AspectPreset): Size {
  const r = aspectRatio(preset);
  if (doc.width / doc.height < r) return { width: Math.round(doc.height * r), height: doc.height };
  return { width: doc.width, height: Math.round(doc.width / r) };
}

export function expandNumbers(doc: Size, target: ExpandTarget): ExpandNumbers {
  let canvas: Size;
  let added: ExpandNumbers["added"];
  if (target.kind === "sides") {
    added = { left: target.left, top: target.top, right: target.right, bottom: target.bottom };
    canvas = { width: doc.width + target.left + target.right, height: doc.height + target.top + target.bottom };
  } else {
    canvas = target.kind === "aspect" ? canvasForAspect(doc, target.aspect) : { width: target.width, height: target.height };
    added = sidesFor(doc, canvas, target.alignment);
  }
  let problem: string | null = null;
  if (canvas.width < doc.width || canvas.height < doc.height) {
    problem = `The new size must be at least the document's ${doc.width} × ${doc.height} px.`;
  } else if (canvas.width === doc.width && canvas.height === doc.height) {
    problem = "The new canvas is the same size as the document: nothing to expand.";
  }
  const longest = Math.max(canvas.width, canvas.height);
  const scale = longest > EXPAND_MAX_SIDE ? EXPAND_MAX_SIDE / longest : 1;
  const request = {
    width: Math.max(1, Math.min(EXPAND_MAX_SIDE, Math.round(canvas.width * scale))),
    height: Math.max(1, Math.min(EXPAND_MAX_SIDE, Math.round(canvas.height * scale))),
  };
  return { canvas, added, request, scale, problem };
}

export function describeScale(n: ExpandNumbers): string {
  if (n.scale === 1) return `Generated at full size (${n.request.width} × ${n.request.height} px, limit ${EXPAND_MAX_SIDE} px per side).`;
  return `Over ${EXPAND_MAX_SIDE} px per side: generated at ${n.request.width} × ${n.request.height} px (${Math.round(n.scale * 100)}%) and scaled up; the original pixels stay untouched.`;
}
