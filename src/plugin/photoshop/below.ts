// The composite of the visible layers under one layer (what an object sits on), read inside a capture's
// modal scope: history is suspended, every layer at or above it in stacking order (its groups aside) is
// hidden, the composite read, and the suspension rolled back, so the document is left as it was and no
// history state is added.

import type { Document } from "photoshop/dom/Document";
import type { Layer } from "photoshop/dom/Layer";
import { HostError } from "../../common/host";
import type { ModalScope } from "./modal";

/** Layers top-most first, each group followed by its children. */
function stackOrder(layers: readonly Layer[] | null | undefined, out: Layer[] = []): Layer[] {
  for (const l of layers ?? []) {
    out.push(l);
    stackOrder(l.layers, out);
  }
  return out;
}

/** The layers to hide so only what lies under `layerId` shows: it and everything above, except the groups holding it. */
export function layersAbove(all: Layer[], layerId: number): Layer[] {
  const i = all.findIndex((l) => l.id === layerId);
  if (i < 0) throw new HostError("capture_failed", "That layer no longer exists.", `layer ${layerId}`);
  const holders = new Set<number>();
  for (let p = all[i].parent; p; p = p.parent) holders.add(p.id);
  return all.slice(0, i + 1).filter((l) => !holders.has(l.id) && l.visible);
}

export async function readBelow<T>(scope: ModalScope, doc: Document, layerId: number, read: () => Promise<T>): Promise<T> {
  const hide = layersAbove(stackOrder(doc.layers as unknown as Layer[]), layerId);
  const history = scope.ctx.hostControl;
  const suspension = await history.suspendHistory({ documentID: doc.id, name: "Infill: reading the background" });
  try {
    for (const l of hide) l.visible = false;
    return await read();
  } finally {
    await history.resumeHistory(suspension, false);
  }
}
