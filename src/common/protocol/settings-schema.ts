// Settings as they cross the bridge. The broker key goes panel → host once, when the user enters it;
// the host never sends it back — the panel only learns whether one is stored (`hasKey`).

import { z } from "zod";
import type { JobKind } from "../jobs";
import { blendSchema } from "./params-schema";

export interface HistoryEntry {
  at: number; // ms since epoch
  kind: JobKind;
  prompt?: string;
}

/** Non-secret preferences, persisted by the host in the plugin data folder. */
export interface Preferences {
  lastPrompt: string;
  numVariations: number;
  blend: { bandPx: number; toneMatch: boolean };
  /**
   * True once the artist set the blend (in Settings, even to the default values): runs then send it.
   * Absent or false: runs send none and each job uses its own default (a fill's band scales with its
   * selection).
   */
  blendChosen?: boolean;
  /** Recent prompts, newest first. */
  history: HistoryEntry[];
}

export const MAX_HISTORY = 50;

export const DEFAULT_PREFERENCES: Preferences = {
  lastPrompt: "",
  numVariations: 3,
  blend: { bandPx: 16, toneMatch: true },
  history: [],
};

export const historyEntrySchema = z.object({
  at: z.number().int().min(0),
  kind: z.enum(["fill", "expand", "generate", "similar", "harmonize"]),
  prompt: z.string().max(1024).optional(),
});

export const preferencesSchema = z.object({
  lastPrompt: z.string().max(1024),
  numVariations: z.number().int().min(1).max(4),
  blend: z.object({ bandPx: blendSchema.shape.bandPx, toneMatch: z.boolean() }),
  blendChosen: z.boolean().optional(),
  history: z.array(historyEntrySchema).max(MAX_HISTORY),
});

export const preferencesPatchSchema = preferencesSchema.partial();
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;

/** What the panel is told about the settings. Never the key. */
export interface SettingsView {
  brokerUrl: string;
  hasKey: boolean;
  prefs: Preferences;
}

export const settingsViewSchema = z.object({
  brokerUrl: z.string(),
  hasKey: z.boolean(),
  prefs: preferencesSchema,
});

/** `settings.set`: every field optional; `brokerKey: ""` is refused — use `clearKey` to forget the key. */
export const settingsPatchSchema = z
  .object({
    brokerUrl: z.string().max(2000).optional(),
    brokerKey: z.string().min(1).max(4096).optional(),
    clearKey: z.literal(true).optional(),
    prefs: preferencesPatchSchema.optional(),
  })
  .refine((s) => !(s.brokerKey !== undefined && s.clearKey), { message: "brokerKey and clearKey together" });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export type ConnectionDiagnosis =
  | "ok" // Firefly mode, key accepted, upstream credentials accepted
  | "local_mode" // reachable and key accepted, but the broker runs its local engine (no Firefly)
  | "no_url"
  | "bad_url" // not an http(s) origin
  | "not_allowed" // origin not in the manifest's network permission
  | "no_key"
  | "unreachable" // nothing answers (or it is not an Infill broker)
  | "not_a_broker"
  | "wrong_key"
  | "firefly_rejected" // broker fine, Adobe refused its Firefly credentials
  | "upstream_unreachable" // broker fine, cannot reach Adobe
  | "error";

export const connectionDiagnosisSchema = z.enum([
  "ok",
  "local_mode",
  "no_url",
  "bad_url",
  "not_allowed",
  "no_key",
  "unreachable",
  "not_a_broker",
  "wrong_key",
  "firefly_rejected",
  "upstream_unreachable",
  "error",
]);

export interface BrokerHealth {
  mode: "firefly" | "local";
  version?: string;
  queueDepth?: number;
  upstreamReachable?: boolean;
}

/** One step of the broker's doctor (admin keys only): what it proved, or exactly what is wrong. */
export interface BrokerDoctorStep {
  step: string;
  ok: boolean;
  code: string;
  message: string;
}

/** The broker's own check of its Firefly credentials, run for admin keys by Test connection. */
export interface BrokerDoctor {
  steps: BrokerDoctorStep[];
  /** What could not be checked, and why (a broker in local mode, or a doctor that did not answer). */
  note?: string;
}

export const brokerDoctorSchema = z.object({
  steps: z.array(z.object({ step: z.string().max(40), ok: z.boolean(), code: z.string().max(40), message: z.string().max(2000) })).max(20),
  note: z.string().max(2000).optional(),
});

export interface ConnectionResult {
  ok: boolean;
  diagnosis: ConnectionDiagnosis;
  /** What was found, in one sentence. */
  message: string;
  /** What to do about it. */
  hint?: string;
  detail?: string;
  broker?: BrokerHealth;
  /** Admin keys only: the broker's doctor, step by step. */
  doctor?: BrokerDoctor;
}

export const brokerHealthSchema = z.object({
  mode: z.enum(["firefly", "local"]),
  version: z.string().optional(),
  queueDepth: z.number().optional(),
  upstreamReachable: z.boolean().optional(),
});

export const connectionResultSchema = z.object({
  ok: z.boolean(),
  diagnosis: connectionDiagnosisSchema,
  message: z.string(),
  hint: z.string().optional(),
  detail: z.string().optional(),
  broker: brokerHealthSchema.optional(),
  doctor: brokerDoctorSchema.optional(),
});
