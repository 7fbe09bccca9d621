// Half-open rectangles in document pixels (right/bottom excluded), as Photoshop reports bounds.

import type { Rect, Size } from "../host";

export function rect(left: number, top: number, right: number, bottom: number): Rect {
  return { left, top, right, bottom };
}

export function rectWidth(r: Rect): number {
  return r.right - r.left;
}

export function rectHeight(r: Rect): number {
  return r.bottom - r.top;
}

export function rectSize(r: Rect): Size {
  return { width: r.right - r.left, height: r.bottom - r.top };
}

export function isEmptyRect(r: Rect): boolean {
  return r.right <= r.left || r.bottom <= r.top;
}

export function intersectRect(a: Rect, b: Rect): Rect {
  const r = {
    left: Math.max(a.left, b.left),
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
  };
  if (isEmptyRect(r)) return { left: r.left, top: r.top, right: r.left, bottom: r.top };
  return r;
}

export function unionRect(a: Rect, b: Rect): Rect {
  if (isEmptyRect(a)) return { ...b };
  if (isEmptyRect(b)) return { ...a };
  return {
    left: Math.min(a.left, b.left),
    top: Math.min(a.top, b.top),
    right: Math.max(a.right, b.right),
    bottom: Math.max(a.bottom, b.bottom),
  };
}

export function canvasRect(size: Size): Rect {
  return { left: 0, top: 0, right: size.width, bottom: size.height };
}

/** Clamp to a canvas of `size` (selection bounds may exceed the canvas). */
export function clampToCanvas(r: Rect, size: Size): Rect {
  return intersectRect(r, canvasRect(size));
}

export function growRect(r: Rect, by: number): Rect {
  return { left: r.left - by, top: r.top - by, right: r.right + by, bottom: r.bottom + by };
}

export function translateRect(r: Rect, dx: number, dy: number): Rect {
  return { left: r.left + dx, top: r.top + dy, right: r.right + dx, bottom: r.bottom + dy };
}

export function rectsEqual(a: Rect, b: Rect): boolean {
  return a.left === b.left && a.top === b.top && a.right === b.right && a.bottom === b.bottom;
}

export function containsRect(outer: Rect, inner: Rect): boolean {
  return inner.left >= outer.left && inner.top >= outer.top && inner.right <= outer.right && inner.bottom <= outer.bottom;
}

/**
 * A rectangle of `width`×`height` placed so it contains `inner` (centred on it when larger) and, when
 * possible, lies inside `bounds` (shifted back inside; clipped only if larger than `bounds`).
 */
export function fitAround(inner: Rect, width: number, height: number, bounds: Rect): Rect {
  const place = (lo: number, hi: number, len: number, blo: number, bhi: number): [number, number] => {
    if (len >= bhi - blo) return [blo, bhi];
    let start = Math.floor((lo + hi) / 2 - len / 2);
    if (start + len > bhi) start = bhi - len;
    if (start < blo) start = blo;
    return [start, start + len];
  };
  const [left, right] = place(inner.left, inner.right, width, bounds.left, bounds.right);
  const [top, bottom] = place(inner.top, inner.bottom, height, bounds.top, bounds.bottom);
  return { left, top, right, bottom };
}
