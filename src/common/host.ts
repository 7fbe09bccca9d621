// The Host: everything Infill's workflows need from Photoshop, as one interface.
//
// Two implementations: the Photoshop adapter (src/plugin/photoshop, the only module that imports
// `photoshop`/`uxp`) and the simulated host (src/playground/sim) used by the playground and the tests.
// Geometry follows Photoshop: rectangles are half-open in document pixels (right/bottom excluded).

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

/** 8-bit RGBA, sRGB, straight (not premultiplied) alpha, row-major, no padding. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8Array; // length = width * height * 4
}

/** 8-bit single channel (selection or layer mask: 255 = selected / revealed). */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array; // length = width * height
}

export type ColorMode = "rgb" | "grayscale" | "cmyk" | "lab" | "indexed" | "bitmap" | "duotone" | "multichannel";

export interface DocumentSnapshot {
  id: number;
  title: string;
  width: number;
  height: number;
  /** Pixels per inch. Geometry never depends on it; it is carried for display and for honest placement. */
  resolution: number;
  mode: ColorMode;
  bitDepth: 8 | 16 | 32;
  /** ICC profile name, e.g. "sRGB IEC61966-2.1". */
  profile: string;
  /** False for transparent documents (no Background layer). */
  hasBackground: boolean;
}

export interface LayerInfo {
  id: number;
  name: string;
  kind: "pixel" | "group" | "adjustment" | "text" | "smartObject" | "other";
  visible: boolean;
  /** Bounds of the layer's content in document pixels (may be empty). */
  bounds: Rect;
  parentId: number | null;
}

/** The active selection as a mask over `bounds` (bounds clamped to the canvas, never empty). */
export interface SelectionMask {
  bounds: Rect;
  mask: GrayImage; // width = bounds.right - bounds.left, height = bounds.bottom - bounds.top
}

export interface CompositeRequest {
  /** Window of the document to read (defaults to the whole canvas). May extend past the canvas: outside is transparent. */
  window?: Rect;
  /** Output size; the window is resampled to it (defaults to the window's size). */
  targetSize?: Size;
  /** Read one layer instead of the document composite (style/structure reference from a layer). */
  layerId?: number;
  /** Read the composite of the visible layers below this layer only (the background an object sits on). */
  below?: number;
}

/** What `Host.capture` found before it reads composites: the document and (when asked) its selection. */
export interface CaptureFound {
  document: DocumentSnapshot;
  selection: SelectionMask | null;
}

export interface CaptureRequest {
  /** Read the selection (null in the answer when nothing is selected). */
  selection: boolean;
  /**
   * The composites to read, in order. Either a list, or a pure, quick function of what was found
   * (the document as it is now and its selection) that returns the list — for windows planned from
   * the selection, read in the same scope. Nothing in it may wait on anything; an error it throws is
   * rethrown by `capture` unchanged.
   */
  composites: CompositeRequest[] | ((found: CaptureFound) => CompositeRequest[]);
}

export interface CaptureResult extends CaptureFound {
  /** One image per composite request, in the same order. */
  composites: RGBAImage[];
}

// ---- Plans: a pure list of layer operations, carried out by `apply` as one history step ----

/** A layer is named in a plan either by a reference created earlier in the same plan or by an existing id. */
export type LayerTarget = { ref: string } | { id: number };

export type Anchor = "topLeft" | "top" | "topRight" | "left" | "center" | "right" | "bottomLeft" | "bottom" | "bottomRight";

export type LayerOp =
  /** Photoshop's canvas size with an anchor. Expand uses two of these (the two-step anchor method). */
  | { op: "resizeCanvas"; width: number; height: number; anchor: Anchor }
  /**
   * A new group: inside `parent` (at its top), or directly above the layer `above` (in that layer's
   * parent group, or at the document's top level), or where the host puts new layers when neither is
   * given. A plan gives at most one of `parent` and `above`.
   */
  | { op: "createGroup"; ref: string; name: string; parent?: LayerTarget; above?: LayerTarget }
  /** A new pixel layer whose pixels' top-left lands at (left, top) in document pixels. */
  | {
      op: "createPixelLayer";
      ref: string;
      name: string;
      parent?: LayerTarget;
      pixels: RGBAImage;
      left: number;
      top: number;
      visible: boolean;
    }
  /** A layer mask covering (left, top, left+mask.width, top+mask.height); outside that rectangle the mask hides. */
  | { op: "setLayerMask"; layer: LayerTarget; mask: GrayImage; left: number; top: number }
  | { op: "setVisibility"; layer: LayerTarget; visible: boolean }
  | { op: "rename"; layer: LayerTarget; name: string }
  | { op: "deleteLayer"; layer: LayerTarget };

export interface LayerPlan {
  /** The history state's name, e.g. "Infill: Fill". */
  name: string;
  /** The plan refuses to run unless the document still has this size (stale-capture guard). */
  expectDocumentSize: Size;
  ops: LayerOp[];
}

export interface ApplyResult {
  /** Layer ids of everything the plan created, by ref. */
  created: Record<string, number>;
}

export type HostErrorCode =
  | "no_document"
  | "no_selection"
  | "document_closed"
  | "document_changed"
  | "unsupported_document"
  | "host_busy"
  | "cancelled"
  | "apply_failed"
  | "capture_failed";

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}

/** The Host's change notifications (documents opened/closed/switched, selection, edits); not the panel protocol's events. */
export type HostChange =
  | { type: "documentsChanged" }
  | { type: "activeDocumentChanged"; docId: number | null }
  | { type: "selectionChanged"; docId: number }
  | { type: "documentEdited"; docId: number };

export interface Host {
  /** The active document, or null when none is open. */
  activeDocument(): Promise<DocumentSnapshot | null>;
  /** Every open document (for references and for finding a job's document by id). */
  documents(): Promise<DocumentSnapshot[]>;
  /** The layers of one document, top-most first (for style/structure references from a layer). */
  layers(docId: number): Promise<LayerInfo[]>;
  /** The selection of a document as an 8-bit mask, or null when nothing is selected. */
  selection(docId: number): Promise<SelectionMask | null>;
  /** Composite (or one layer's) pixels of a window at a target size, as 8-bit sRGB RGBA. */
  composite(docId: number, request?: CompositeRequest): Promise<RGBAImage>;
  /**
   * Everything a job needs from one document, read in one go: its snapshot, its selection (if asked)
   * and any number of composites. In Photoshop this is ONE short modal scope in which nothing waits on
   * the network; every imaging buffer is disposed before it ends. A job that also reads another
   * document (a style or structure reference) makes one more call, one scope per document.
   */
  capture(docId: number, request: CaptureRequest): Promise<CaptureResult>;
  /**
   * Carries out a plan on the document with this id (never on "whichever is active") as ONE
   * history step. On any error the document is rolled back to exactly what it was, and the
   * error is rethrown as a HostError.
   */
  apply(docId: number, plan: LayerPlan, signal?: AbortSignal): Promise<ApplyResult>;
  /** Change notifications (documents opened/closed/switched, selection, edits). Returns an unsubscribe. */
  subscribe(listener: (event: HostChange) => void): () => void;
}
