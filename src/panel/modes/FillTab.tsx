// Fill: generate inside the selection. The prompt is optional (empty = fill from surroundings).

import { useState } from "react";
import { Flex, Text, TextField } from "@adobe/react-spectrum";
import type { DetailSetting, FillParams, JobParams } from "../../common/jobs";
import type { PanelState } from "../model/state";
import { engineInfo } from "../model/state";
import { blockedReason, runNote } from "../model/readiness";
import { DetailPicker } from "../controls/DetailPicker";
import { InstantPreviewSwitch } from "../controls/InstantPreview";
import { PromptField } from "../controls/PromptField";
import { RecentPrompts, recentPrompts } from "../controls/RecentPrompts";
import { RunButton } from "../controls/RunButton";
import { SeedChoice, VariationsAndSeed, seedsFor, useVariations } from "../controls/VariationsAndSeed";
import { PROMPT_MAX_CHARS, randomSeed } from "../model/limits";
import { blendToSend } from "../model/blend";
import { detailRequests, detailHint, nativeDetailAvailable } from "../model/detail-hint";

export interface ModeProps {
  state: PanelState;
  run: (params: JobParams) => void;
  defaultVariations: number;
  blend?: { bandPx: number; toneMatch: boolean };
}

export function FillTab({ state, run, defaultVariations, blend }: ModeProps) {
  const [prompt, setPrompt] = useState("");
  const [negative, setNegative] = useState("");
  const [variations, setVariations] = useVariations(defaultVariations);
  const [seed, setSeed] = useState<SeedChoice>({ fixed: false, seed: randomSeed() });
  const [detail, setDetail] = useState<DetailSetting>("standard");
  const [instantPreview, setInstantPreview] = useState(true);
  const promptsIgnored = engineInfo(state).promptsIgnored;
  const blocked = blockedReason("fill", state, prompt);
  const sel = state.selection?.bounds;

  const submit = () => {
    if (blocked) return;
    const params: FillParams = { kind: "fill", numVariations: variations };
    if (prompt.trim()) params.prompt = prompt.trim();
    if (negative.trim()) params.negativePrompt = negative.trim();
    if (detail === "native" && nativeDetailAvailable(state)) params.detail = "native";
    if (!instantPreview) params.instantPreview = false;
    const seeds = seedsFor(seed, variations);
    if (seeds) params.seeds = seeds;
    const sentBlend = blendToSend(blend);
    if (sentBlend) params.blend = sentBlend;
    run(params);
  };

  return (
    <Flex direction="column" gap="size-150" data-testid="fill-tab">
      <Text UNSAFE_className="infill-context" data-testid="selection-info">
        {sel
          ? `Selection: ${sel.right - sel.left} × ${sel.bottom - sel.top} px at (${sel.left}, ${sel.top})`
          : "No selection: draw one in the document, then fill it."}
      </Text>
      <PromptField
        label="Prompt (optional)"
        value={prompt}
        onChange={setPrompt}
        onSubmit={submit}
        placeholder="Leave empty to fill from the surroundings"
        hint={promptsIgnored ? "Ignored by the local engine" : "Enter runs Fill, Shift+Enter for a new line"}
        testId="fill-prompt"
      />
      <RecentPrompts prompts={recentPrompts(state.settings?.prefs.history)} onPick={setPrompt} />
      <TextField
        label="Avoid (negative prompt)"
        value={negative}
        onChange={setNegative}
        width="100%"
        maxLength={PROMPT_MAX_CHARS}
        description={promptsIgnored ? "Ignored by the local engine" : "Things that should not appear"}
        onKeyDown={(e) => {
          if (e.key === "Enter") submit();
          else e.continuePropagation();
        }}
      />
      <VariationsAndSeed variations={variations} onVariations={setVariations} seed={seed} onSeed={setSeed} />
      <DetailPicker detail={detail} onChange={setDetail} what="the result" testId="fill-detail" />
      {!promptsIgnored && <InstantPreviewSwitch on={instantPreview} onChange={setInstantPreview} testId="fill-instant-preview" />}
      <RunButton
        label="Fill"
        blocked={blocked}
        note={[runNote("fill", state), detailHint(detail, state, variations, blendToSend(blend)?.bandPx)].filter(Boolean).join(" ") || null}
        onPress={submit}
        testId="run-fill"
        requests={detailRequests(detail, state, variations, blendToSend(blend)?.bandPx)}
      />
    </Flex>
  );
}
