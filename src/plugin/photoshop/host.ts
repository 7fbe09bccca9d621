// The Host implemented on Photoshop. The only module (with its siblings here) that imports `photoshop`.

import type {
  ApplyResult,
  CaptureRequest,
  CaptureResult,
  CompositeRequest,
  DocumentSnapshot,
  Host,
  HostChange,
  LayerInfo,
  LayerPlan,
  Rect,
  RGBAImage,
  SelectionMask,
} from "../../common/host";
import { clampToCanvas, isEmptyRect } from "./pixels";
import { applyPlan } from "./apply";
import { readCapture, readComposite, readSelection } from "./capture";
import { activeDocumentOrNull, findDocument, listLayers, snapshot } from "./documents";
import { HostError } from "../../common/host";
import { app } from "photoshop";
import { defaultModalSettings, type ModalSettings } from "./modal";
import { createNotificationHub } from "./notifications";

export function createPhotoshopHost(options: Partial<ModalSettings> = {}): Host {
  const settings: ModalSettings = { ...defaultModalSettings, ...options };
  const hub = createNotificationHub(() => activeDocumentOrNull()?.id ?? null);
  return {
    async activeDocument(): Promise<DocumentSnapshot | null> {
      const doc = activeDocumentOrNull();
      return doc ? snapshot(doc) : null;
    },
    async documents(): Promise<DocumentSnapshot[]> {
      // Index loop: Array methods that build arrays (map) would construct a `Documents` proxy.
      const out: DocumentSnapshot[] = [];
      for (let i = 0; i < app.documents.length; i++) out.push(snapshot(app.documents[i]));
      return out;
    },
    async layers(docId: number): Promise<LayerInfo[]> {
      const doc = findDocument(docId);
      if (!doc) throw new HostError("document_closed", "That document is no longer open.");
      return listLayers(doc);
    },
    selection(docId: number): Promise<SelectionMask | null> {
      return readSelection(docId, settings);
    },
    composite(docId: number, request: CompositeRequest = {}): Promise<RGBAImage> {
      return readComposite(docId, request, settings);
    },
    capture(docId: number, request: CaptureRequest): Promise<CaptureResult> {
      return readCapture(docId, request, settings);
    },
    apply(docId: number, plan: LayerPlan, signal?: AbortSignal): Promise<ApplyResult> {
      return applyPlan(docId, plan, signal, settings);
    },
    subscribe(listener: (event: HostChange) => void): () => void {
      return hub.subscribe(listener);
    },
  };
}

/**
 * The selection's bounds without reading pixels or entering a modal scope (for enabling buttons).
 * `doc.selection.bounds` (PS 25.0+) may exceed the canvas: clamped; null = no selection.
 */
export async function selectionBoundsOf(docId: number): Promise<Rect | null> {
  const doc = findDocument(docId);
  if (!doc) return null;
  let b: Rect | null;
  try {
    b = doc.selection.bounds;
  } catch {
    return null;
  }
  if (!b) return null;
  const r = clampToCanvas(b, { width: Math.round(doc.width), height: Math.round(doc.height) });
  return isEmptyRect(r) ? null : r;
}
