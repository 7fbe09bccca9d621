// What the panel asks for (job parameters) and what it is told back (job state).
// Shared by the panel UI, the host controller and the workflows. Pure data, JSON-safe.

import type { Rect, Size } from "./host";

export type JobKind = "fill" | "expand" | "generate" | "similar" | "harmonize";

export type ErrorCategory =
  | "auth"
  | "quota"
  | "rate_limited"
  | "content_policy"
  | "invalid_input"
  /** The service answered with a result that could not be read. */
  | "bad_output"
  | "not_found"
  | "service_unavailable"
  | "network"
  | "cancelled"
  | "timeout";

/** Every failure the panel shows: a sentence saying what to do, with technical detail one click away. */
export interface JobError {
  category: ErrorCategory | "document";
  message: string;
  detail?: string;
}

export interface BlendSettings {
  /** Width in document pixels of the band where generated pixels fade into the original. */
  bandPx: number;
  /** Match the generated region's per-channel statistics to a ring around its edge. */
  toneMatch: boolean;
}

/** The blend a job used and where it came from. */
export interface BlendUsed extends BlendSettings {
  /** "automatic": the job's own default (a fill's band scales with its selection); "artist": the setting the artist chose. */
  source: "automatic" | "artist";
}

export type Alignment = { horizontal: "left" | "center" | "right"; vertical: "top" | "center" | "bottom" };

export type ExpandTarget =
  | { kind: "size"; width: number; height: number; alignment: Alignment }
  | { kind: "aspect"; aspect: AspectPreset; alignment: Alignment }
  | { kind: "sides"; left: number; top: number; right: number; bottom: number };

export type AspectPreset = "1:1" | "4:3" | "3:4" | "3:2" | "2:3" | "16:9" | "9:16" | "21:9" | "4:5" | "5:4";

/** A reference image: a whole open document's composite or one of its layers. */
export interface ImageReference {
  docId: number;
  layerId?: number;
  strength: number;
}

export interface CommonParams {
  numVariations: number; // 1..4
  /** Fixed seeds (length = numVariations) for re-runs; random when absent. */
  seeds?: number[];
  blend?: BlendSettings;
}

/** Standard: one request, the result resampled to the window; native: brought to native size by upscale. */
export type DetailSetting = "standard" | "native";

export interface FillParams extends CommonParams {
  kind: "fill";
  /** Absent: standard. */
  detail?: DetailSetting;
  prompt?: string; // empty/absent: fill from surroundings
  negativePrompt?: string;
  /** Absent or true: while the Firefly job waits, place the broker's instant local preview. */
  instantPreview?: boolean;
}

export interface ExpandParams extends CommonParams {
  kind: "expand";
  target: ExpandTarget;
  prompt?: string;
  /** Absent: standard. */
  detail?: DetailSetting;
  /** Absent or true: while the Firefly job waits, place the broker's instant local preview. */
  instantPreview?: boolean;
}

export type GenerateModel = "image3" | "image3_custom" | "image4_standard" | "image4_ultra" | "image4_custom";
export type SimilarModel = "image3" | "image4_standard" | "image4_ultra";

/**
 * The model a generate or similar job runs when none is chosen: the newest standard model both calls
 * accept (the service's own default is the older image3). The job records it, so a re-run is exact.
 */
export const DEFAULT_GENERATE_MODEL = "image4_standard" satisfies GenerateModel & SimilarModel;

export interface GenerateParams extends CommonParams {
  kind: "generate";
  prompt: string;
  negativePrompt?: string;
  contentClass?: "photo" | "art";
  stylePresets?: string[];
  styleReference?: ImageReference;
  structureReference?: ImageReference;
  visualIntensity?: number;
  modelVersion?: GenerateModel;
  customModelId?: string;
}

export interface SimilarParams extends CommonParams {
  kind: "similar";
  source: "selection" | "document";
  /**
   * More like this on a placed job's variation, from a selection: that job's id. Its area is then the
   * selection that job was run with (kept with its record), not the document's selection now.
   */
  fromJob?: string;
  modelVersion?: SimilarModel;
}

/** Harmonize: place an object layer into the visible layers below it (Firefly's composites, 1–3 variations). */
export interface HarmonizeParams extends CommonParams {
  kind: "harmonize";
  /** The object's layer: pixels with transparency, above the background it is harmonized into. */
  layerId: number;
  /** Adaptive relights the object and casts a shadow; precise blends it in and keeps it as it is. */
  method: "adaptive" | "precise";
  /** 0..1: harmonization (adaptive) or blend (precise). */
  strength: number;
  /** Adaptive only: cast a contact shadow, and how dark (0..1). */
  shadows?: boolean;
  shadowIntensity?: number;
  /** Adaptive only: keep the background's pixels as they are. */
  keepBackground?: boolean;
}

export type JobParams = FillParams | ExpandParams | GenerateParams | SimilarParams | HarmonizeParams;

export type JobPhase =
  | "capturing"
  | "uploading"
  | "queued" // waiting in the broker's queue (position known)
  | "running" // generating upstream
  | "downloading"
  | "placing"
  | "done"
  | "failed"
  | "cancelled"
  /** Results downloaded and kept, but not placed (document closed or changed): can be re-applied. */
  | "kept";

export interface VariationState {
  index: number;
  seed: number;
  /** Layer id once placed. */
  layerId?: number;
  visible?: boolean;
  /** Small JPEG preview as a data: URL (never full pixels across the bridge). */
  thumbnail?: string;
}

export interface JobState {
  jobId: string;
  kind: JobKind;
  params: JobParams;
  docId: number;
  docTitle: string;
  /** Where the result goes, in document pixels at capture time. */
  target?: Rect;
  docSizeAtCapture?: Size;
  phase: JobPhase;
  queuePosition?: number;
  /** 0..100 when known. */
  progress?: number;
  /** While the broker answers the job's status polls with a rate-limit pause: until when (ms since epoch). */
  pausedUntil?: number;
  startedAt: number;
  finishedAt?: number;
  error?: JobError;
  groupLayerId?: number;
  variations: VariationState[];
  /** Set when the engine ignored the prompt (local engine). */
  note?: string;
  /** The blend used, once the job is captured. */
  blend?: BlendUsed;
  /** What the plan says about detail: "generated at 1/2.3 of native size", and any stretch of the context. */
  detail?: string;
  /** The broker's request id of the submit (its `x-request-id`), to match a report with the broker's log. */
  requestId?: string;
}

export const TERMINAL_PHASES: readonly JobPhase[] = ["done", "failed", "cancelled", "kept"];
