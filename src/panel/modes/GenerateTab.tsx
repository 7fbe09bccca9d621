// Generate: a new layer from a prompt, optionally guided by style/structure references from any open
// document or layer, style presets, a model version and a custom model; and More like this.

import React, { useEffect, useState } from "react";
import { ActionButton, ComboBox, Flex, Item, Picker, Slider, TagGroup, Text, TextField } from "@adobe/react-spectrum";
import type { CustomModelsState, ThumbState } from "../model/state";
import { customModelDetail, customModelsDescription } from "../model/customModels";
import { DEFAULT_GENERATE_MODEL, type GenerateModel, type GenerateParams, type ImageReference } from "../../common/jobs";
import { blockedReason, runNote } from "../model/readiness";
import { PROMPT_MAX_CHARS, randomSeed } from "../model/limits";
import { MODEL_VERSIONS, STYLE_PRESETS, presetLabel } from "../model/stylePresets";
import { PromptField } from "../controls/PromptField";
import { RecentPrompts, recentPrompts } from "../controls/RecentPrompts";
import { RunButton } from "../controls/RunButton";
import { ReferencePicker } from "../controls/ReferencePicker";
import { SeedChoice, VariationsAndSeed, seedsFor, useVariations } from "../controls/VariationsAndSeed";
import type { ModeProps } from "./FillTab";
import { MoreLikeThis } from "./MoreLikeThis";

export interface GenerateTabProps extends ModeProps {
  /** The tab is on screen: the custom models are listed the first time it is. */
  active: boolean;
  requestLayers: (docId: number) => void;
  customModels: CustomModelsState;
  listModels: () => void;
  thumbnails: Record<string, ThumbState>;
  requestThumbnail: (docId: number, layerId?: number) => void;
}

export function GenerateTab({
  state,
  run,
  defaultVariations,
  active,
  requestLayers,
  customModels,
  listModels,
  thumbnails,
  requestThumbnail,
}: GenerateTabProps) {
  const [prompt, setPrompt] = useState("");
  const [negative, setNegative] = useState("");
  const [contentClass, setContentClass] = useState<"auto" | "photo" | "art">("auto");
  const [presets, setPresets] = useState<string[]>([]);
  const [presetInput, setPresetInput] = useState("");
  const [styleRef, setStyleRef] = useState<ImageReference | null>(null);
  const [structureRef, setStructureRef] = useState<ImageReference | null>(null);
  const [intensity, setIntensity] = useState(6);
  const [model, setModel] = useState<GenerateModel>(DEFAULT_GENERATE_MODEL);
  const [customModelId, setCustomModelId] = useState<string | null>(null);
  const [variations, setVariations] = useVariations(defaultVariations);
  const [seed, setSeed] = useState<SeedChoice>({ fixed: false, seed: randomSeed() });

  const isCustom = model === "image3_custom" || model === "image4_custom";
  const refGone = [styleRef, structureRef].some((r) => r && !state.documents.some((d) => d.id === r.docId));
  const chosenModel = customModels.models.find((m) => m.id === customModelId);
  const extra = refGone
    ? "A reference document was closed: pick another reference."
    : isCustom && !customModelId
      ? "Pick a custom model, or choose a standard model version."
      : customModelId && customModels.status === "ready" && !chosenModel
        ? "The chosen custom model is no longer listed: pick another, or None."
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

  useEffect(() => {
    if (active && customModels.status === "idle") listModels();
  }, [active, customModels.status, listModels]);
  const pickModelVersion = (k: React.Key | null) => {
    const v = k as GenerateModel;
    setModel(v);
    if (v !== "image3_custom" && v !== "image4_custom") setCustomModelId(null);
  };
  const pickCustomModel = (k: React.Key | null) => {
    const id = k === null ? "none" : String(k);
    if (id === "none") {
      setCustomModelId(null);
      if (isCustom) setModel(DEFAULT_GENERATE_MODEL);
      return;
    }
    const m = customModels.models.find((x) => x.id === id);
    setCustomModelId(id);
    if (m) setModel(m.modelVersion);
  };

  return (
    <Flex direction="column" gap="size-150" data-testid="generate-tab">
      <PromptField
        label="Prompt"
        isRequired
        value={prompt}
        onChange={setPrompt}
        onSubmit={submit}
        placeholder="Describe the image to generate"
        hint="Enter runs Generate"
        testId="generate-prompt"
      />
      <RecentPrompts prompts={recentPrompts(state.settings?.prefs.history)} onPick={setPrompt} />
      <TextField
        label="Avoid (negative prompt)"
        value={negative}
        onChange={setNegative}
        width="100%"
        maxLength={PROMPT_MAX_CHARS}
        description={isCustom ? "Not supported by custom models" : "Things that should not appear"}
        isDisabled={isCustom}
      />
      <Flex direction="row" gap="size-150" wrap>
        <Picker label="Content" selectedKey={contentClass} onSelectionChange={(k) => setContentClass(k as "auto" | "photo" | "art")} width="size-2000">
          <Item key="auto">Automatic</Item>
          <Item key="photo">Photo</Item>
          <Item key="art">Art</Item>
        </Picker>
        <Picker label="Model" selectedKey={model} onSelectionChange={pickModelVersion} width="size-2400" data-testid="model-version">
          {MODEL_VERSIONS.map((m) => (
            <Item key={m.id}>{m.label}</Item>
          ))}
        </Picker>
      </Flex>
      <Flex direction="column" gap="size-75" data-testid="custom-models" data-status={customModels.status}>
        <Picker
          label="Custom model"
          selectedKey={customModelId ?? "none"}
          onSelectionChange={pickCustomModel}
          width="100%"
          isDisabled={customModels.status !== "ready" || customModels.models.length === 0}
          description={customModelsDescription(customModels, chosenModel)}
        >
          {[
            <Item key="none" textValue="None (standard model)">
              <Text>None (standard model)</Text>
            </Item>,
            ...customModels.models.map((m) => (
              <Item key={m.id} textValue={m.name}>
                <Text>{m.name}</Text>
                <Text slot="description">{customModelDetail(m)}</Text>
              </Item>
            )),
          ]}
        </Picker>
        {customModels.status === "error" && customModels.error && (
          <Flex direction="row" gap="size-100" alignItems="start" data-testid="custom-models-error" data-code={customModels.error.code}>
            <Text UNSAFE_className="infill-note" flex>
              {customModels.error.message} {customModels.error.hint}
            </Text>
            <ActionButton onPress={listModels} data-testid="custom-models-retry">
              Retry
            </ActionButton>
          </Flex>
        )}
      </Flex>
      <ComboBox
        label="Style presets"
        inputValue={presetInput}
        onInputChange={setPresetInput}
        width="100%"
        description={presets.length ? `${presets.length} chosen` : "Optional: add looks such as watercolor or golden hour"}
        onSelectionChange={(k) => {
          if (k && !presets.includes(String(k))) setPresets([...presets, String(k)]);
          setPresetInput("");
        }}
        defaultItems={STYLE_PRESETS.filter((s) => !presets.includes(s)).map((id) => ({ id, name: presetLabel(id) }))}
      >
        {(item) => <Item key={item.id}>{item.name}</Item>}
      </ComboBox>
      {presets.length > 0 && (
        <TagGroup
          aria-label="Chosen style presets"
          items={presets.map((id) => ({ id, name: presetLabel(id) }))}
          onRemove={(keys) => setPresets(presets.filter((p) => !keys.has(p)))}
        >
          {(item) => <Item key={item.id}>{item.name}</Item>}
        </TagGroup>
      )}
      <ReferencePicker
        label="Style reference"
        description="Its look guides the result"
        documents={state.documents}
        layers={state.layers}
        value={styleRef}
        onChange={setStyleRef}
        requestLayers={requestLayers}
        thumbnails={thumbnails}
        requestThumbnail={requestThumbnail}
        testId="style-reference"
      />
      <ReferencePicker
        label="Structure reference"
        description="Its layout and depth guide the result"
        documents={state.documents}
        layers={state.layers}
        value={structureRef}
        onChange={setStructureRef}
        requestLayers={requestLayers}
        thumbnails={thumbnails}
        requestThumbnail={requestThumbnail}
        testId="structure-reference"
      />
      <Slider
        label="Visual intensity"
        minValue={2}
        maxValue={10}
        value={intensity}
        onChange={setIntensity}
        width="100%"
        isDisabled={model === "image4_custom"}
      />
      {model === "image4_custom" && <Text UNSAFE_className="infill-detail">Visual intensity is not supported by Image 4 custom models.</Text>}
      <VariationsAndSeed variations={variations} onVariations={setVariations} seed={seed} onSeed={setSeed} />
      <RunButton label="Generate" blocked={blocked} note={runNote("generate", state)} onPress={submit} testId="run-generate" />
      <MoreLikeThis state={state} run={run} defaultVariations={defaultVariations} />
    </Flex>
  );
}
