// A simulated Photoshop implementing the Host interface with Photoshop's documented behaviour:
// documents with Background (or transparent), layers with offsets, masks, groups and visibility,
// selection bounds that may exceed the canvas, 8/16/32-bit storage read back as 8-bit, one history
// state per apply with undo/redo, atomic apply (rollback on any error, with fault injection for
// tests) and change notifications. Browser-safe: no Node APIs.

import {
  HostError,
  type ApplyResult,
  type CaptureRequest,
  type CaptureResult,
  type ColorMode,
  type CompositeRequest,
  type DocumentSnapshot,
  type GrayImage,
  type Host,
  type HostChange,
  type LayerInfo,
  type LayerPlan,
  type Rect,
  type RGBAImage,
  type SelectionMask,
} from "../../common/host";
import { cropGray, nonZeroBounds, repeatPixel } from "../../common/imaging/image";
import { clampToCanvas, isEmptyRect } from "../../common/imaging/rect";
import { resampleRGBA } from "../../common/imaging/resample";
import { applyOp, type OpContext } from "./ops";
import { allocChannels, from8, unitToSample, type Channels, type Depth } from "./pixels";
import { contentBounds, renderPng, renderWindow } from "./render";
import type { DocState, SimDocument, SimLayer } from "./state";

export interface NewDocumentOptions {
  title?: string;
  width: number;
  height: number;
  resolution?: number;
  mode?: ColorMode;
  bitDepth?: Depth;
  profile?: string;
  /** Initial pixels (8-bit RGBA, canvas-sized) of the Background layer, or of "Layer 1" when transparent. */
  pixels?: RGBAImage;
  /** Raw samples at the document's depth (e.g. 16-bit 0..32768), instead of `pixels`. */
  samples?: Channels;
  /** False: a transparent document (no Background layer). */
  background?: boolean;
  backgroundColor?: [number, number, number];
  /** Fill when no pixels are given (8-bit RGB). */
  fill?: [number, number, number];
}

export interface FaultPlan {
  /** The next apply fails just before carrying out the operation with this index. */
  failApplyAtOp?: number;
  /** composite() fails (capture errors). */
  failComposite?: boolean;
}

export class SimHost implements Host {
  private docs: SimDocument[] = [];
  private active: number | null = null;
  private nextLayerId = 1;
  private nextDocId = 1;
  private listeners = new Set<(e: HostChange) => void>();
  private busy = false;
  /** Injected failures, consumed when they fire. */
  faults: FaultPlan = {};
  /** Every composite request, for tests that check how sources were read. */
  readonly compositeLog: { docId: number; request: CompositeRequest }[] = [];
  /** The document of every capture call, in order. */
  readonly captureLog: number[] = [];

  // ---------- set-up helpers (the playground and tests drive these like an artist would) ----------

  createDocument(opts: NewDocumentOptions): number {
    const depth: Depth = opts.bitDepth ?? 8;
    const { width, height } = opts;
    const withBackground = opts.background ?? true;
    let data: Channels;
    if (opts.samples) data = opts.samples.slice();
    else if (opts.pixels) data = from8(depth, opts.pixels.data);
    else {
      data = allocChannels(depth, width * height * 4);
      const fill = opts.fill ?? [255, 255, 255];
      if (withBackground || opts.fill) {
        repeatPixel(data, [...fill.map((c) => unitToSample(depth, c / 255, false)), unitToSample(depth, 1, true)]);
      }
    }
    const layer: SimLayer = {
      id: this.nextLayerId++,
      name: withBackground ? "Background" : "Layer 1",
      kind: "pixel",
      parentId: null,
      visible: true,
      isBackground: withBackground,
      left: 0,
      top: 0,
      width,
      height,
      data,
      mask: null,
    };
    const state: DocState = { width, height, layers: [layer], selection: null };
    const doc: SimDocument = {
      id: this.nextDocId++,
      title: opts.title ?? `Untitled-${this.nextDocId - 1}`,
      resolution: opts.resolution ?? 72,
      mode: opts.mode ?? "rgb",
      depth,
      profile: opts.profile ?? "sRGB IEC61966-2.1",
      backgroundColor: opts.backgroundColor ?? [255, 255, 255],
      state,
      history: [{ name: "Open", state }],
      historyIndex: 0,
    };
    this.docs.push(doc);
    this.active = doc.id;
    this.emit({ type: "documentsChanged" });
    this.emit({ type: "activeDocumentChanged", docId: doc.id });
    return doc.id;
  }

  closeDocument(docId: number): void {
    this.docs = this.docs.filter((d) => d.id !== docId);
    if (this.active === docId) this.active = this.docs.length ? this.docs[this.docs.length - 1].id : null;
    this.emit({ type: "documentsChanged" });
    this.emit({ type: "activeDocumentChanged", docId: this.active });
  }

  activate(docId: number): void {
    this.doc(docId);
    this.active = docId;
    this.emit({ type: "activeDocumentChanged", docId });
  }

  /** Set the selection: a mask over `bounds` (bounds may exceed the canvas). */
  setSelection(docId: number, bounds: Rect, mask?: GrayImage): void {
    const doc = this.doc(docId);
    const w = bounds.right - bounds.left;
    const h = bounds.bottom - bounds.top;
    const m = mask ?? { width: w, height: h, data: new Uint8Array(w * h).fill(255) };
    if (m.width !== w || m.height !== h) throw new Error("selection mask must match its bounds");
    doc.state = { ...doc.state, selection: { bounds: { ...bounds }, mask: { width: w, height: h, data: m.data.slice() } } };
    this.emit({ type: "selectionChanged", docId });
  }

  /** An elliptical selection inscribed in `bounds`, feathered over `feather` pixels. */
  setEllipseSelection(docId: number, bounds: Rect, feather = 0): void {
    const w = bounds.right - bounds.left;
    const h = bounds.bottom - bounds.top;
    const rx = w / 2;
    const ry = h / 2;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const nx = (x + 0.5 - rx) / rx;
        const ny = (y + 0.5 - ry) / ry;
        const sd = (Math.sqrt(nx * nx + ny * ny) - 1) * Math.min(rx, ry); // < 0 inside
        const v = feather > 0 ? Math.min(1, Math.max(0, 0.5 - sd / feather)) : sd <= 0 ? 1 : 0;
        data[y * w + x] = Math.round(v * 255);
      }
    }
    this.setSelection(docId, bounds, { width: w, height: h, data });
  }

  deselect(docId: number): void {
    const doc = this.doc(docId);
    doc.state = { ...doc.state, selection: null };
    this.emit({ type: "selectionChanged", docId });
  }

  /** Add a pixel layer outside any plan (an artist painting), as its own history state. */
  addLayer(docId: number, name: string, pixels: RGBAImage, left = 0, top = 0): number {
    const doc = this.doc(docId);
    const ctx = this.opContext(doc);
    const state = applyOp(doc.state, { op: "createPixelLayer", ref: "l", name, pixels, left, top, visible: true }, ctx);
    this.commit(doc, name, state);
    return ctx.refs.l;
  }

  /** Image › Canvas Size by hand (makes captured jobs stale). */
  resizeCanvasByHand(docId: number, width: number, height: number, anchor: "center" | "topLeft" = "center"): void {
    const doc = this.doc(docId);
    this.commit(doc, "Canvas Size", applyOp(doc.state, { op: "resizeCanvas", width, height, anchor }, this.opContext(doc)));
  }

  undo(docId: number): boolean {
    const doc = this.doc(docId);
    if (doc.historyIndex === 0) return false;
    doc.historyIndex--;
    doc.state = doc.history[doc.historyIndex].state;
    this.emit({ type: "documentEdited", docId });
    return true;
  }

  redo(docId: number): boolean {
    const doc = this.doc(docId);
    if (doc.historyIndex >= doc.history.length - 1) return false;
    doc.historyIndex++;
    doc.state = doc.history[doc.historyIndex].state;
    this.emit({ type: "documentEdited", docId });
    return true;
  }

  historyNames(docId: number): string[] {
    const doc = this.doc(docId);
    return doc.history.slice(0, doc.historyIndex + 1).map((h) => h.name);
  }

  /** The raw state (tests compare states for identity after rollbacks). */
  stateOf(docId: number): DocState {
    return this.doc(docId).state;
  }

  /** Raw samples of one layer at the document's depth (16-bit: 0..32768). */
  layerSamples(docId: number, layerId: number): { left: number; top: number; width: number; height: number; data: Channels } {
    const l = this.doc(docId).state.layers.find((x) => x.id === layerId);
    if (!l || !l.data) throw new Error(`no pixel layer ${layerId}`);
    return { left: l.left, top: l.top, width: l.width, height: l.height, data: l.data };
  }

  /** The whole canvas composite as PNG bytes (the playground's export). */
  renderPng(docId: number): Uint8Array {
    const doc = this.doc(docId);
    return renderPng(doc.state, doc.depth);
  }

  // ---------- Host ----------

  async activeDocument(): Promise<DocumentSnapshot | null> {
    return this.active === null ? null : this.snapshot(this.doc(this.active));
  }

  async documents(): Promise<DocumentSnapshot[]> {
    return this.docs.map((d) => this.snapshot(d));
  }

  async layers(docId: number): Promise<LayerInfo[]> {
    const doc = this.requireOpen(docId);
    const { layers } = doc.state;
    const boundsOf = (l: SimLayer): Rect => {
      if (l.kind === "pixel") return contentBounds(l, doc.depth);
      let acc: Rect | null = null;
      for (const c of layers.filter((x) => x.parentId === l.id)) {
        const b = boundsOf(c);
        if (isEmptyRect(b)) continue;
        acc = acc
          ? { left: Math.min(acc.left, b.left), top: Math.min(acc.top, b.top), right: Math.max(acc.right, b.right), bottom: Math.max(acc.bottom, b.bottom) }
          : b;
      }
      return acc ?? { left: 0, top: 0, right: 0, bottom: 0 };
    };
    return layers.map((l) => ({ id: l.id, name: l.name, kind: l.kind, visible: l.visible, bounds: boundsOf(l), parentId: l.parentId }));
  }

  async selection(docId: number): Promise<SelectionMask | null> {
    const doc = this.requireOpen(docId);
    const sel = doc.state.selection;
    if (!sel) return null;
    const bounds = clampToCanvas(sel.bounds, doc.state);
    if (isEmptyRect(bounds)) return null;
    const mask = cropGray(sel.mask, bounds, sel.bounds.left, sel.bounds.top);
    if (isEmptyRect(nonZeroBounds(mask))) return null;
    return { bounds, mask };
  }

  async composite(docId: number, request: CompositeRequest = {}): Promise<RGBAImage> {
    const doc = this.requireOpen(docId);
    this.compositeLog.push({ docId, request: JSON.parse(JSON.stringify(request)) });
    if (this.faults.failComposite) {
      this.faults.failComposite = false;
      throw new HostError("capture_failed", "Photoshop could not read the document's pixels.", "injected fault");
    }
    const window = request.window ?? { left: 0, top: 0, right: doc.state.width, bottom: doc.state.height };
    if (isEmptyRect(window)) throw new HostError("capture_failed", "Nothing to read: the area is empty.");
    if (request.layerId !== undefined && !doc.state.layers.some((l) => l.id === request.layerId && l.kind === "pixel")) {
      throw new HostError("capture_failed", "That layer no longer exists or has no pixels.", `layer ${request.layerId}`);
    }
    if (request.below !== undefined && !doc.state.layers.some((l) => l.id === request.below)) {
      throw new HostError("capture_failed", "That layer no longer exists.", `layer ${request.below}`);
    }
    const img = renderWindow(doc.state, doc.depth, window, request.layerId, request.below);
    const t = request.targetSize;
    if (!t || (t.width === img.width && t.height === img.height)) return img;
    return resampleRGBA(img, t.width, t.height);
  }

  /** One read of everything a job needs from a document (Photoshop: one modal scope). */
  async capture(docId: number, request: CaptureRequest): Promise<CaptureResult> {
    const doc = this.requireOpen(docId);
    this.captureLog.push(docId);
    const document = this.snapshot(doc);
    const selection = request.selection ? await this.selection(docId) : null;
    const wanted = typeof request.composites === "function" ? request.composites({ document, selection }) : request.composites;
    const composites: RGBAImage[] = [];
    for (const r of wanted) composites.push(await this.composite(docId, r));
    return { document, selection, composites };
  }

  async apply(docId: number, plan: LayerPlan, signal?: AbortSignal): Promise<ApplyResult> {
    const doc = this.docs.find((d) => d.id === docId);
    if (!doc) throw new HostError("document_closed", "The document this result belongs to is closed.");
    if (doc.state.width !== plan.expectDocumentSize.width || doc.state.height !== plan.expectDocumentSize.height) {
      throw new HostError(
        "document_changed",
        "The document's canvas size changed since the job started, so the result would land in the wrong place.",
        `expected ${plan.expectDocumentSize.width}×${plan.expectDocumentSize.height}, found ${doc.state.width}×${doc.state.height}`,
      );
    }
    if (this.busy) throw new HostError("host_busy", "Photoshop is busy with another change. Try again in a moment.");
    this.busy = true;
    const ctx = this.opContext(doc);
    try {
      let state = doc.state;
      for (let i = 0; i < plan.ops.length; i++) {
        await Promise.resolve();
        if (signal?.aborted) throw new HostError("cancelled", "Cancelled.");
        if (this.faults.failApplyAtOp === i) {
          this.faults.failApplyAtOp = undefined;
          throw new Error(`injected failure at operation ${i} (${plan.ops[i].op})`);
        }
        state = applyOp(state, plan.ops[i], ctx);
      }
      if (!this.docs.includes(doc)) throw new HostError("document_closed", "The document was closed while the result was being placed.");
      this.commit(doc, plan.name, state);
      return { created: { ...ctx.refs } };
    } catch (e) {
      // Rollback: the document's state was never replaced (states are immutable values).
      if (e instanceof HostError) throw e;
      throw new HostError("apply_failed", "Placing the result failed; the document was left unchanged.", e instanceof Error ? e.message : String(e));
    } finally {
      this.busy = false;
    }
  }

  subscribe(listener: (event: HostChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------- internals ----------

  private doc(docId: number): SimDocument {
    const d = this.docs.find((x) => x.id === docId);
    if (!d) throw new HostError("document_closed", `No open document with id ${docId}.`);
    return d;
  }

  private requireOpen(docId: number): SimDocument {
    return this.doc(docId);
  }

  private snapshot(d: SimDocument): DocumentSnapshot {
    return {
      id: d.id,
      title: d.title,
      width: d.state.width,
      height: d.state.height,
      resolution: d.resolution,
      mode: d.mode,
      bitDepth: d.depth,
      profile: d.profile,
      hasBackground: d.state.layers.some((l) => l.isBackground),
    };
  }

  private opContext(doc: SimDocument): OpContext {
    return { depth: doc.depth, backgroundColor: doc.backgroundColor, nextId: () => this.nextLayerId++, refs: {} };
  }

  private commit(doc: SimDocument, name: string, state: DocState): void {
    doc.history = doc.history.slice(0, doc.historyIndex + 1);
    doc.history.push({ name, state });
    doc.historyIndex = doc.history.length - 1;
    doc.state = state;
    this.emit({ type: "documentEdited", docId: doc.id });
  }

  private emit(e: HostChange): void {
    for (const l of this.listeners) l(e);
  }
}
