// Reading the Photoshop DOM into the Host's plain snapshots, and finding documents and layers by id.

import { app } from "photoshop";
import type { Document } from "photoshop/dom/Document";
import type { Layer } from "photoshop/dom/Layer";
export { unsupportedReason } from "../controller/support";
import { HostError, type ColorMode, type DocumentSnapshot, type LayerInfo, type Rect } from "../../common/host";

const MODES: Record<string, ColorMode> = {
  RGBColorMode: "rgb",
  grayscaleMode: "grayscale",
  CMYKColorMode: "cmyk",
  labColorMode: "lab",
  indexedColorMode: "indexed",
  bitmapMode: "bitmap",
  duotoneMode: "duotone",
  multichannelMode: "multichannel",
};

const DEPTHS: Record<string, 8 | 16 | 32> = { bitDepth1: 8, bitDepth8: 8, bitDepth16: 16, bitDepth32: 32 };

export function findDocument(docId: number): Document | undefined {
  // Documents extends Array<Document>: look it up by id, never "whichever is active".
  return app.documents.find((d) => d.id === docId);
}

export function requireDocument(docId: number): Document {
  const doc = findDocument(docId);
  if (!doc) throw new HostError("document_closed", "The document this job belongs to is no longer open.");
  return doc;
}

export function activeDocumentOrNull(): Document | null {
  if (app.documents.length === 0) return null;
  try {
    return app.activeDocument ?? null;
  } catch {
    return null;
  }
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    const v = read();
    return v === undefined || v === null ? fallback : v;
  } catch {
    return fallback;
  }
}

export function snapshot(doc: Document): DocumentSnapshot {
  return {
    id: doc.id,
    title: safe(
      () => doc.title,
      safe(() => doc.name, `Document ${doc.id}`),
    ),
    width: Math.round(doc.width),
    height: Math.round(doc.height),
    resolution: safe(() => doc.resolution, 72),
    mode: MODES[safe(() => String(doc.mode), "")] ?? "rgb",
    bitDepth: DEPTHS[safe(() => String(doc.bitsPerChannel), "bitDepth8")] ?? 8,
    profile: safe(() => doc.colorProfileName, ""),
    hasBackground: safe(() => doc.backgroundLayer !== null, false),
  };
}

function kindOf(layer: Layer): LayerInfo["kind"] {
  const k = safe(() => String(layer.kind), "");
  switch (k) {
    case "pixel":
      return "pixel";
    case "group":
      return "group";
    case "text":
      return "text";
    case "smartObject":
      return "smartObject";
    case "solidColor":
    case "gradientFill":
    case "pattern":
    case "video":
    case "threeD":
    case "":
      return "other";
    default:
      return "adjustment";
  }
}

function boundsOf(layer: Layer): Rect {
  const b = safe<Rect>(() => layer.boundsNoEffects, { left: 0, top: 0, right: 0, bottom: 0 });
  return { left: Math.floor(b.left), top: Math.floor(b.top), right: Math.ceil(b.right), bottom: Math.ceil(b.bottom) };
}

/** All layers, top-most first, depth-first through groups. */
export function listLayers(doc: Document): LayerInfo[] {
  const out: LayerInfo[] = [];
  const walk = (layers: ArrayLike<Layer> | null, parentId: number | null) => {
    if (!layers) return;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      out.push({ id: layer.id, name: layer.name, kind: kindOf(layer), visible: safe(() => layer.visible, true), bounds: boundsOf(layer), parentId });
      if (kindOf(layer) === "group")
        walk(
          safe(() => layer.layers, null),
          layer.id,
        );
    }
  };
  walk(doc.layers, null);
  return out;
}

export function findLayer(doc: Document, layerId: number): Layer | undefined {
  const walk = (layers: ArrayLike<Layer> | null): Layer | undefined => {
    if (!layers) return undefined;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (layer.id === layerId) return layer;
      const inner = kindOf(layer) === "group" ? walk(safe(() => layer.layers, null)) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(doc.layers);
}
