// What the custom model picker says: one line per model, and the picker's description by listing state.

import type { CustomModelEntry } from "../../common/protocol/events";
import type { CustomModelsState } from "./state";

/** One line about a custom model: what it was trained for and on what. */
export function customModelDetail(m: CustomModelEntry): string {
  const parts: string[] = [];
  if (m.trainingMode) parts.push(m.trainingMode === "subject" ? "Subject model" : "Style model");
  const base = [m.baseModel?.name, m.baseModel?.version].filter(Boolean).join(" ");
  if (base) parts.push(`base ${base}`);
  parts.push(m.modelVersion === "image4_custom" ? "runs on Image 4" : "runs on Image 3");
  return parts.join(" · ");
}

/** What the custom model picker says under itself, by listing state. */
export function customModelsDescription(c: CustomModelsState, chosen: CustomModelEntry | undefined): string {
  if (c.status === "idle" || c.status === "loading") return "Loading the custom models the broker lists…";
  if (c.status === "error") return "Custom models are unavailable right now.";
  if (c.models.length === 0) return "The broker lists no custom models for this account. Models trained in Firefly appear here once published.";
  if (chosen?.trainingMode === "subject" && chosen.conceptId) return `Subject model: put “${chosen.conceptId}” in the prompt to bring its subject in.`;
  if (chosen) return customModelDetail(chosen);
  return "Optional: a model your organisation trained in Firefly";
}
