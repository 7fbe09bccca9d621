// Expand: enlarge the canvas and generate the new area; original pixels stay untouched.

import { useState } from "react";
import { Flex, Item, NumberField, Picker, Radio, RadioGroup, Text, View } from "@adobe/react-spectrum";
import type { Alignment, AspectPreset, DetailSetting, ExpandParams, ExpandTarget } from "../../common/jobs";
import { engineInfo } from "../model/state";
import { blockedReason, runNote } from "../model/readiness";
import { describeScale, expandNumbers } from "../model/expandMath";
import { ASPECT_PRESETS, randomSeed } from "../model/limits";
import { DetailPicker } from "../controls/DetailPicker";
import { InstantPreviewSwitch } from "../controls/InstantPreview";
import { PromptField } from "../controls/PromptField";
import { RunButton } from "../controls/RunButton";
import { AlignmentPicker } from "../controls/AlignmentPicker";
import { SeedChoice, VariationsAndSeed, seedsFor, useVariations } from "../controls/VariationsAndSeed";
import type { ModeProps } from "./FillTab";
import { blendToSend } from "../model/blend";
import { nativeDetailAvailable } from "../model/detail-hint";
import { expandDetailHint, expandDetailRequests } from "../model/expand-detail";

type TargetKind = ExpandTarget["kind"];
const MAX_CANVAS = 30000;

export function ExpandTab({ state, run, defaultVariations, blend }: ModeProps) {
  const doc = state.active;
  const [kind, setKind] = useState<TargetKind>("aspect");
  const [aspect, setAspect] = useState<AspectPreset>("16:9");
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [sides, setSides] = useState({ left: 0, top: 0, right: 0, bottom: 0 });
  const [alignment, setAlignment] = useState<Alignment>({ horizontal: "center", vertical: "center" });
  const [prompt, setPrompt] = useState("");
  const [variations, setVariations] = useVariations(defaultVariations);
  const [seed, setSeed] = useState<SeedChoice>({ fixed: false, seed: randomSeed() });
  const [detail, setDetail] = useState<DetailSetting>("standard");
  const [instantPreview, setInstantPreview] = useState(true);

  const exact = size ?? (doc ? { width: doc.width, height: doc.height } : { width: 1024, height: 1024 });
  const target: ExpandTarget =
    kind === "aspect" ? { kind, aspect, alignment } : kind === "size" ? { kind, width: exact.width, height: exact.height, alignment } : { kind, ...sides };
  const numbers = doc ? expandNumbers({ width: doc.width, height: doc.height }, target) : null;
  const blocked = blockedReason("expand", state, prompt, numbers?.problem);
  const promptsIgnored = engineInfo(state).promptsIgnored;

  const submit = () => {
    if (blocked) return;
    const params: ExpandParams = { kind: "expand", numVariations: variations, target };
    if (prompt.trim()) params.prompt = prompt.trim();
    if (detail === "native" && nativeDetailAvailable(state)) params.detail = "native";
    if (!instantPreview) params.instantPreview = false;
    const seeds = seedsFor(seed, variations);
    if (seeds) params.seeds = seeds;
    const sentBlend = blendToSend(blend);
    if (sentBlend) params.blend = sentBlend;
    run(params);
  };

  const side = (k: keyof typeof sides, label: string) => (
    <NumberField
      label={label}
      minValue={0}
      maxValue={MAX_CANVAS}
      step={1}
      value={sides[k]}
      onChange={(v) => setSides({ ...sides, [k]: Number.isFinite(v) ? Math.max(0, Math.round(v)) : 0 })}
      width="size-1250"
      data-testid={`side-${k}`}
    />
  );

  return (
    <Flex direction="column" gap="size-150" data-testid="expand-tab">
      <Text UNSAFE_className="infill-context">{doc ? `Document: ${doc.width} × ${doc.height} px` : "No document open."}</Text>
      <RadioGroup label="New size by" orientation="horizontal" value={kind} onChange={(v) => setKind(v as TargetKind)}>
        <Radio value="aspect">Aspect</Radio>
        <Radio value="size">Exact size</Radio>
        <Radio value="sides">Per side</Radio>
      </RadioGroup>
      {kind === "aspect" && (
        <Picker label="Aspect ratio" selectedKey={aspect} onSelectionChange={(k) => setAspect(k as AspectPreset)} width="size-2400" data-testid="aspect">
          {ASPECT_PRESETS.map((a) => (
            <Item key={a}>{a}</Item>
          ))}
        </Picker>
      )}
      {kind === "size" && (
        <Flex direction="row" gap="size-150" wrap>
          <NumberField
            label="Width (px)"
            minValue={1}
            maxValue={MAX_CANVAS}
            step={1}
            value={exact.width}
            onChange={(v) => setSize({ ...exact, width: Number.isFinite(v) ? Math.round(v) : exact.width })}
            width="size-1600"
            formatOptions={{ useGrouping: false }}
          />
          <NumberField
            label="Height (px)"
            minValue={1}
            maxValue={MAX_CANVAS}
            step={1}
            value={exact.height}
            onChange={(v) => setSize({ ...exact, height: Number.isFinite(v) ? Math.round(v) : exact.height })}
            width="size-1600"
            formatOptions={{ useGrouping: false }}
          />
        </Flex>
      )}
      {kind === "sides" ? (
        <Flex direction="row" gap="size-100" wrap>
          {side("left", "Left")}
          {side("top", "Top")}
          {side("right", "Right")}
          {side("bottom", "Bottom")}
        </Flex>
      ) : (
        <AlignmentPicker value={alignment} onChange={setAlignment} />
      )}
      {numbers && (
        <View UNSAFE_className="infill-numbers" padding="size-100" borderWidth="thin" borderColor="default" borderRadius="regular">
          <Text data-testid="expand-canvas">
            New canvas: {numbers.canvas.width} × {numbers.canvas.height} px
          </Text>
          <br />
          <Text UNSAFE_className="infill-detail">
            Adds {numbers.added.left} left, {numbers.added.top} top, {numbers.added.right} right, {numbers.added.bottom} bottom.
          </Text>
          <br />
          <Text UNSAFE_className="infill-detail" data-testid="expand-scale">
            {describeScale(numbers)}
          </Text>
        </View>
      )}
      <PromptField
        label="Prompt (optional)"
        value={prompt}
        onChange={setPrompt}
        onSubmit={submit}
        placeholder="Leave empty to continue the image"
        hint={promptsIgnored ? "Ignored by the local engine" : "Enter runs Expand"}
        testId="expand-prompt"
      />
      <VariationsAndSeed variations={variations} onVariations={setVariations} seed={seed} onSeed={setSeed} />
      <DetailPicker detail={detail} onChange={setDetail} what="the new area" testId="expand-detail" />
      {!promptsIgnored && <InstantPreviewSwitch on={instantPreview} onChange={setInstantPreview} testId="expand-instant-preview" />}
      <RunButton
        label="Expand"
        blocked={blocked}
        note={[runNote("expand", state), expandDetailHint(detail, state, target, variations)].filter(Boolean).join(" ") || null}
        onPress={submit}
        testId="run-expand"
        requests={expandDetailRequests(detail, state, target, variations)}
      />
    </Flex>
  );
}
