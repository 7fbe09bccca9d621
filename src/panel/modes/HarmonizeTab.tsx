// Harmonize: place an object layer into the visible layers below it (Firefly's composites): the
// object's layer, the background it goes into, strength, shadows, keep background, variations, seed.

import { useEffect, useState } from "react";
import { Flex, Item, Picker, Slider, Switch, Text } from "@adobe/react-spectrum";
import { engineInfo } from "../model/state";
import { HARMONIZE_MAX_VARIATIONS, HARMONIZE_NEEDS_FIREFLY, backgroundDescription, harmonizeBlocked, harmonizeParams, objectLayers } from "../model/harmonize";
import { randomSeed } from "../model/limits";
import { RunButton } from "../controls/RunButton";
import { SeedChoice, VariationsAndSeed, seedsFor, useVariations } from "../controls/VariationsAndSeed";
import type { ModeProps } from "./FillTab";

export interface HarmonizeTabProps extends ModeProps {
  /** The tab is on screen: the active document's layers are listed when it is. */
  active: boolean;
  requestLayers: (docId: number) => void;
}

export function HarmonizeTab({ state, run, defaultVariations, active, requestLayers }: HarmonizeTabProps) {
  const [layerId, setLayerId] = useState<number | null>(null);
  const [method, setMethod] = useState<"adaptive" | "precise">("adaptive");
  const [strength, setStrength] = useState(0.6);
  const [shadows, setShadows] = useState(true);
  const [shadowIntensity, setShadowIntensity] = useState(0.7);
  const [keepBackground, setKeepBackground] = useState(true);
  const [variations, setVariations] = useVariations(Math.min(HARMONIZE_MAX_VARIATIONS, defaultVariations));
  const [seed, setSeed] = useState<SeedChoice>({ fixed: false, seed: randomSeed() });
  const docId = state.active?.id ?? null;
  const layers = docId === null ? undefined : state.layers[docId];
  const candidates = objectLayers(layers);
  const local = engineInfo(state).mode === "local";
  const blocked = harmonizeBlocked(state, layerId);

  // Asked again whenever the host reports the document's state (after every edit), so a layer just
  // pasted or a job just placed shows in the picker.
  const docState = state.active;
  useEffect(() => {
    if (active && docState) requestLayers(docState.id);
  }, [active, docState, requestLayers]);

  const submit = () => {
    if (blocked || layerId === null) return;
    run(harmonizeParams({ layerId, method, strength, shadows, shadowIntensity, keepBackground, variations, seeds: seedsFor(seed, variations) }));
  };

  return (
    <Flex direction="column" gap="size-150" data-testid="harmonize-tab">
      {local && (
        <Text UNSAFE_className="infill-note" data-testid="harmonize-local">
          {HARMONIZE_NEEDS_FIREFLY}
        </Text>
      )}
      <Picker
        label="Object layer"
        placeholder={candidates.length ? "Pick the object's layer" : "No layer with pixels"}
        selectedKey={layerId === null ? null : String(layerId)}
        onSelectionChange={(k) => setLayerId(k === null ? null : Number(k))}
        isDisabled={candidates.length === 0}
        width="100%"
        description="A layer with the object cut out (transparent around it)"
        data-testid="harmonize-layer"
      >
        {candidates.map((l) => (
          <Item key={String(l.id)}>{l.name}</Item>
        ))}
      </Picker>
      <Text UNSAFE_className="infill-context" data-testid="harmonize-background">
        {backgroundDescription(layers, layerId)}
      </Text>
      <Picker
        label="Method"
        selectedKey={method}
        onSelectionChange={(k) => setMethod(k as "adaptive" | "precise")}
        width="size-3000"
        data-testid="harmonize-method"
      >
        <Item key="adaptive">Adaptive (relight, shadows)</Item>
        <Item key="precise">Precise (keep the object)</Item>
      </Picker>
      <Slider
        label={method === "adaptive" ? "Harmonization" : "Blend"}
        minValue={0}
        maxValue={1}
        step={0.05}
        value={strength}
        onChange={setStrength}
        width="100%"
        data-testid="harmonize-strength"
      />
      {method === "adaptive" && (
        <Flex direction="column" gap="size-75">
          <Switch isSelected={shadows} onChange={setShadows} data-testid="harmonize-shadows">
            Cast a shadow
          </Switch>
          <Slider
            label="Shadow intensity"
            minValue={0}
            maxValue={1}
            step={0.05}
            value={shadowIntensity}
            onChange={setShadowIntensity}
            isDisabled={!shadows}
            width="100%"
          />
          <Switch isSelected={keepBackground} onChange={setKeepBackground} data-testid="harmonize-keep-background">
            Keep background pixels
          </Switch>
        </Flex>
      )}
      <Text UNSAFE_className="infill-note">Firefly's composites take no prompt: the object and the background say what to make.</Text>
      <VariationsAndSeed variations={variations} onVariations={setVariations} seed={seed} onSeed={setSeed} max={HARMONIZE_MAX_VARIATIONS} />
      <RunButton label="Harmonize" blocked={blocked} note={null} onPress={submit} testId="run-harmonize" />
    </Flex>
  );
}
