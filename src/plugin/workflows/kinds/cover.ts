// Placing what generate and similar make: an image covering an area (the selection's extent or the
// canvas), masked by the selection when there was one. No tone matching, whole output read.

import type { Rect, RGBAImage, SelectionMask } from "../../../common/host";
import { composeCover, type LayerContent } from "../../../common/imaging/compose";
import { rectHeight, rectWidth } from "../../../common/imaging/rect";
import type { CoverPlacement } from "../types";

type WithCover = { cover: CoverPlacement };

/** The cover for what a capture found: the selection's extent (masked by it) or the whole canvas. */
export function coverOf(target: Rect, selection: SelectionMask | null): CoverPlacement {
  return { target, masked: !!selection, selectionBounds: selection?.bounds };
}

export const coverTargetSize = (target: Rect) => ({ width: rectWidth(target), height: rectHeight(target) });

export const coverPlacing = {
  region: () => undefined,
  sent: () => null,
  tone: () => null,
  compose: (req: WithCover, selection: SelectionMask | null, result: RGBAImage): LayerContent =>
    composeCover(result, req.cover.target, req.cover.masked ? selection : null),
  canvasOps: () => undefined,
  target: (req: WithCover): Rect => req.cover.target,
  selectionBounds: (req: WithCover): Rect | undefined => req.cover.selectionBounds,
};
