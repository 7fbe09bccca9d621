// Generate: a new layer from a prompt, optionally guided by style/structure references from any open
// document or layer, style presets, a model version and a custom model.

import React, { useState } from "react";
import { ComboBox, Flex, Item, Picker, Slider, TagGroup, Text, TextField } from "@adobe/react-spectrum";
import type { GenerateModel, GenerateParams, ImageReference } from "../../common/jobs";
import { blockedReason, runNote } from "../model/readiness";
import { PROMPT_MAX_CHARS, randomSeed } from "../model/limits";
import { MODEL_VERSIONS, STYLE_PRESETS, presetLabel } from "../model/stylePresets";
import { PromptField } from "../controls/PromptField";
import { RecentPrompts, recentPrompts } from "../controls/RecentPrompts";
import { RunButton } from "../controls/RunButton";
import { ReferencePicker } from "../controls/ReferencePicker";
import { SeedChoice, VariationsAndSeed, seedsFor, useVariations } from "../controls/VariationsAndSeed";
import type { ModeProps } from "./FillTab";

export interface CustomModel {
  id: string;
  name: string;
}

export interface GenerateTabProps extends ModeProps {
  requestLayers: (docId: number) => void;
  /** Custom models listed by the broker, or null when the host has not provided a listing. */
  customModels: CustomModel[] | null;
}

export function GenerateTab({ state, run, defaultVariations, requestLayers, customModels }: GenerateTabProps) {
  const [prompt, setPrompt] = useState("");
  const [negative, setNegative] = useState("");
  const [contentClass, setContentClass] = useState<"auto" | "photo" | "art">("auto");
  const [presets, setPresets] = useState<string[]>([]);
  const [presetInput, setPresetInput] = useState("");
  const [styleRef, setStyleRef] = useState<ImageReference | null>(null);
  const [structureRef, setStructureRef] = useState<ImageReference | null>(null);
  const [intensity, setIntensity] = useState(6);
  const [model, setModel] = useState<GenerateModel>("image3");
  const [customModelId, setCustomModelId] = useState<string | null>(null);
  const [variations, setVariations] = useVariations(defaultVariations);
  const [seed, setSeed] = useState<SeedChoice>({ fixed: false, seed: randomSeed() });

  const isCustom = model === "image3_custom" || model === "image4_custom";
  const refGone = [styleRef, structureRef].some((r) => r && !state.documents.some((d) => d.id === r.docId));
  const extra = refGone
    ? "A reference document was closed: pick another reference."
    : isCustom && !customModelId
      ? "Pick a custom model, or choose a standard model version."
      : null;
  const blocked = blockedReason("generate", state, prompt, extra);

  const submit = () => {
    if (blocked) return;
    const params: GenerateParams = { kind: "generate", prompt: prompt.trim(), numVariations: variations, modelVersion: model };
    if (negative.trim()) params.negativePrompt = negative.trim();
    if (contentClass !== "auto") params.contentClass = contentClass;
    if (presets.length) params.stylePresets = presets;
    if (styleRef) params.styleReference = styleRef;
    if (structureRef) params.structureReference = structureRef;
    if (model !== "image4_custom") params.visualIntensity = intensity;
    if (isCustom && customModelId) params.customModelId = customModelId;
    const seeds = seedsFor(seed, variations);
    if (seeds) params.seeds = seeds;
    run(params);
  };

  const customBlocked = customModels === null ? "This host does not list custom models." : customModels.length === 0 ? "The broker lists no custom models for this account." : null;

  return (
    <Flex direction="column" gap="size-150" data-testid="generate-tab">
      <PromptField label="Prompt" isRequired value={prompt} onChange={setPrompt} onSubmit={submit}
        placeholder="Describe the image to generate" hint="Enter runs Generate" testId="generate-prompt" />
      <RecentPrompts prompts={recentPrompts(state.settings?.prefs.history)} onPick={setPrompt} />
      <TextField label="Avoid (negative prompt)" value={negative} onChange={setNegative} width="100%" maxLength={PROMPT_MAX_CHARS}
        description={isCustom ? "Not supported by custom models" : "Things that should not appear"} isDisabled={isCustom} />
      <Flex direction="row" gap="size-150" wrap>
        <Picker label="Content" selectedKey={contentClass} onSelectionChange={(k) => setContentClass(k as "auto" | "photo" | "art")} width="size-2000">
          <Item key="auto">Automatic</Item>
          <Item key="photo">Photo</Item>
          <Item key="art">Art</Item>
        </Picker>
        <Picker label="Model" selectedKey={model} onSelectionChange={(k) => setModel(k as GenerateModel)} width="size-2400" data-testid="model-version">
          {MODEL_VERSIONS.map((m) => (
            <Item key={m.id}>{m.label}</Item>
          ))}
        </Picker>
      </Flex>
      {isCustom && (
        <Picker label="Custom model" selectedKey={customModelId} onSelectionChange={(k) => setCustomModelId(String(k))} width="100%"
          isDisabled={customBlocked !== null} description={customBlocked ?? "Models your organisation trained"}
          items={customModels ?? []}>
          {(m) => <Item key={m.id}>{m.name}</Item>}
        </Picker>
      )}
      <ComboBox label="Style presets" inputValue={presetInput} onInputChange={setPresetInput} width="100%"
        description={presets.length ? `${presets.length} chosen` : "Optional: add looks such as watercolor or golden hour"}
        onSelectionChange={(k) => {
          if (k && !presets.includes(String(k))) setPresets([...presets, String(k)]);
          setPresetInput("");
        }}
        defaultItems={STYLE_PRESETS.filter((s) => !presets.includes(s)).map((id) => ({ id, name: presetLabel(id) }))}>
        {(item) => <Item key={item.id}>{item.name}</Item>}
      </ComboBox>
      {presets.length > 0 && (
        <TagGroup aria-label="Chosen style presets" items={presets.map((id) => ({ id, name: presetLabel(id) }))}
          onRemove={(keys) => setPresets(presets.filter((p) => !keys.has(p)))}>
          {(item) => <Item key={item.id}>{item.name}</Item>}
        </TagGroup>
      )}
      <ReferencePicker label="Style reference" description="Its look guides the result" documents={state.documents} layers={state.layers}
        value={styleRef} onChange={setStyleRef} requestLayers={requestLayers} testId="style-reference" />
      <ReferencePicker label="Structure reference" description="Its layout and depth guide the result" documents={state.documents} layers={state.layers}
        value={structureRef} onChange={setStructureRef} requestLayers={requestLayers} testId="structure-reference" />
      <Slider label="Visual intensity" minValue={2} maxValue={10} value={intensity} onChange={setIntensity} width="100%"
        isDisabled={model === "image4_custom"} />
      {model === "image4_custom" && <Text UNSAFE_className="infill-detail">Visual intensity is not supported by Image 4 custom models.</Text>}
      <VariationsAndSeed variations={variations} onVariations={setVariations} seed={seed} onSeed={setSeed} />
      <RunButton label="Generate" blocked={blocked} note={runNote("generate", state)} onPress={submit} testId="run-generate" />
    </Flex>
  );
}
