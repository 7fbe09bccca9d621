// What each kind of job supplies to the shared workflow (capture → submit → download → place): one
// entry per kind in the table (kinds/index.ts), typed by the kind's own request and capture.

import type { CaptureRequest, CaptureResult, DocumentSnapshot, GrayImage, LayerOp, Rect, RGBAImage, SelectionMask } from "../../../common/host";
import type { ExpandParams, FillParams, GenerateParams, HarmonizeParams, JobKind, SimilarParams } from "../../../common/jobs";
import type { SubmitEndpoint, SubmitRequest } from "../../../common/firefly";
import type { LayerContent } from "../../../common/imaging/compose";
import type { DecodeRegion } from "../../../common/imaging/crop";
import type { ToneCorrection } from "../../../common/imaging/tone";
import type { PlacedSelection } from "../place";
import type {
  ExpandCaptured,
  ExpandJobRequest,
  FillCaptured,
  FillJobRequest,
  GenerateCaptured,
  GenerateJobRequest,
  HarmonizeCaptured,
  HarmonizeJobRequest,
  RequestShared,
  SimilarCaptured,
  SimilarJobRequest,
  WorkflowDeps,
} from "../types";

/** Each kind's parameters, request and capture (a new kind adds its line here and its entry in the table). */
export interface KindTypes {
  fill: { params: FillParams; request: FillJobRequest; captured: FillCaptured };
  expand: { params: ExpandParams; request: ExpandJobRequest; captured: ExpandCaptured };
  generate: { params: GenerateParams; request: GenerateJobRequest; captured: GenerateCaptured };
  similar: { params: SimilarParams; request: SimilarJobRequest; captured: SimilarCaptured };
  harmonize: { params: HarmonizeParams; request: HarmonizeJobRequest; captured: HarmonizeCaptured };
}

export type ParamsOf<K extends JobKind> = KindTypes[K]["params"];
export type RequestOf<K extends JobKind> = KindTypes[K]["request"];
export type CapturedOf<K extends JobKind> = KindTypes[K]["captured"];

export interface CaptureContext {
  deps: WorkflowDeps;
  /** The shared request fields for the document the capture found. */
  shared(doc: DocumentSnapshot): RequestShared;
  /** One capture of the active document (see Host.capture). */
  capture(request: CaptureRequest): Promise<CaptureResult>;
  /** An earlier job's document, request and kept selection (More like this on its variations); null without a record. */
  placedSelection(jobId: string): Promise<PlacedSelection | null>;
}

/** One image to upload: encoded when the upload starts; `keepAs` names the copy kept for tone fitting after a resume. */
export interface Upload {
  encode(): Uint8Array;
  type: "image/jpeg" | "image/png";
  keepAs?: string;
}

/** Uploads the given images (encoded one after another, sent at once) and answers their upload ids by name. */
export type Uploader = <T extends UploadSet>(images: T) => Promise<UploadIds<T>>;

/** Images to upload by name; an absent one is not sent. */
export type UploadSet = Record<string, Upload | undefined>;

/** The upload id of each image by name: certain for those always given. */
export type UploadIds<T extends UploadSet> = { [N in keyof T]: T[N] extends Upload ? string : string | undefined };

/** The Firefly call a job makes. */
export interface SubmitCall {
  endpoint: SubmitEndpoint;
  body: SubmitRequest[SubmitEndpoint];
  modelVersion?: string;
}

/** What tone matching fits a result against: the image sent and, for a fill, the mask sent with it. */
export interface SentImages {
  source: RGBAImage;
  mask?: GrayImage;
}

export interface KindWorkflow<K extends JobKind> {
  /** The kind's name in layer, group and history names. */
  label: string;
  /** Reads the active document (one capture) and plans the request. */
  capture(params: ParamsOf<K>, active: DocumentSnapshot, ctx: CaptureContext): Promise<CapturedOf<K>>;
  /** Uploads what the job sends and builds its Firefly call. */
  submit(cap: CapturedOf<K>, upload: Uploader): Promise<SubmitCall>;
  /** The part of the output to download and decode (send-size pixels); undefined: all of it. */
  region(cap: CapturedOf<K>): DecodeRegion | undefined;
  /** What the result's tone is fitted against, or null when the kind does not match tone. */
  sent(cap: CapturedOf<K>): SentImages | null;
  /** Fits a result (at send size) to what was sent. */
  tone(req: RequestOf<K>, sent: SentImages, result: RGBAImage): ToneCorrection | null;
  /** One variation as layer content; `selection` is the one captured (null when the job has none). */
  compose(req: RequestOf<K>, selection: SelectionMask | null, result: RGBAImage, tone: ToneCorrection | null): LayerContent;
  /** Document changes made before the layers are placed, in the same history step (an expand's new canvas, a harmonize's hidden object). */
  canvasOps(req: RequestOf<K>): LayerOp[] | undefined;
  /** The layer the results' group goes directly above (in its parent group); absent: where new layers go. */
  groupAbove?(req: RequestOf<K>): number;
  /** Where the placed result lies in the document, given the first variation's content. */
  target(req: RequestOf<K>, first: LayerContent): Rect;
  /** Bounds of the selection the job keeps for placing later, or undefined when it keeps none. */
  selectionBounds(req: RequestOf<K>): Rect | undefined;
  /** What the plan says about detail, shown on the job (see JobState.detail); absent: nothing to say. */
  detail?(req: RequestOf<K>): string | undefined;
}
