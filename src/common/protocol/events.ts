// Events: host → panel. Same envelope as commands; `replyTo` names the command an event answers.

import { z } from "zod";
import type { ColorMode, LayerInfo, Rect } from "../host";
import type { ErrorCategory, JobState } from "../jobs";
import { rectSchema } from "./params-schema";
import type { ConnectionResult, SettingsView } from "./settings-schema";
import { connectionResultSchema, settingsViewSchema } from "./settings-schema";
import { hostCheckReportSchema } from "./hostcheck-schema";
import { quotaViewSchema } from "./quota-schema";
import { PROTOCOL_NAME, PROTOCOL_VERSION } from "./version";

/** What the panel needs to enable/disable its buttons. */
export interface ActiveDocumentView {
  id: number;
  title: string;
  width: number;
  height: number;
  mode: ColorMode;
  bitDepth: 8 | 16 | 32;
  resolution: number;
  /** False when Infill cannot work on this document (e.g. 32-bit, indexed); `unsupportedReason` says why. */
  supported: boolean;
  unsupportedReason?: string;
}

export interface DocumentListEntry {
  id: number;
  title: string;
  width: number;
  height: number;
  active: boolean;
}

/** One custom model from the broker's listing, as the panel offers it. */
export interface CustomModelEntry {
  /** The model's asset id: the generate request's `customModelId`. */
  id: string;
  /** Display name. */
  name: string;
  trainingMode?: "subject" | "style";
  /** The base model the service reports, e.g. { name: "clio_v2", version: "2.0.0" }. */
  baseModel?: { name?: string; version?: string };
  /** The `x-model-version` that runs this model (inferred from the base model; Image 3 unless it names Image 4). */
  modelVersion: "image3_custom" | "image4_custom";
  /** Subject models: the word the prompt must contain to bring the subject in. */
  conceptId?: string;
  samplePrompt?: string;
}

/** Longest side of a reference thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 96;

export type Theme = "darkest" | "dark" | "medium" | "light" | "lightest";

export type EventErrorCategory = ErrorCategory | "document" | "host_busy" | "protocol" | "settings" | "internal";

export interface ErrorEventBody {
  category: EventErrorCategory;
  /** Machine-readable reason, e.g. "version_mismatch", "malformed", "unknown_type", "no_selection". */
  code: string;
  /** What happened, for an artist. */
  message: string;
  /** What to do about it. */
  hint: string;
  /** Technical detail, shown on demand. Never contains secrets. */
  detail?: string;
}

const envelope = {
  protocol: z.literal(PROTOCOL_NAME),
  version: z.literal(PROTOCOL_VERSION),
  replyTo: z.string().max(100).optional(),
};

const colorMode = z.enum(["rgb", "grayscale", "cmyk", "lab", "indexed", "bitmap", "duotone", "multichannel"]);

const activeDocumentSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  mode: colorMode,
  bitDepth: z.union([z.literal(8), z.literal(16), z.literal(32)]),
  resolution: z.number(),
  supported: z.boolean(),
  unsupportedReason: z.string().optional(),
});

/** Job states are produced by the workflows; the panel checks their outline and trusts the rest. */
const jobStateSchema = z.custom<JobState>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as JobState).jobId === "string" &&
    typeof (v as JobState).phase === "string" &&
    Array.isArray((v as JobState).variations),
  { message: "not a job state" },
);

const layerInfoSchema = z.custom<LayerInfo>(
  (v) => typeof v === "object" && v !== null && typeof (v as LayerInfo).id === "number" && typeof (v as LayerInfo).name === "string",
  { message: "not a layer" },
);

const customModelSchema = z.object({
  id: z.string().min(1).max(500),
  name: z.string().max(500),
  trainingMode: z.enum(["subject", "style"]).optional(),
  baseModel: z.object({ name: z.string().max(200).optional(), version: z.string().max(100).optional() }).optional(),
  modelVersion: z.enum(["image3_custom", "image4_custom"]),
  conceptId: z.string().max(200).optional(),
  samplePrompt: z.string().max(1024).optional(),
});

const themeSchema = z.enum(["darkest", "dark", "medium", "light", "lightest"]);

export const eventSchemas = {
  hello: z.object({
    ...envelope,
    type: z.literal("hello"),
    /** Plugin version (manifest). */
    pluginVersion: z.string(),
    /** "photoshop" inside Photoshop, "playground" in the browser stand-in. */
    hostApp: z.enum(["photoshop", "playground"]),
    hostVersion: z.string(),
  }),
  "document.state": z.object({
    ...envelope,
    type: z.literal("document.state"),
    active: activeDocumentSchema.nullable(),
    /** Selection of the active document, bounds clamped to the canvas; null when nothing is selected. */
    selection: z.object({ bounds: rectSchema }).nullable(),
  }),
  documents: z.object({
    ...envelope,
    type: z.literal("documents"),
    documents: z.array(z.object({ id: z.number().int(), title: z.string(), width: z.number(), height: z.number(), active: z.boolean() })),
  }),
  layers: z.object({ ...envelope, type: z.literal("layers"), docId: z.number().int(), layers: z.array(layerInfoSchema) }),
  /** A job was accepted: its id, so the panel can follow its `job.state` events. */
  "job.accepted": z.object({ ...envelope, type: z.literal("job.accepted"), jobId: z.string() }),
  "job.state": z.object({ ...envelope, type: z.literal("job.state"), job: jobStateSchema }),
  jobs: z.object({ ...envelope, type: z.literal("jobs"), jobs: z.array(jobStateSchema) }),
  /** A kept job was dismissed: the panel drops it. */
  "job.removed": z.object({ ...envelope, type: z.literal("job.removed"), jobId: z.string() }),
  settings: z.object({ ...envelope, type: z.literal("settings"), settings: settingsViewSchema }),
  "connection.result": z.object({ ...envelope, type: z.literal("connection.result"), result: connectionResultSchema }),
  /** Answers `hostcheck.run`; `savedAs` names the report file in the plugin data folder. */
  "hostcheck.report": z.object({ ...envelope, type: z.literal("hostcheck.report"), report: hostCheckReportSchema, savedAs: z.string().max(300).optional() }),
  /** Answers `models.list`. */
  models: z.object({ ...envelope, type: z.literal("models"), models: z.array(customModelSchema).max(500) }),
  /** Answers `thumbnail.get`: a small JPEG data URL (longest side ≤ THUMBNAIL_MAX_SIDE). */
  thumbnail: z.object({
    ...envelope,
    type: z.literal("thumbnail"),
    docId: z.number().int(),
    layerId: z.number().int().optional(),
    dataUrl: z.string().startsWith("data:image/jpeg;base64,").max(200_000),
    width: z.number().int().min(1).max(THUMBNAIL_MAX_SIDE),
    height: z.number().int().min(1).max(THUMBNAIL_MAX_SIDE),
  }),
  /**
   * Thumbnails sent earlier for this document (or for every document when `docId` is absent) no longer
   * show what it looks like: ask again for the ones on screen.
   */
  "thumbnail.stale": z.object({ ...envelope, type: z.literal("thumbnail.stale"), docId: z.number().int().optional() }),
  /** The organisation's usage and the queue's estimated waits, while the broker shares them. */
  quota: z.object({ ...envelope, type: z.literal("quota"), quota: quotaViewSchema }),
  theme: z.object({
    ...envelope,
    type: z.literal("theme"),
    theme: themeSchema,
    scheme: z.enum(["dark", "light"]),
  }),
  error: z.object({
    ...envelope,
    type: z.literal("error"),
    category: z.enum([
      "auth",
      "quota",
      "rate_limited",
      "content_policy",
      "invalid_input",
      "bad_output",
      "not_found",
      "service_unavailable",
      "network",
      "cancelled",
      "timeout",
      "document",
      "host_busy",
      "protocol",
      "settings",
      "internal",
    ]),
    code: z.string(),
    message: z.string(),
    hint: z.string(),
    detail: z.string().optional(),
  }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

export type ProtocolEvent = { [K in EventType]: z.infer<(typeof eventSchemas)[K]> }[EventType];
export type EventOf<K extends EventType> = Extract<ProtocolEvent, { type: K }>;
export type EventBody<K extends EventType = EventType> = K extends EventType ? Omit<EventOf<K>, "protocol" | "version"> : never;

// Keep the hand-written interfaces and the schemas in step.
export const errorBodyCheck: (e: Omit<EventOf<"error">, "protocol" | "version" | "type" | "replyTo">) => ErrorEventBody = (e) => e;
export const settingsCheck: (s: EventOf<"settings">["settings"]) => SettingsView = (s) => s;
export const connectionCheck: (c: EventOf<"connection.result">["result"]) => ConnectionResult = (c) => c;
export const customModelCheck: (m: EventOf<"models">["models"][number]) => CustomModelEntry = (m) => m;
export const activeCheck: (a: NonNullable<EventOf<"document.state">["active"]>) => ActiveDocumentView = (a) => a;
export const selectionCheck: (r: NonNullable<EventOf<"document.state">["selection"]>["bounds"]) => Rect = (r) => r;
export type { ConnectionResult, SettingsView };
