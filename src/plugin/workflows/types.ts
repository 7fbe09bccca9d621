// The workflows' dependencies and the job request: one typed, JSON-safe object per job holding
// everything needed to place its results later (document, geometry, seeds, blend), so results can be
// applied after the selection changed, after a reload or after a crash.

import type { GrayImage, Host, Rect, RGBAImage, SelectionMask, Size } from "../../common/host";
import type { BlendSettings, ExpandParams, FillParams, GenerateParams, HarmonizeParams, JobKind, JobParams, JobState, SimilarParams } from "../../common/jobs";
import type { ExpandGeometry } from "../../common/imaging/expand";
import type { ContextOptions, FillGeometry } from "../../common/imaging/context";
import type { FillLimits, UpscaleStep } from "../../common/imaging/detail";
import type { ToneCorrection } from "../../common/imaging/tone";
import type { DecodeRegion, OutputPlacement } from "../../common/imaging/crop";
import type { BrokerClient } from "../broker-client";
import type { ResultStore } from "../store";
import type { PlacedPreview } from "./preview-plan";
import type { FillTile, TileProgress } from "./tiles-plan";

/** A job this session runs or took up again: `cancel` stops it for good; `detach` only stops working on it here. */
export interface RunningJob {
  jobId: string;
  done: Promise<JobState>;
  cancel(): void;
  /**
   * Stops working on the job here without cancelling it (the panel is going away): the stored record
   * is left as it was, so the next session resumes it (see resume.ts). `done` then resolves with the
   * last state.
   */
  detach(): void;
}

export interface WorkflowDeps {
  host: Host;
  broker: BrokerClient;
  store: ResultStore;
  now?: () => number;
  random?: () => number;
  /** Status poll interval (default 1500 ms; Firefly's guidance is 1–2 s). */
  pollIntervalMs?: number;
  /** Give up (and cancel upstream) after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Waiting, replaceable in tests. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Fill context-window policy (default: detail first, 1:1 for selections that fit a preset). */
  fillContext?: ContextOptions;
  /** Fill sizes and upscale limit (default: Firefly's; smaller ones keep tests of tiled fills small). */
  fillLimits?: FillLimits;
}

/** The request fields every kind shares, set from the document a capture found. */
export interface RequestShared {
  /** 2: one shape per kind (records of version 1 are read through migrate.ts). */
  version: 2;
  jobId: string;
  docId: number;
  docTitle: string;
  docSize: Size;
  capturedAt: number;
  seeds: number[];
  groupName: string;
  historyName: string;
}

interface RequestBase<K extends JobKind, P extends JobParams> extends RequestShared {
  kind: K;
  params: P;
  blend: BlendSettings;
  /** Size requested from the service. */
  sendSize: Size;
}

/** Where a generate or similar result goes: the area it covers; `masked` when the selection masks it. */
export interface CoverPlacement {
  target: Rect;
  masked: boolean;
  selectionBounds?: Rect;
}

export interface FillJobRequest extends RequestBase<"fill", FillParams> {
  /**
   * `upscale`: Native detail brings the result to native size with this upscale; `tiles`: with these
   * tiles instead (see tiles.ts); `detailNote`: why it could not, or how a tiled result was made.
   */
  fill: { geometry: FillGeometry; selectionBounds: Rect; upscale?: UpscaleStep; tiles?: FillTile[]; detailNote?: string };
}

export interface ExpandJobRequest extends RequestBase<"expand", ExpandParams> {
  /**
   * `upscale`: Native detail brings the new area to native size with this upscale; `tiles`: with these
   * fills of tiles along the new strips instead (see tiles.ts); `detailNote`: why it could not; `frame`: the document rectangle the result covers when it is an upscaled crop (absent:
   * the whole canvas).
   */
  expand: { geometry: ExpandGeometry; upscale?: UpscaleStep; tiles?: FillTile[]; detailNote?: string; frame?: Rect };
}

export interface GenerateJobRequest extends RequestBase<"generate", GenerateParams> {
  cover: CoverPlacement;
}

export interface SimilarJobRequest extends RequestBase<"similar", SimilarParams> {
  cover: CoverPlacement;
}

/** Where a harmonize result goes: the window sent, the object's footprint and the area (footprint plus shadow reach) it may change. */
export interface HarmonizeJobRequest extends RequestBase<"harmonize", HarmonizeParams> {
  harmonize: { geometry: FillGeometry; footprint: Rect; area: Rect; reach: number };
}

/** One request per kind; the kind's own table entry (kinds/) knows how to capture, submit and place it. */
export type JobRequest = FillJobRequest | ExpandJobRequest | GenerateJobRequest | SimilarJobRequest | HarmonizeJobRequest;

/** What the store keeps per job besides the state: the request and per-variation tone corrections. */
export interface StoredRequest {
  request: JobRequest;
  /** Seeds the service reported, in output order. */
  outputSeeds?: number[];
  tones?: (ToneCorrection | null)[];
  /** Per variation: where a cropped download lies in the whole output (null: the whole output). */
  placements?: (OutputPlacement | null)[];
  /**
   * Set once the broker accepted the job: enough to finish it after a panel reload or crash. With
   * the broker's request id of the submit (records from before it was kept have none).
   */
  remote?: { jobId: string; submittedAt: number; requestId?: string };
  /** A fill's part of the result to download (send-size frame), as asked when it ran. */
  region?: DecodeRegion;
  /**
   * The selection mask the job was run with (a gray PNG, base64), moved here from its bytes once they
   * are released after placing, so More like this can place its variations in the same area. Records
   * placed before it was kept have none.
   */
  selection?: string;
  /** The instant preview placed while the job waited (see preview.ts), removed when the results are placed. */
  preview?: PlacedPreview;
  /** A tiled fill's broker job per tile, once submitted, and whether its results are stored (see tiles.ts). */
  tiles?: TileProgress[];
}

/** Keys of a job's bytes in the store. */
export const SELECTION_KEY = "selection-mask.png";
export const resultKey = (i: number): string => `result-${i}`;
/** What was sent (fill and expand with tone matching), kept until the job ends for tone fitting after a resume. */
export const SENT_SOURCE_KEY = "sent-source.jpg";
export const SENT_MASK_KEY = "sent-mask.png";

/** One tile of a tiled fill or expansion as sent: its window and mask at its send size. */
export interface TileCapture {
  source: RGBAImage;
  sendMask: GrayImage;
}

/** A fill as captured: the selection it fills and the window and mask sent (a tiled fill's first tile's). */
export interface FillCaptured {
  request: FillJobRequest;
  selection: SelectionMask;
  source: RGBAImage;
  sendMask: GrayImage;
  /** A tiled fill: each tile's window and mask, as sent. */
  tiles?: TileCapture[];
}

/** An expand as captured: the whole document, scaled to the size sent (a tiled expansion's first tile's). */
export interface ExpandCaptured {
  request: ExpandJobRequest;
  selection: null;
  source: RGBAImage;
  /** A tiled expansion: the window and mask of each tile whose window holds part of the original, as sent. */
  tiles?: TileCapture[];
}

/** A generate as captured: the selection it covers, if any, and the references read. */
export interface GenerateCaptured {
  request: GenerateJobRequest;
  selection: SelectionMask | null;
  styleReference?: RGBAImage;
  structureReference?: RGBAImage;
}

/** A similar as captured: the image it is like (the selection's area or the document). */
export interface SimilarCaptured {
  request: SimilarJobRequest;
  selection: SelectionMask | null;
  source: RGBAImage;
}

/** A harmonize as captured: the object's footprint (kept for placing), the background and the object images sent. */
export interface HarmonizeCaptured {
  request: HarmonizeJobRequest;
  selection: SelectionMask;
  background: RGBAImage;
  fillAreaMask: GrayImage;
  object: RGBAImage;
  objectMask: GrayImage;
}

/** What a capture read for a job: its request and the pixels it sends. */
export type Captured = FillCaptured | ExpandCaptured | GenerateCaptured | SimilarCaptured | HarmonizeCaptured;
