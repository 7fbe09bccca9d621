// The broker's custom-models listing → the entries the panel offers, and failures → what the custom
// model picker says. Pure.

import type { CustomModelsResponse } from "../../common/firefly";
import type { CustomModelEntry, ErrorEventBody } from "../../common/protocol";

const clip = (s: string | undefined, max: number): string | undefined => {
  const t = s?.trim();
  return t ? t.slice(0, max) : undefined;
};

/**
 * Which `x-model-version` runs a custom model. Adobe documents both `image3_custom` and `image4_custom`
 * but not how a listing's `baseModel` names them (its example says `clio_v2` 2.0.0), so Image 4 is chosen
 * only when the base model names it; everything else is Image 3. The panel lets the artist switch.
 */
export function customModelVersion(base: { name?: string; version?: string } | undefined): CustomModelEntry["modelVersion"] {
  const text = `${base?.name ?? ""} ${base?.version ?? ""}`.toLowerCase();
  return /image[\s_-]?4|firefly[\s_-]?(image[\s_-]?)?4|clio[\s_-]?v?4/.test(text) ? "image4_custom" : "image3_custom";
}

export function customModelEntries(answer: CustomModelsResponse): CustomModelEntry[] {
  return answer.custom_models
    .filter((m) => m.publishedState !== "never" && m.publishedState !== "unpublished")
    .slice(0, 500)
    .map((m) => {
      const name = clip(m.displayName, 500) ?? clip(m.assetName?.replace(/\.ffcustommodel$/i, ""), 500) ?? m.assetId.slice(0, 500);
      const baseName = clip(m.baseModel?.name, 200);
      const baseVersion = clip(m.baseModel?.version, 100);
      const entry: CustomModelEntry = { id: m.assetId.slice(0, 500), name, modelVersion: customModelVersion(m.baseModel) };
      if (m.trainingMode) entry.trainingMode = m.trainingMode;
      if (baseName || baseVersion) entry.baseModel = { ...(baseName ? { name: baseName } : {}), ...(baseVersion ? { version: baseVersion } : {}) };
      const concept = clip(m.conceptId, 200);
      if (concept) entry.conceptId = concept;
      const sample = clip(m.samplePrompt, 1024);
      if (sample) entry.samplePrompt = sample;
      return entry;
    });
}

/** A failed listing, with a hint about custom models in particular (the message is the classifier's). */
export function modelsError(e: ErrorEventBody): ErrorEventBody {
  if (e.category === "settings" || e.category === "protocol") return e;
  let hint = e.hint;
  if (e.code === "needs_firefly_credentials") hint = "Fill and Expand still work with the local engine.";
  else if (e.code.startsWith("broker_key")) hint = "Check the broker key in Settings, then choose Retry.";
  else if (e.category === "auth" || e.category === "quota")
    hint = "Custom models need a credential entitled to Firefly Custom Models; until then, use a standard model.";
  else if (["network", "service_unavailable", "rate_limited", "timeout"].includes(e.category)) hint = "Choose Retry in a moment.";
  else if (hint === "See the message above.") hint = "Choose Retry; if it keeps failing, use a standard model and report the detail.";
  return { ...e, hint };
}
