// The instant preview's pure parts: its layer's name, where it stands (stored with the job), what the
// results' step does with it, and the canvas steps that take an expand's preview back out.

import type { LayerOp, Size } from "../../common/host";
import type { ExpandGeometry } from "../../common/imaging/expand";

/** The preview layer's name: what it is and, when known, the job's place in the queue. */
export function previewLayerName(queuePosition: number | undefined): string {
  return `Preview — waiting for Firefly${queuePosition ? ` (#${queuePosition})` : ""}`;
}

/** Where a placed preview is, as stored with the job (so a resumed job finds it). */
export interface PlacedPreview {
  docId: number;
  layerId: number;
  /** An expand's preview grew the canvas to this size in its own step... */
  canvas?: Size;
  /** ...and these operations shrink it back (run when the preview is removed without results). */
  restoreCanvas?: LayerOp[];
}

/** A preview the results replace in their apply step: its layer deleted first; `canvas` when its step already grew the canvas. */
export interface Replacing {
  layerIds: number[];
  canvas?: Size;
}

/**
 * Undoes expandCanvasOps (the two-step anchor method) in reverse order: shrink the right/bottom growth
 * anchored top-left, then the left/top growth anchored bottom-right. Steps that removed nothing are left out.
 */
export function shrinkCanvasOps(g: ExpandGeometry): LayerOp[] {
  const ops: LayerOp[] = [];
  const { width: W, height: H } = g.original;
  const { left, top, right, bottom } = g.insets;
  if (right > 0 || bottom > 0) ops.push({ op: "resizeCanvas", width: W + left, height: H + top, anchor: "topLeft" });
  if (left > 0 || top > 0) ops.push({ op: "resizeCanvas", width: W, height: H, anchor: "bottomRight" });
  return ops;
}

/** What the results' step does with a stored preview: nothing when it is gone or in another document. */
export function replacingFor(preview: PlacedPreview | undefined, live: boolean, targetDocId: number, docSize: Size | undefined): Replacing | undefined {
  if (!preview || !live || preview.docId !== targetDocId) return undefined;
  const grown = preview.canvas && docSize && docSize.width === preview.canvas.width && docSize.height === preview.canvas.height;
  return grown ? { layerIds: [preview.layerId], canvas: preview.canvas } : { layerIds: [preview.layerId] };
}
