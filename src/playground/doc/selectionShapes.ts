// Selection tool shapes → an 8-bit selection mask (255 = selected), feathered, clamped to the canvas.

import type { Rect, SelectionMask } from "../../common/host";
import { canvasFor } from "./images";

export type SelectionTool = "rect" | "ellipse" | "lasso";
export interface Point {
  x: number;
  y: number;
}

export function shapeBounds(points: Point[]): Rect {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return {
    left: Math.floor(Math.min(...xs)),
    top: Math.floor(Math.min(...ys)),
    right: Math.ceil(Math.max(...xs)),
    bottom: Math.ceil(Math.max(...ys)),
  };
}

export function tracePath(ctx: CanvasRenderingContext2D, tool: SelectionTool, points: Point[], dx = 0, dy = 0): void {
  ctx.beginPath();
  if (tool === "lasso") {
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x - dx, p.y - dy) : ctx.lineTo(p.x - dx, p.y - dy)));
    ctx.closePath();
    return;
  }
  const b = shapeBounds(points);
  if (tool === "rect") {
    ctx.rect(b.left - dx, b.top - dy, b.right - b.left, b.bottom - b.top);
  } else {
    const rx = (b.right - b.left) / 2;
    const ry = (b.bottom - b.top) / 2;
    ctx.ellipse(b.left + rx - dx, b.top + ry - dy, Math.max(0.5, rx), Math.max(0.5, ry), 0, 0, Math.PI * 2);
  }
}

/**
 * Rasterises a shape into a selection mask over its (feather-padded) bounds, clamped to the canvas.
 * Returns null when nothing is selected (empty shape or entirely outside the canvas).
 */
export function buildSelection(tool: SelectionTool, points: Point[], feather: number, canvas: { width: number; height: number }): SelectionMask | null {
  if (points.length < (tool === "lasso" ? 3 : 2)) return null;
  const b = shapeBounds(points);
  if (b.right - b.left < 1 || b.bottom - b.top < 1) return null;
  const pad = Math.ceil(feather * 2);
  const bounds: Rect = {
    left: Math.max(0, b.left - pad),
    top: Math.max(0, b.top - pad),
    right: Math.min(canvas.width, b.right + pad),
    bottom: Math.min(canvas.height, b.bottom + pad),
  };
  const w = bounds.right - bounds.left;
  const h = bounds.bottom - bounds.top;
  if (w <= 0 || h <= 0) return null;
  const [, ctx] = canvasFor(w, h);
  if (feather > 0) ctx.filter = `blur(${feather / 2}px)`;
  ctx.fillStyle = "#fff";
  tracePath(ctx, tool, points, bounds.left, bounds.top);
  ctx.fill();
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const mask = new Uint8Array(w * h);
  let any = false;
  for (let i = 0; i < mask.length; i++) {
    mask[i] = rgba[i * 4 + 3];
    if (mask[i]) any = true;
  }
  return any ? { bounds, mask: { width: w, height: h, data: mask } } : null;
}
