// Plans: pure lists of layer operations, carried out by Host.apply as one history step.

import type { LayerOp, LayerPlan, LayerTarget, Size } from "../host";
import type { LayerContent } from "./compose";

export interface VariationLayer {
  name: string;
  content: LayerContent;
}

export interface PlacementPlanInput {
  historyName: string;
  /** Document size the plan was computed for (checked by the host before anything runs). */
  documentSize: Size;
  /** Canvas operations first (expand). */
  canvasOps?: LayerOp[];
  groupName: string;
  /** Where the group goes: directly above this layer, in its parent group; absent: where the host puts new layers. */
  groupAbove?: LayerTarget;
  variations: VariationLayer[];
  /** Which variation starts visible (default 0). */
  visibleIndex?: number;
  /** Layers deleted first, in the same step (an instant preview the results replace). */
  removeLayerIds?: number[];
}

export const GROUP_REF = "group";
export const variationRef = (i: number): string => `v${i}`;

/** One group holding every variation (first visible, others hidden), each with its layer mask; the group placed as asked. */
export function placementPlan(input: PlacementPlanInput): LayerPlan {
  const ops: LayerOp[] = (input.removeLayerIds ?? []).map((id): LayerOp => ({ op: "deleteLayer", layer: { id } }));
  ops.push(...(input.canvasOps ?? []));
  ops.push({ op: "createGroup", ref: GROUP_REF, name: input.groupName, ...(input.groupAbove ? { above: input.groupAbove } : {}) });
  const visible = input.visibleIndex ?? 0;
  input.variations.forEach((v, i) => {
    const ref = variationRef(i);
    ops.push({
      op: "createPixelLayer",
      ref,
      name: v.name,
      parent: { ref: GROUP_REF },
      pixels: v.content.pixels,
      left: v.content.rect.left,
      top: v.content.rect.top,
      visible: i === visible,
    });
    if (v.content.mask) {
      ops.push({ op: "setLayerMask", layer: { ref }, mask: v.content.mask, left: v.content.rect.left, top: v.content.rect.top });
    }
  });
  return { name: input.historyName, expectDocumentSize: { ...input.documentSize }, ops };
}

/** Show one variation, hide the others. */
export function selectVariationPlan(documentSize: Size, layerIds: number[], visibleIndex: number): LayerPlan {
  return {
    name: "Infill: Show Variation",
    expectDocumentSize: { ...documentSize },
    ops: layerIds.map((id, i) => ({ op: "setVisibility", layer: { id }, visible: i === visibleIndex })),
  };
}

/** Keep one variation: delete the other layers and make sure the kept one is visible. */
export function keepOnlyPlan(documentSize: Size, layerIds: number[], keepIndex: number): LayerPlan {
  const ops: LayerOp[] = [];
  layerIds.forEach((id, i) => {
    if (i !== keepIndex) ops.push({ op: "deleteLayer", layer: { id } });
  });
  ops.push({ op: "setVisibility", layer: { id: layerIds[keepIndex] }, visible: true });
  return { name: "Infill: Keep Variation", expectDocumentSize: { ...documentSize }, ops };
}

/** A layer/group name from a prompt: one line, at most `max` characters. */
export function nameFromPrompt(prompt: string | undefined, fallback: string, max = 60): string {
  const p = (prompt ?? "").replace(/\s+/g, " ").trim();
  if (!p) return fallback;
  return p.length <= max ? p : p.slice(0, max - 1).trimEnd() + "…";
}

export const PREVIEW_REF = "preview";

/** An instant preview: one visible layer with its layer mask, after any canvas steps (an expand's), in a history step of its own. */
export function previewLayerPlan(historyName: string, documentSize: Size, name: string, content: LayerContent, canvasOps: LayerOp[] = []): LayerPlan {
  const { pixels, rect, mask } = content;
  const ops: LayerOp[] = [...canvasOps, { op: "createPixelLayer", ref: PREVIEW_REF, name, pixels, left: rect.left, top: rect.top, visible: true }];
  if (mask) ops.push({ op: "setLayerMask", layer: { ref: PREVIEW_REF }, mask, left: rect.left, top: rect.top });
  return { name: historyName, expectDocumentSize: { ...documentSize }, ops };
}

/** Delete layers (a preview the job no longer needs) as one history step. */
export function removeLayersPlan(historyName: string, documentSize: Size, layerIds: number[]): LayerPlan {
  return { name: historyName, expectDocumentSize: { ...documentSize }, ops: layerIds.map((id) => ({ op: "deleteLayer", layer: { id } })) };
}
