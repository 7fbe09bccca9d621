// Why a mode cannot run right now (one sentence saying what to do), and notes about what will happen.

import type { PanelState } from "./state";
import { engineInfo } from "./state";
import { promptLengthProblem } from "./limits";

export type Mode = "fill" | "expand" | "generate";

/** Reasons shared by every mode, or null. */
export function commonBlock(s: PanelState): string | null {
  if (!s.ready) return s.hostApp === null ? "Connecting to the host…" : null;
  if (s.settings && !s.settings.brokerUrl) return "Set the broker URL in Settings first.";
  if (s.settings && !s.settings.hasKey) return "Enter your broker key in Settings first.";
  if (!s.active) return "Open a document first.";
  if (!s.active.supported) return s.active.unsupportedReason ?? "This document cannot be used for generation.";
  return null;
}

export function blockedReason(mode: Mode, s: PanelState, prompt: string, extra?: string | null): string | null {
  const c = commonBlock(s);
  if (c) return c;
  const long = promptLengthProblem(prompt);
  if (long) return long;
  if (mode === "fill" && !s.selection) return "Make a selection first: Fill generates inside it.";
  if (mode === "generate") {
    const g = engineInfo(s).generateBlocked;
    if (g) return g;
    if (!prompt.trim()) return "Type a prompt first: Generate needs one.";
  }
  return extra ?? null;
}

/** Notes about the document or engine that do not block running. */
export function runNote(mode: Mode, s: PanelState): string | null {
  const notes: string[] = [];
  const a = s.active;
  if (a && a.supported) {
    if (a.bitDepth !== 8) notes.push(`Document is ${a.bitDepth}-bit: it will be converted to 8-bit for generation.`);
    if (a.mode !== "rgb") notes.push(`Document is ${a.mode.toUpperCase()}: it will be converted to sRGB for generation.`);
  }
  if (mode !== "generate" && engineInfo(s).promptsIgnored) notes.push("Local engine: the prompt is ignored; content comes from the surroundings.");
  return notes.length ? notes.join(" ") : null;
}
