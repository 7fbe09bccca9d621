// Which part of a finished job's output the panel reads, in send-size pixels, so that only that part
// is downloaded (the broker crops) and decoded: for a fill, the layer's rectangle and the tone ring
// around the mask; for an expand that grew one side, that strip and the ring of the original along
// it. Everything else (an expand on several sides, generate, similar) reads the whole output.

import type { DecodeRegion } from "../../common/imaging/crop";
import { fillLayerRect } from "../../common/imaging/compose";
import { expandLayerRect, type ExpandGeometry } from "../../common/imaging/expand";
import { nonZeroBounds } from "../../common/imaging/image";
import type { Rect, Size } from "../../common/host";
import type { FillCaptured } from "./types";

/** Past the layer: the widest tone ring (32 px) and the resampler's reach. */
const RING = 34;

/** A fill's layer rectangle and the tone ring around its mask; undefined when the mask sent is empty. */
export function fillRegion(cap: FillCaptured): DecodeRegion | undefined {
  const req = cap.request;
  const g = req.fill.geometry;
  const nz = nonZeroBounds(cap.sendMask);
  if (nz.right <= nz.left) return undefined;
  const layer = fillLayerRect(g, cap.selection, req.blend.bandPx);
  const scaled = scaleRect(layer, g.window.left, g.window.top, g.scaleX, g.scaleY);
  return within(
    {
      left: Math.min(scaled.left, nz.left - RING),
      top: Math.min(scaled.top, nz.top - RING),
      right: Math.max(scaled.right, nz.right + RING),
      bottom: Math.max(scaled.bottom, nz.bottom + RING),
    },
    req.sendSize,
  );
}

/** An expand's strip and the ring inside the original along it; undefined when it needs all (several sides grew). */
export function expandRegion(g: ExpandGeometry, send: Size): DecodeRegion | undefined {
  const s = scaleRect(expandLayerRect(g), 0, 0, send.width / g.canvas.width, send.height / g.canvas.height);
  const region = within({ left: s.left - RING, top: s.top - RING, right: s.right + RING, bottom: s.bottom + RING }, send);
  const r = region.rect;
  return r.left === 0 && r.top === 0 && r.right === send.width && r.bottom === send.height ? undefined : region;
}

/** `rect` less (x0, y0), scaled, to whole pixels outward. */
function scaleRect(rect: Rect, x0: number, y0: number, sx: number, sy: number): Rect {
  return {
    left: Math.floor((rect.left - x0) * sx),
    top: Math.floor((rect.top - y0) * sy),
    right: Math.ceil((rect.right - x0) * sx),
    bottom: Math.ceil((rect.bottom - y0) * sy),
  };
}

function within(rect: Rect, size: Size): DecodeRegion {
  return {
    rect: { left: Math.max(0, rect.left), top: Math.max(0, rect.top), right: Math.min(size.width, rect.right), bottom: Math.min(size.height, rect.bottom) },
    of: { width: size.width, height: size.height },
  };
}
