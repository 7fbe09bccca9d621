// A style or structure reference: any open document (its composite) or one of its layers,
// shown with a preview frame and a strength slider.

import React, { useEffect } from "react";
import { Flex, Item, Picker, Section, Slider, Text, View } from "@adobe/react-spectrum";
import type { ImageReference } from "../../common/jobs";
import type { LayerInfo } from "../../common/host";
import type { DocumentListEntry } from "../../common/protocol/events";

export interface ReferencePickerProps {
  label: string;
  description: string;
  documents: DocumentListEntry[];
  layers: Record<number, LayerInfo[]>;
  value: ImageReference | null;
  onChange: (v: ImageReference | null) => void;
  requestLayers: (docId: number) => void;
  testId?: string;
}

export function refKey(r: ImageReference | null): string {
  if (!r) return "none";
  return r.layerId === undefined ? `doc:${r.docId}` : `layer:${r.docId}:${r.layerId}`;
}

export function parseRefKey(key: string, strength: number): ImageReference | null {
  const [kind, a, b] = key.split(":");
  if (kind === "doc") return { docId: Number(a), strength };
  if (kind === "layer") return { docId: Number(a), layerId: Number(b), strength };
  return null;
}

function Preview({ doc, layer }: { doc: DocumentListEntry; layer?: LayerInfo }) {
  // The bridge carries no pixels: the preview is the reference's frame at its aspect, with its name.
  const w = 72;
  const h = Math.max(24, Math.min(96, Math.round((w * doc.height) / Math.max(1, doc.width))));
  return (
    <Flex direction="row" gap="size-100" alignItems="center">
      <View width={`${w}px`} height={`${h}px`} borderWidth="thin" borderColor="default" borderRadius="small" UNSAFE_className="infill-ref-frame" aria-hidden />
      <Text UNSAFE_className="infill-detail">
        {layer ? `Layer "${layer.name}" of ` : ""}
        {doc.title} · {doc.width} × {doc.height} px
      </Text>
    </Flex>
  );
}

export function ReferencePicker(p: ReferencePickerProps) {
  const strength = p.value?.strength ?? 50;
  useEffect(() => {
    for (const d of p.documents) if (!p.layers[d.id]) p.requestLayers(d.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p.documents]);
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
                <Item key={`doc:${d.id}`} textValue={`${d.title} (whole document)`}>{`${d.title} (whole document)`}</Item>,
                ...(p.layers[d.id] ?? [])
                  .filter((l) => l.kind !== "group")
                  .map((l) => (
                    <Item key={`layer:${d.id}:${l.id}`} textValue={`${d.title} › ${l.name}`}>{`${d.title} › ${l.name}`}</Item>
                  )),
              ]}
            </Section>
          )),
        ]}
      </Picker>
      {p.value && doc && (
        <>
          <Preview doc={doc} layer={layer} />
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
