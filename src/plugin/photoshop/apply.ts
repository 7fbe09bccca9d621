// Apply, a job's last step. A LayerPlan is carried out in ONE modal scope, between
// hostControl.suspendHistory and resumeHistory(…, true), so the user sees one history state. Any error
// (or a cancel) rolls the document back with resumeHistory(…, false) and is rethrown as a HostError.
// The target document is found by id and its size re-checked first: results never land elsewhere.

import { action, app, constants, imaging } from "photoshop";
import type { Document } from "photoshop/dom/Document";
import type { Layer } from "photoshop/dom/Layer";
import { HostError, type Anchor, type ApplyResult, type LayerOp, type LayerPlan, type LayerTarget, type Size } from "../../common/host";
import { SRGB, requireImaging } from "./capture";
import { activeDocumentOrNull, findLayer, requireDocument, snapshot, unsupportedReason } from "./documents";
import { cancelled, errorText, runModal, type ModalScope, type ModalSettings } from "./modal";
import { cropMaskToCanvas, cropToCanvas, samplesForDepth } from "./pixels";

const GRAY_PROFILE = "Gray Gamma 2.2";

function anchorPosition(a: Anchor) {
  const A = constants.AnchorPosition;
  switch (a) {
    case "topLeft":
      return A.TOPLEFT;
    case "top":
      return A.TOPCENTER;
    case "topRight":
      return A.TOPRIGHT;
    case "left":
      return A.MIDDLELEFT;
    case "center":
      return A.MIDDLECENTER;
    case "right":
      return A.MIDDLERIGHT;
    case "bottomLeft":
      return A.BOTTOMLEFT;
    case "bottom":
      return A.BOTTOMCENTER;
    case "bottomRight":
      return A.BOTTOMRIGHT;
  }
}

interface ApplyContext {
  doc: Document;
  im: typeof imaging;
  canvas: Size;
  depth: 8 | 16 | 32;
  layers: Map<string, Layer>;
  created: Record<string, number>;
  scope: ModalScope;
}

function resolve(c: ApplyContext, target: LayerTarget): Layer {
  if ("ref" in target) {
    const layer = c.layers.get(target.ref);
    if (!layer) throw new Error(`plan refers to layer "${target.ref}" before creating it`);
    return layer;
  }
  const layer = findLayer(c.doc, target.id);
  if (!layer) throw new HostError("document_changed", "A layer Infill placed earlier was deleted.", `layer id ${target.id}`);
  return layer;
}

/** One layer at a time into a group, then checked (layer.move ordering is unreliable for batches). */
async function moveInside(layer: Layer, group: Layer): Promise<void> {
  await layer.move(group, constants.ElementPlacement.PLACEINSIDE);
  if (layer.parent?.id !== group.id) throw new Error(`layer "${layer.name}" did not land inside group "${group.name}"`);
}

/** The layers next to this one (its parent group's, or the document's top level), top-most first. */
function siblingsOf(doc: Document, layer: Layer): ArrayLike<Layer> {
  return layer.parent ? (layer.parent.layers ?? []) : doc.layers;
}

function indexIn(list: ArrayLike<Layer>, id: number): number {
  for (let i = 0; i < list.length; i++) if (list[i].id === id) return i;
  return -1;
}

/**
 * Directly above `target`, in target's parent group (or the document's top level), then checked: same
 * parent, and the next layer down is `target`.
 */
async function moveAbove(doc: Document, layer: Layer, target: Layer): Promise<void> {
  await layer.move(target, constants.ElementPlacement.PLACEBEFORE);
  const siblings = siblingsOf(doc, target);
  const at = indexIn(siblings, layer.id);
  if ((layer.parent?.id ?? null) !== (target.parent?.id ?? null) || at < 0 || indexIn(siblings, target.id) !== at + 1) {
    throw new Error(`group "${layer.name}" did not land directly above layer "${target.name}"`);
  }
}

/** Gives the layer a user mask that hides everything, made by batchPlay. */
async function addHideAllMask(c: ApplyContext, layer: Layer): Promise<void> {
  const results = await action.batchPlay(
    [
      {
        _obj: "select",
        _target: [
          { _ref: "layer", _id: layer.id },
          { _ref: "document", _id: c.doc.id },
        ],
        makeVisible: false,
      },
      {
        _obj: "make",
        new: { _class: "channel" },
        at: { _ref: "channel", _enum: "channel", _value: "mask" },
        using: { _enum: "userMaskEnabled", _value: "hideAll" },
      },
    ],
    {},
  );
  for (const r of results) {
    // batchPlay often reports failures as values, not exceptions.
    if ((r as { _obj?: string })._obj === "error") throw new Error(`could not add a layer mask: ${String((r as { message?: unknown }).message)}`);
  }
}

async function runOp(c: ApplyContext, op: LayerOp): Promise<void> {
  const { doc, im } = c;
  switch (op.op) {
    case "resizeCanvas": {
      await doc.resizeCanvas(op.width, op.height, anchorPosition(op.anchor));
      const now = { width: Math.round(doc.width), height: Math.round(doc.height) };
      if (now.width !== op.width || now.height !== op.height) {
        throw new Error(`canvas is ${now.width}×${now.height} after resizing to ${op.width}×${op.height}`);
      }
      c.canvas = now;
      return;
    }
    case "createGroup": {
      if (op.parent && op.above) throw new Error(`plan places group "${op.name}" both inside a group and above a layer`);
      // Resolved first: a missing layer fails before anything is created.
      const above = op.above ? resolve(c, op.above) : undefined;
      const group = await doc.createLayerGroup({ name: op.name });
      if (!group) throw new Error(`Photoshop did not create group "${op.name}"`);
      c.layers.set(op.ref, group);
      c.created[op.ref] = group.id;
      if (op.parent) await moveInside(group, resolve(c, op.parent));
      if (above) await moveAbove(doc, group, above);
      return;
    }
    case "createPixelLayer": {
      const layer = await doc.createPixelLayer({ name: op.name });
      if (!layer) throw new Error(`Photoshop did not create layer "${op.name}"`);
      c.layers.set(op.ref, layer);
      c.created[op.ref] = layer.id;
      if (op.parent) await moveInside(layer, resolve(c, op.parent));
      c.scope.checkpoint();
      const placed = cropToCanvas(op.pixels, op.left, op.top, c.canvas);
      if (placed) {
        const { image, left, top } = placed;
        const data = await im.createImageDataFromBuffer(samplesForDepth(image.data, c.depth, 4), {
          width: image.width,
          height: image.height,
          components: 4,
          chunky: true,
          colorSpace: "RGB",
          colorProfile: SRGB,
        });
        try {
          await im.putPixels({
            documentID: doc.id,
            layerID: layer.id,
            imageData: data,
            replace: true,
            // Only left/top are used; the d.ts insists on a full rectangle.
            targetBounds: { left, top, width: image.width, height: image.height },
          });
        } finally {
          await data.dispose();
        }
      }
      layer.visible = op.visible;
      return;
    }
    case "setLayerMask": {
      const layer = resolve(c, op.layer);
      // Hidden everywhere first, then only the mask's rectangle written into it (replace: false):
      // buffers stay the size of the result, not of the canvas.
      await addHideAllMask(c, layer);
      c.scope.checkpoint();
      const placed = cropMaskToCanvas(op.mask, op.left, op.top, c.canvas);
      if (!placed) return;
      const { image, left, top } = placed;
      const data = await im.createImageDataFromBuffer(samplesForDepth(image.data, c.depth, 1), {
        width: image.width,
        height: image.height,
        components: 1,
        chunky: true,
        colorSpace: "Grayscale",
        colorProfile: GRAY_PROFILE,
      });
      try {
        await im.putLayerMask({
          documentID: doc.id,
          layerID: layer.id,
          kind: "user",
          imageData: data,
          replace: false,
          targetBounds: { left, top, width: image.width, height: image.height },
        });
      } finally {
        await data.dispose();
      }
      return;
    }
    case "setVisibility":
      resolve(c, op.layer).visible = op.visible;
      return;
    case "rename":
      resolve(c, op.layer).name = op.name;
      return;
    case "deleteLayer": {
      const layer = resolve(c, op.layer);
      await layer.delete();
      if ("ref" in op.layer) c.layers.delete(op.layer.ref);
      return;
    }
  }
}

export async function applyPlan(docId: number, plan: LayerPlan, signal: AbortSignal | undefined, settings: ModalSettings): Promise<ApplyResult> {
  const im = requireImaging();
  return runModal(
    plan.name,
    async (scope) => {
      const doc = requireDocument(docId);
      const snap = snapshot(doc);
      if (snap.width !== plan.expectDocumentSize.width || snap.height !== plan.expectDocumentSize.height) {
        throw new HostError(
          "document_changed",
          "The document's size changed since the job started, so the results were not placed.",
          `expected ${plan.expectDocumentSize.width}×${plan.expectDocumentSize.height}, found ${snap.width}×${snap.height}`,
        );
      }
      const reason = unsupportedReason(snap);
      if (reason) throw new HostError("unsupported_document", reason);
      // DOM calls are made on this Document object, but whether every one of them addresses it by id
      // (rather than "the active document") is not documented: make it the active one first, and check.
      if (activeDocumentOrNull()?.id !== doc.id) {
        app.activeDocument = doc;
        if (activeDocumentOrNull()?.id !== doc.id) throw new Error("could not bring the job's document to the front");
      }

      const c: ApplyContext = {
        doc,
        im,
        canvas: { width: snap.width, height: snap.height },
        depth: snap.bitDepth,
        layers: new Map(),
        created: {},
        scope,
      };
      const history = scope.ctx.hostControl;
      const suspension = await history.suspendHistory({ documentID: doc.id, name: plan.name });
      try {
        for (let i = 0; i < plan.ops.length; i++) {
          scope.checkpoint();
          await runOp(c, plan.ops[i]);
          scope.progress((i + 1) / plan.ops.length);
        }
        scope.checkpoint();
        await history.resumeHistory(suspension, true);
        return { created: c.created };
      } catch (e) {
        let rollback = "";
        try {
          await history.resumeHistory(suspension, false);
        } catch (r) {
          rollback = ` (rollback: ${errorText(r)})`;
        }
        if (!(e instanceof HostError) && scope.cancelled()) throw cancelled();
        if (e instanceof HostError) throw rollback ? new HostError(e.code, e.message, `${e.detail ?? ""}${rollback}`) : e;
        throw new HostError("apply_failed", "Infill could not place the results; the document was left as it was.", `${errorText(e)}${rollback}`);
      }
    },
    { signal, failCode: "apply_failed", failMessage: "Infill could not place the results; the document was left as it was.", settings },
  );
}
