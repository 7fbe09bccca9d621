// The tiled Native-detail fill the tile workflow tests share: a 448×256 document with a 384×192
// selection and small Firefly sizes (64×64, upscale output at most 300 px), so one fill cannot
// reach native size and the planner splits it into two overlapping tiles.

import { rig, type Rig } from "./deps";
import { coordImage } from "./images";
import { useSmallSizes } from "./small-sizes";

export const W = 448;
export const H = 256;
export const SEL = { left: 32, top: 32, right: 416, bottom: 224 };

/** A rig with the document open and selected; answers it and the document's id. */
export function tiledFillRig(): { r: Rig; id: number } {
  const r = rig({ script: ["queued", "running", "running"] });
  useSmallSizes(r, { maxUpscaleSide: 300 });
  const id = r.host.createDocument({ title: "tiles.psd", width: W, height: H, pixels: coordImage(W, H) });
  r.host.setSelection(id, SEL);
  return { r, id };
}
