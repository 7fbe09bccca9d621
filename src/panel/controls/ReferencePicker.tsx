// A style or structure reference: any open document (its composite) or one of its layers, shown with
// its thumbnail (a small JPEG the host makes; asked for only while shown) and a strength slider.

import { useEffect, useState } from "react";
import { Flex, Image, Item, Picker, Section, Slider, Text, View } from "@adobe/react-spectrum";
import type { ImageReference } from "../../common/jobs";
import type { LayerInfo } from "../../common/host";
import type { DocumentListEntry } from "../../common/protocol/events";
import { thumbKey, type ThumbState } from "../model/state";
import { referenceLayers, wantedThumbnails } from "../model/references";

export interface ReferencePickerProps {
  label: string;
  description: string;
  documents: DocumentListEntry[];
  layers: Record<number, LayerInfo[]>;
  value: ImageReference | null;
  onChange: (v: ImageReference | null) => void;
  requestLayers: (docId: number) => void;
  thumbnails: Record<string, ThumbState>;
  requestThumbnail: (docId: number, layerId?: number) => void;
  testId?: string;
}

export function refKey(r: ImageReference | null): string {
  if (!r) return "none";
  return thumbKey(r.docId, r.layerId);
}

export function parseRefKey(key: string, strength: number): ImageReference | null {
  const [kind, a, b] = key.split(":");
  if (kind === "doc") return { docId: Number(a), strength };
  if (kind === "layer") return { docId: Number(a), layerId: Number(b), strength };
  return null;
}

const BLANK = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

/** The thumbnail in a list item (the item's icon slot), or an empty tile while it loads. */
function ItemThumb({ thumb }: { thumb: ThumbState | undefined }) {
  const ready = thumb?.status === "ready";
  return (
    <Image
      slot="icon"
      src={ready ? thumb.dataUrl : BLANK}
      alt=""
      width="size-400"
      height="size-400"
      objectFit="contain"
      UNSAFE_className={ready ? "infill-ref-item-thumb" : "infill-ref-item-thumb infill-ref-item-thumb--empty"}
    />
  );
}

function Preview({ doc, layer, thumb }: { doc: DocumentListEntry; layer?: LayerInfo; thumb: ThumbState | undefined }) {
  // Frame at the reference's aspect until the host's thumbnail arrives.
  const aspectW = layer ? layer.bounds.right - layer.bounds.left : doc.width;
  const aspectH = layer ? layer.bounds.bottom - layer.bounds.top : doc.height;
  const w = 72;
  const h = Math.max(24, Math.min(96, Math.round((w * aspectH) / Math.max(1, aspectW))));
  return (
    <Flex direction="row" gap="size-100" alignItems="center">
      {thumb?.status === "ready" ? (
        <img
          src={thumb.dataUrl}
          width={thumb.width}
          height={thumb.height}
          alt={`Preview of ${layer ? `layer “${layer.name}”` : doc.title}`}
          className="infill-ref-thumb"
          data-testid="reference-thumbnail"
        />
      ) : (
        <View
          width={`${w}px`}
          height={`${h}px`}
          borderWidth="thin"
          borderColor="default"
          borderRadius="small"
          UNSAFE_className="infill-ref-frame"
          aria-busy={thumb?.status === "loading" || undefined}
          aria-hidden
        />
      )}
      <Flex direction="column" gap="size-50">
        <Text UNSAFE_className="infill-detail">
          {layer ? `Layer "${layer.name}" of ` : ""}
          {doc.title} · {doc.width} × {doc.height} px
        </Text>
        {thumb?.status === "failed" && (
          <Text UNSAFE_className="infill-detail" data-testid="reference-thumbnail-problem">
            {thumb.message}
          </Text>
        )}
      </Flex>
    </Flex>
  );
}

export function ReferencePicker(p: ReferencePickerProps) {
  const strength = p.value?.strength ?? 50;
  const [open, setOpen] = useState(false);
  useEffect(() => {
    for (const d of p.documents) if (!p.layers[d.id]) p.requestLayers(d.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- ask when the documents change, not again on each layers update
  }, [p.documents]);
  // Ask for the previews on screen that the panel does not have (again after the host says they went stale).
  useEffect(() => {
    for (const [docId, layerId] of wantedThumbnails(p, open)) if (!p.thumbnails[thumbKey(docId, layerId)]) p.requestThumbnail(docId, layerId);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the props object is new each render; the fields read are listed
  }, [open, p.value?.docId, p.value?.layerId, p.documents, p.layers, p.thumbnails]);
  const doc = p.value ? p.documents.find((d) => d.id === p.value!.docId) : undefined;
  const layer = p.value?.layerId !== undefined && doc ? p.layers[doc.id]?.find((l) => l.id === p.value!.layerId) : undefined;
  const gone = p.value && !doc;

  return (
    <Flex direction="column" gap="size-75" data-testid={p.testId}>
      <Picker
        label={p.label}
        description={p.documents.length ? p.description : "Open another document to use it as a reference."}
        selectedKey={refKey(p.value)}
        onSelectionChange={(k) => p.onChange(parseRefKey(String(k), strength))}
        onOpenChange={setOpen}
        width="100%"
        validationState={gone ? "invalid" : undefined}
        errorMessage={gone ? "That document was closed: pick another reference." : undefined}
      >
        {[
          <Section key="none-section" title="No reference">
            <Item key="none">None</Item>
          </Section>,
          ...p.documents.map((d) => (
            <Section key={`s${d.id}`} title={d.title}>
              {[
                <Item key={thumbKey(d.id)} textValue={`${d.title} (whole document)`}>
                  <ItemThumb thumb={p.thumbnails[thumbKey(d.id)]} />
                  <Text>{`${d.title} (whole document)`}</Text>
                  <Text slot="description">{`${d.width} × ${d.height} px`}</Text>
                </Item>,
                ...referenceLayers(p.layers[d.id]).map((l) => (
                  <Item key={thumbKey(d.id, l.id)} textValue={`${d.title} › ${l.name}`}>
                    <ItemThumb thumb={p.thumbnails[thumbKey(d.id, l.id)]} />
                    <Text>{`${d.title} › ${l.name}`}</Text>
                    <Text slot="description">{`Layer · ${l.bounds.right - l.bounds.left} × ${l.bounds.bottom - l.bounds.top} px`}</Text>
                  </Item>
                )),
              ]}
            </Section>
          )),
        ]}
      </Picker>
      {p.value && doc && (
        <>
          <Preview doc={doc} layer={layer} thumb={p.thumbnails[refKey(p.value)]} />
          <Slider
            label={`${p.label} strength`}
            minValue={1}
            maxValue={100}
            value={strength}
            onChange={(v) => p.onChange({ ...p.value!, strength: v })}
            width="100%"
          />
        </>
      )}
    </Flex>
  );
}
