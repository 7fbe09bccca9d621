// The photo bench's cases: object-shaped holes cut where the photograph's background is known,
// and expand strips cut from an edge. Positions and radii are fractions of the image size.

import type { GrayImage } from "../../../src/broker/local/engine/types";

export interface BlobHole {
  kind: "fill";
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

export interface StripHole {
  kind: "expand";
  side: "left" | "right" | "top" | "bottom";
  fraction: number;
}

export interface PhotoCase {
  name: string;
  image: string;
  hole: BlobHole | StripHole;
  /** What the hole covers and what a good fill does there. */
  note: string;
}

const fill = (cx: number, cy: number, rx: number, ry: number): BlobHole => ({ kind: "fill", cx, cy, rx, ry });

export const PHOTO_CASES: PhotoCase[] = [
  { name: "home-sky", image: "home.jpg", hole: fill(0.22, 0.3, 0.09, 0.12), note: "blue sky with birds beside a palace" },
  { name: "leuven-cobbles", image: "leuvenA.jpg", hole: fill(0.45, 0.88, 0.1, 0.07), note: "cobbled street in perspective" },
  { name: "leuven-wall", image: "leuvenA.jpg", hole: fill(0.1, 0.45, 0.06, 0.1), note: "brick wall with a window edge" },
  { name: "building-facade", image: "building.jpg", hole: fill(0.7, 0.3, 0.06, 0.08), note: "regular grid of windows" },
  { name: "messi-grass", image: "messi5.jpg", hole: fill(0.2, 0.9, 0.08, 0.06), note: "mown football pitch with a white line" },
  { name: "squirrel-leaves", image: "squirrel_cls.jpg", hole: fill(0.15, 0.3, 0.08, 0.1), note: "out-of-focus leaves" },
  { name: "smarties-white", image: "smarties.jpg", hole: fill(0.5, 0.3, 0.07, 0.07), note: "white table between sweets" },
  { name: "stuff-table", image: "stuff.jpg", hole: fill(0.2, 0.75, 0.07, 0.07), note: "grey table top near small objects" },
  { name: "baboon-fur", image: "baboon.jpg", hole: fill(0.15, 0.8, 0.07, 0.08), note: "fur" },
  { name: "apple-edge", image: "apple.jpg", hole: fill(0.88, 0.45, 0.06, 0.09), note: "the apple's edge against a green backdrop" },
  { name: "butterfly-leaf", image: "butterfly.jpg", hole: fill(0.9, 0.55, 0.05, 0.1), note: "striped leaf" },
  { name: "aero-city", image: "aero1.jpg", hole: fill(0.55, 0.6, 0.07, 0.07), note: "aerial view of a town" },
  { name: "orange-skin", image: "orange.jpg", hole: fill(0.6, 0.35, 0.08, 0.08), note: "orange peel with a highlight" },
  { name: "rubberwhale-fabric", image: "rubberwhale1.jpg", hole: fill(0.15, 0.6, 0.07, 0.08), note: "striped blue fabric" },
  {
    name: "squirrel-expand-right",
    image: "squirrel_cls.jpg",
    hole: { kind: "expand", side: "right", fraction: 0.2 },
    note: "branch and leaves continue to the right",
  },
  { name: "leuven-expand-top", image: "leuvenA.jpg", hole: { kind: "expand", side: "top", fraction: 0.18 }, note: "overcast sky above roofs" },
];

/** A blob: an ellipse whose radius wobbles with two low harmonics, like a cut-out object. */
function blobMask(w: number, h: number, b: BlobHole): GrayImage {
  const data = new Uint8Array(w * h);
  const cx = b.cx * w,
    cy = b.cy * h,
    rx = b.rx * w,
    ry = b.ry * h;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5 - cx) / rx,
        dy = (y + 0.5 - cy) / ry;
      const t = Math.atan2(dy, dx);
      const r = 1 + 0.15 * Math.sin(3 * t + 0.7) + 0.08 * Math.sin(5 * t + 2.1);
      if (dx * dx + dy * dy < r * r) data[y * w + x] = 255;
    }
  return { width: w, height: h, data };
}

function stripMask(w: number, h: number, s: StripHole): GrayImage {
  const data = new Uint8Array(w * h);
  const nx = Math.round(w * s.fraction),
    ny = Math.round(h * s.fraction);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inStrip = s.side === "left" ? x < nx : s.side === "right" ? x >= w - nx : s.side === "top" ? y < ny : y >= h - ny;
      if (inStrip) data[y * w + x] = 255;
    }
  return { width: w, height: h, data };
}

export function caseMask(w: number, h: number, c: PhotoCase): GrayImage {
  return c.hole.kind === "fill" ? blobMask(w, h, c.hole) : stripMask(w, h, c.hole);
}
