// What captures share: opaque sources, sizes within a limit, and references read from other documents
// (one capture per document).

import type { CompositeRequest, DocumentSnapshot, Host, Rect, RGBAImage, Size } from "../../common/host";
import type { ImageReference } from "../../common/jobs";
import { matte } from "../../common/imaging/codecs";
import { rectHeight, rectWidth } from "../../common/imaging/rect";
import { documentError } from "./errors";
import type { WorkflowDeps } from "./types";

/** References and similar sources are read at most this large (Firefly generates at ≤ 2688 px). */
export const REFERENCE_MAX_SIDE = 2048;

export function fitWithin(size: Size, maxSide: number): Size {
  const s = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * s)), height: Math.max(1, Math.round(size.height * s)) };
}

export function opaque(img: RGBAImage): RGBAImage {
  for (let p = 3; p < img.data.length; p += 4) if (img.data[p] !== 255) return matte(img);
  return img;
}

export const canvasOf = (doc: DocumentSnapshot): Rect => ({ left: 0, top: 0, right: doc.width, bottom: doc.height });
export const sizeOf = (doc: DocumentSnapshot): Size => ({ width: doc.width, height: doc.height });
export const rectSize = (r: Rect): Size => ({ width: rectWidth(r), height: rectHeight(r) });

/** Where a reference is read from: its document and the composite request (window, layer, size). */
export interface ReferenceRead {
  docId: number;
  request: CompositeRequest;
}

export async function planReference(ref: ImageReference, what: string, deps: WorkflowDeps): Promise<ReferenceRead> {
  const doc = (await deps.host.documents()).find((d) => d.id === ref.docId);
  if (!doc) throw documentError(`The ${what} reference document is no longer open. Open it again or pick another reference.`);
  let size: Size = { width: doc.width, height: doc.height };
  let window: Rect | undefined;
  if (ref.layerId !== undefined) {
    const layer = (await deps.host.layers(ref.docId)).find((l) => l.id === ref.layerId);
    if (!layer) throw documentError(`The ${what} reference layer no longer exists. Pick another reference.`);
    if (rectWidth(layer.bounds) <= 0 || rectHeight(layer.bounds) <= 0) throw documentError(`The ${what} reference layer is empty. Pick a layer with pixels.`);
    window = layer.bounds;
    size = rectSize(layer.bounds);
  }
  return { docId: ref.docId, request: { window, layerId: ref.layerId, targetSize: fitWithin(size, REFERENCE_MAX_SIDE) } };
}

/**
 * Reads references that live in other documents than the job's: one `capture` (one modal scope in
 * Photoshop) per document, never more. References from the job's own document are read with the job.
 */
export async function readOtherDocuments(reads: ReferenceRead[], jobDocId: number, host: Host): Promise<Map<ReferenceRead, RGBAImage>> {
  const out = new Map<ReferenceRead, RGBAImage>();
  const byDoc = new Map<number, ReferenceRead[]>();
  for (const r of reads) if (r.docId !== jobDocId) byDoc.set(r.docId, [...(byDoc.get(r.docId) ?? []), r]);
  for (const [docId, list] of byDoc) {
    const got = await host.capture(docId, { selection: false, composites: list.map((r) => r.request) });
    list.forEach((r, i) => out.set(r, got.composites[i]));
  }
  return out;
}
