// Which previews a reference picker needs: the chosen reference's, and every item's while its list is open.

import type { LayerInfo } from "../../common/host";
import type { ImageReference } from "../../common/jobs";
import type { DocumentListEntry } from "../../common/protocol/events";

/** The previews a picker shows: the chosen reference's, and every item's while the list is open. */
export function wantedThumbnails(
  p: { documents: DocumentListEntry[]; layers: Record<number, LayerInfo[]>; value: ImageReference | null },
  open: boolean,
): Array<[number, number | undefined]> {
  const out: Array<[number, number | undefined]> = [];
  if (p.value && p.documents.some((d) => d.id === p.value!.docId)) out.push([p.value.docId, p.value.layerId]);
  if (open) {
    for (const d of p.documents) {
      out.push([d.id, undefined]);
      for (const l of referenceLayers(p.layers[d.id])) out.push([d.id, l.id]);
    }
  }
  const seen = new Set<string>();
  return out.filter(([d, l]) => {
    const key = `${d}:${l ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Layer kinds that have pixels of their own: the only ones a reference may use. */
const WITH_PIXELS: ReadonlySet<LayerInfo["kind"]> = new Set(["pixel", "smartObject", "text"]);

/** The layers a picker offers: those with pixels (never groups, adjustment or fill layers). */
export function referenceLayers(layers: LayerInfo[] | undefined): LayerInfo[] {
  return (layers ?? []).filter((l) => WITH_PIXELS.has(l.kind));
}
