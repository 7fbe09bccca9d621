// The simulated document's state: layers (top-most first, a group's children right after it), canvas
// size and selection. States are treated as immutable: operations build new ones, so history and
// rollback are just references.

import type { ColorMode, GrayImage, Rect } from "../../common/host";
import type { Channels, Depth } from "./pixels";

export interface SimMask {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export interface SimLayer {
  id: number;
  name: string;
  kind: "pixel" | "group";
  parentId: number | null;
  visible: boolean;
  isBackground: boolean;
  /** Pixel rectangle (pixel layers); may extend past the canvas. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** RGBA at the document's depth, straight alpha; null for groups. */
  data: Channels | null;
  mask: SimMask | null;
}

export interface SimSelection {
  /** May exceed the canvas, as Photoshop's selection bounds can. */
  bounds: Rect;
  mask: GrayImage;
}

export interface DocState {
  width: number;
  height: number;
  layers: SimLayer[];
  selection: SimSelection | null;
}

export interface SimDocument {
  id: number;
  title: string;
  resolution: number;
  mode: ColorMode;
  depth: Depth;
  profile: string;
  /** Background colour used when the canvas grows (8-bit RGB). */
  backgroundColor: [number, number, number];
  state: DocState;
  history: { name: string; state: DocState }[];
  historyIndex: number;
}

export function isEffectivelyVisible(layers: SimLayer[], layer: SimLayer): boolean {
  let cur: SimLayer | undefined = layer;
  while (cur) {
    if (!cur.visible) return false;
    const parent: number | null = cur.parentId;
    cur = parent === null ? undefined : layers.find((l) => l.id === parent);
  }
  return true;
}

/** The masks of a layer and of its ancestors (pass-through groups apply their masks to their content). */
export function masksOf(layers: SimLayer[], layer: SimLayer): SimMask[] {
  const out: SimMask[] = [];
  let cur: SimLayer | undefined = layer;
  while (cur) {
    if (cur.mask) out.push(cur.mask);
    const parent: number | null = cur.parentId;
    cur = parent === null ? undefined : layers.find((l) => l.id === parent);
  }
  return out;
}

export function hasBackground(state: DocState): boolean {
  return state.layers.some((l) => l.isBackground);
}
