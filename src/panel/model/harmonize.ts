// Harmonize in the panel: which layers can be the object, what lies below one, why it cannot run yet,
// and the parameters sent. Pure.

import type { LayerInfo, Rect } from "../../common/host";
import type { HarmonizeParams } from "../../common/jobs";
import { commonBlock } from "./readiness";
import { engineInfo, type PanelState } from "./state";

/** Composites make at most 3 variations. */
export const HARMONIZE_MAX_VARIATIONS = 3;

const hasPixels = (b: Rect): boolean => b.right > b.left && b.bottom > b.top;
const isImageLayer = (l: LayerInfo): boolean => (l.kind === "pixel" || l.kind === "smartObject") && hasPixels(l.bounds);

/** Layers that can be the object: pixel layers and smart objects with pixels, top-most first. */
export function objectLayers(layers: LayerInfo[] | undefined): LayerInfo[] {
  return (layers ?? []).filter(isImageLayer);
}

/** The visible image layers below a layer (the background it is harmonized into), top-most first. */
export function layersBelow(layers: LayerInfo[] | undefined, layerId: number): LayerInfo[] {
  const list = layers ?? [];
  const i = list.findIndex((l) => l.id === layerId);
  return i < 0 ? [] : list.slice(i + 1).filter((l) => l.visible && isImageLayer(l));
}

/** One line describing the background an object goes into. */
export function backgroundDescription(layers: LayerInfo[] | undefined, layerId: number | null): string {
  if (layerId === null) return "Pick the object's layer: the visible layers below it are the background.";
  const below = layersBelow(layers, layerId);
  if (below.length === 0) return "Nothing visible lies below this layer: move the object above a background.";
  const names = below.slice(0, 3).map((l) => `“${l.name}”`);
  const more = below.length > 3 ? ` and ${below.length - 3} more` : "";
  return `Background: ${names.join(", ")}${more}, composited as they show now.`;
}

export const HARMONIZE_NEEDS_FIREFLY = "Harmonize needs Firefly: this broker runs the local engine (no Firefly credentials).";

/** Why Harmonize cannot run now (one sentence), or null. */
export function harmonizeBlocked(s: PanelState, layerId: number | null): string | null {
  const c = commonBlock(s);
  if (c) return c;
  if (engineInfo(s).mode === "local") return HARMONIZE_NEEDS_FIREFLY;
  if (layerId === null) return "Pick the object's layer first.";
  const layers = s.active ? s.layers[s.active.id] : undefined;
  if (!objectLayers(layers).some((l) => l.id === layerId)) return "The chosen layer is gone or has no pixels: pick the object's layer again.";
  if (layersBelow(layers, layerId).length === 0) return "Nothing visible lies below the object's layer: Harmonize needs a background.";
  return null;
}

export interface HarmonizeChoices {
  layerId: number;
  method: "adaptive" | "precise";
  strength: number;
  shadows: boolean;
  shadowIntensity: number;
  keepBackground: boolean;
  variations: number;
  seeds?: number[];
}

/** The job's parameters from the panel's choices (shadows and keep background only where the method takes them). */
export function harmonizeParams(c: HarmonizeChoices): HarmonizeParams {
  const n = Math.max(1, Math.min(HARMONIZE_MAX_VARIATIONS, Math.round(c.variations)));
  const params: HarmonizeParams = { kind: "harmonize", layerId: c.layerId, method: c.method, strength: c.strength, numVariations: n };
  if (c.method === "adaptive") Object.assign(params, { shadows: c.shadows, shadowIntensity: c.shadowIntensity, keepBackground: c.keepBackground });
  if (c.seeds) params.seeds = c.seeds.slice(0, n);
  return params;
}
