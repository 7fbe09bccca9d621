// Small JPEG previews of open documents and layers (what a style or structure reference would send),
// read from the host at thumbnail size so only a few thousand pixels are read and only a few kilobytes
// cross the bridge. Cached per document/layer; the controller drops a document's entries when the
// host says it was edited, and all of them when documents open or close.

import type { Host, Rect } from "../../common/host";
import { matte } from "../../common/imaging/codecs";
import { THUMBNAIL_MAX_SIDE, type ErrorEventBody } from "../../common/protocol";
import { thumbnailOf } from "../workflows/place";

export interface Thumbnail {
  docId: number;
  layerId?: number;
  dataUrl: string;
  width: number;
  height: number;
}

export type ThumbnailAnswer = { ok: true; thumbnail: Thumbnail } | { ok: false; error: ErrorEventBody };

const problem = (code: string, message: string, hint: string): ThumbnailAnswer => ({ ok: false, error: { category: "document", code, message, hint } });

/** Reads and encodes one thumbnail (no cache). A layer is shown over its own bounds, matted on white, as it is sent. */
export async function renderThumbnail(host: Host, docId: number, layerId?: number, maxSide = THUMBNAIL_MAX_SIDE): Promise<ThumbnailAnswer> {
  const doc = (await host.documents()).find((d) => d.id === docId);
  if (!doc) return problem("document_closed", "That document is no longer open.", "Pick another reference.");
  let window: Rect = { left: 0, top: 0, right: doc.width, bottom: doc.height };
  if (layerId !== undefined) {
    const layer = (await host.layers(docId)).find((l) => l.id === layerId);
    if (!layer) return problem("layer_missing", "That layer no longer exists.", "Pick another reference.");
    if (layer.bounds.right <= layer.bounds.left || layer.bounds.bottom <= layer.bounds.top) {
      return problem("layer_empty", "That layer is empty.", "Pick a layer with pixels.");
    }
    window = layer.bounds;
  }
  const w = window.right - window.left;
  const h = window.bottom - window.top;
  const s = Math.min(1, maxSide / Math.max(w, h));
  const targetSize = { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
  const pixels = matte(await host.composite(docId, { window, targetSize, ...(layerId !== undefined ? { layerId } : {}) }));
  const dataUrl = thumbnailOf({ rect: window, pixels, mask: null }, maxSide);
  // thumbnailOf scales down only if the host answered larger than asked.
  const k = Math.min(1, maxSide / Math.max(pixels.width, pixels.height));
  const width = Math.max(1, Math.round(pixels.width * k));
  const height = Math.max(1, Math.round(pixels.height * k));
  return { ok: true, thumbnail: { docId, ...(layerId !== undefined ? { layerId } : {}), dataUrl, width, height } };
}

export class ThumbnailCache {
  private readonly entries = new Map<string, { docId: number; answer: Promise<ThumbnailAnswer> }>();

  constructor(private readonly render: (docId: number, layerId?: number) => Promise<ThumbnailAnswer>) {}

  get(docId: number, layerId?: number): Promise<ThumbnailAnswer> {
    const key = layerId === undefined ? `${docId}` : `${docId}:${layerId}`;
    const known = this.entries.get(key);
    if (known) return known.answer;
    const answer = this.render(docId, layerId);
    const entry = { docId, answer };
    this.entries.set(key, entry);
    // Failures are not kept: the next request tries again.
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    answer.then((a) => !a.ok && forget(), forget);
    return answer;
  }

  /** Drops one document's entries (or all). True when something was dropped, i.e. the panel may show stale previews. */
  invalidate(docId?: number): boolean {
    let dropped = false;
    for (const [key, e] of this.entries) {
      if (docId === undefined || e.docId === docId) {
        this.entries.delete(key);
        dropped = true;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }
}
