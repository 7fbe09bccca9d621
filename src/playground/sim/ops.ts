// Carrying out plan operations on a simulated document state. Every function returns a new state and
// never mutates its input, so the host can roll back by simply keeping the old state.

import type { Anchor, LayerOp, LayerTarget } from "../../common/host";
import { from8, unitToSample, allocChannels, type Depth } from "./pixels";
import type { DocState, SimLayer } from "./state";

export interface OpContext {
  depth: Depth;
  backgroundColor: [number, number, number];
  nextId: () => number;
  refs: Record<string, number>;
}

export class PlanError extends Error {}

function anchorOffset(anchor: Anchor, extraW: number, extraH: number): [number, number] {
  const h =
    anchor === "topLeft" || anchor === "left" || anchor === "bottomLeft"
      ? 0
      : anchor === "topRight" || anchor === "right" || anchor === "bottomRight"
        ? extraW
        : Math.floor(extraW / 2);
  const v =
    anchor === "topLeft" || anchor === "top" || anchor === "topRight"
      ? 0
      : anchor === "bottomLeft" || anchor === "bottom" || anchor === "bottomRight"
        ? extraH
        : Math.floor(extraH / 2);
  return [h, v];
}

function resolve(state: DocState, target: LayerTarget, ctx: OpContext): SimLayer {
  const id = "ref" in target ? ctx.refs[target.ref] : target.id;
  if (id === undefined) throw new PlanError(`unknown layer reference "${(target as { ref: string }).ref}"`);
  const layer = state.layers.find((l) => l.id === id);
  if (!layer) throw new PlanError(`no layer with id ${id}`);
  return layer;
}

function replaceLayer(state: DocState, layer: SimLayer): DocState {
  return { ...state, layers: state.layers.map((l) => (l.id === layer.id ? layer : l)) };
}

/** Index at which a new layer goes: top of the document, or top of its parent group. */
function insertIndex(state: DocState, parentId: number | null): number {
  if (parentId === null) return 0;
  return state.layers.findIndex((l) => l.id === parentId) + 1;
}

function descendants(state: DocState, id: number): Set<number> {
  const out = new Set<number>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const l of state.layers) {
      if (l.parentId !== null && out.has(l.parentId) && !out.has(l.id)) {
        out.add(l.id);
        grew = true;
      }
    }
  }
  return out;
}

function resizeCanvas(state: DocState, width: number, height: number, anchor: Anchor, ctx: OpContext): DocState {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 300000 || height > 300000) {
    throw new PlanError(`invalid canvas size ${width}×${height}`);
  }
  const [dx, dy] = anchorOffset(anchor, width - state.width, height - state.height);
  const layers = state.layers.map((l): SimLayer => {
    const mask = l.mask ? { ...l.mask, left: l.mask.left + dx, top: l.mask.top + dy } : null;
    if (!l.isBackground || !l.data) return { ...l, left: l.left + dx, top: l.top + dy, mask };
    // The Background layer always covers the canvas: new area takes the background colour.
    const data = allocChannels(ctx.depth, width * height * 4);
    const bg = [...ctx.backgroundColor.map((c) => unitToSample(ctx.depth, c / 255, false)), unitToSample(ctx.depth, 1, true)];
    for (let i = 0; i < data.length; i += 4) {
      data[i] = bg[0];
      data[i + 1] = bg[1];
      data[i + 2] = bg[2];
      data[i + 3] = bg[3];
    }
    const x0 = Math.max(0, dx);
    const x1 = Math.min(width, dx + l.width);
    for (let y = Math.max(0, dy); y < Math.min(height, dy + l.height); y++) {
      if (x1 <= x0) break;
      const s = ((y - dy) * l.width + (x0 - dx)) * 4;
      data.set(l.data.subarray(s, s + (x1 - x0) * 4), (y * width + x0) * 4);
    }
    return { ...l, left: 0, top: 0, width, height, data, mask };
  });
  const selection = state.selection
    ? {
        ...state.selection,
        bounds: {
          left: state.selection.bounds.left + dx,
          top: state.selection.bounds.top + dy,
          right: state.selection.bounds.right + dx,
          bottom: state.selection.bounds.bottom + dy,
        },
      }
    : null;
  return { width, height, layers, selection };
}

export function applyOp(state: DocState, op: LayerOp, ctx: OpContext): DocState {
  switch (op.op) {
    case "resizeCanvas":
      return resizeCanvas(state, op.width, op.height, op.anchor, ctx);
    case "createGroup":
    case "createPixelLayer": {
      if (op.ref in ctx.refs) throw new PlanError(`reference "${op.ref}" used twice`);
      const above = op.op === "createGroup" && op.above ? resolve(state, op.above, ctx) : null;
      if (above && op.parent) throw new PlanError(`group "${op.name}" is placed both inside a group and above a layer`);
      const parent = op.parent ? resolve(state, op.parent, ctx) : above && above.parentId !== null ? resolve(state, { id: above.parentId }, ctx) : null;
      if (parent && parent.kind !== "group") throw new PlanError(`layer ${parent.id} is not a group`);
      const id = ctx.nextId();
      let layer: SimLayer;
      if (op.op === "createGroup") {
        layer = {
          id,
          name: op.name,
          kind: "group",
          parentId: parent?.id ?? null,
          visible: true,
          isBackground: false,
          left: 0,
          top: 0,
          width: 0,
          height: 0,
          data: null,
          mask: null,
        };
      } else {
        const { pixels } = op;
        if (pixels.data.length !== pixels.width * pixels.height * 4) throw new PlanError("pixel buffer size does not match its dimensions");
        layer = {
          id,
          name: op.name,
          kind: "pixel",
          parentId: parent?.id ?? null,
          visible: op.visible,
          isBackground: false,
          left: op.left,
          top: op.top,
          width: pixels.width,
          height: pixels.height,
          data: from8(ctx.depth, pixels.data),
          mask: null,
        };
      }
      ctx.refs[op.ref] = id;
      const layers = state.layers.slice();
      layers.splice(above ? state.layers.indexOf(above) : insertIndex(state, parent?.id ?? null), 0, layer);
      return { ...state, layers };
    }
    case "setLayerMask": {
      const layer = resolve(state, op.layer, ctx);
      if (layer.isBackground) throw new PlanError("the Background layer cannot have a layer mask");
      if (op.mask.data.length !== op.mask.width * op.mask.height) throw new PlanError("mask buffer size does not match its dimensions");
      return replaceLayer(state, { ...layer, mask: { left: op.left, top: op.top, width: op.mask.width, height: op.mask.height, data: op.mask.data.slice() } });
    }
    case "setVisibility":
      return replaceLayer(state, { ...resolve(state, op.layer, ctx), visible: op.visible });
    case "rename":
      return replaceLayer(state, { ...resolve(state, op.layer, ctx), name: op.name });
    case "deleteLayer": {
      const layer = resolve(state, op.layer, ctx);
      const gone = descendants(state, layer.id);
      return { ...state, layers: state.layers.filter((l) => !gone.has(l.id)) };
    }
    default:
      throw new PlanError(`unknown operation ${(op as { op: string }).op}`);
  }
}
