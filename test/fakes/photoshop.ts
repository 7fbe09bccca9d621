// A recording fake of the `photoshop` module (jest maps `photoshop` here), behaving as Adobe documents it:
// - executeAsModal requires `commandName`, passes a context whose properties are not enumerable, rejects
//   with error number 9 while "another plugin" is modal, auto-commits open history suspensions when the
//   target function returns and rolls them back when it throws;
// - hostControl.suspendHistory / resumeHistory(s, commit) collapse changes into one named state, or roll
//   the document back;
// - DOM and imaging writes outside a modal scope throw; after a cancel every further call throws;
// - getPixels trims transparent documents to their content (4 components; 3 with a Background layer),
//   reads a pyramid level for `targetSize` and reports `sourceBounds` at that level;
// - createImageDataFromBuffer insists on length = width × height × components; every image records
//   whether it was disposed; getData without options is what the d.ts forbids, so it is refused here too;
// - network calls made by code under test can be recorded (`fake.network`) with the modal depth at the
//   time, and `modalScopes()` lists each modal scope with the calls made inside it.
// Documents and layers are proxies by id over a plain state object, so a rollback is a state restore.

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Call {
  op: string;
  args?: any;
  /** Modal nesting depth when the call happened. */
  modal: number;
  /** Whether the target document's history was suspended at the time. */
  suspended: boolean;
}

interface PixelsNode {
  left: number;
  top: number;
  width: number;
  height: number;
  components: number;
  data: Uint8Array | Uint16Array;
  /** Masks: the value everywhere outside the stored rectangle (255 reveals, 0 hides). */
  outside?: number;
}

export interface LayerNode {
  id: number;
  name: string;
  kind: string;
  visible: boolean;
  children?: LayerNode[];
  pixels?: PixelsNode;
  mask?: PixelsNode;
  isBackground?: boolean;
}

interface DocState {
  width: number;
  height: number;
  layers: LayerNode[];
  history: string[];
  activeLayerId: number | null;
}

let nextId = 1000;

/** Ways a host could differ from what Infill expects (each breaks one host check probe). */
export interface BrokenWays {
  /** 16-bit reads come back on a 0..65535 scale. */
  sixteenBitScale?: boolean;
  /** Reads give premultiplied colour. */
  premultiplied?: boolean;
  /** A rolled-back history suspension leaves its states in the history list. */
  rollbackKeepsHistory?: boolean;
  /** Moving a layer inside a group does nothing. */
  moveIgnored?: boolean;
  /** placeBefore a layer inside a group puts the moved layer at the top of the document instead. */
  placeBeforeToTop?: boolean;
  /** putLayerMask ignores targetBounds (writes at 0,0). */
  maskIgnoresTargetBounds?: boolean;
  /** An ellipse selection selects its whole bounding box. */
  ellipseAsRect?: boolean;
}

export class FakeImageData {
  disposed = false;
  readonly chunky = true;
  readonly type = "image/uncompressed";
  readonly hasAlpha: boolean;
  readonly pixelFormat: string;
  readonly componentSize: 8 | 16 | 32;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly components: number,
    readonly colorSpace: string,
    readonly colorProfile: string,
    readonly data: Uint8Array | Uint16Array | Float32Array,
    readonly origin: string,
  ) {
    this.hasAlpha = components === 2 || components === 4;
    this.componentSize = data instanceof Uint16Array ? 16 : data instanceof Float32Array ? 32 : 8;
    this.pixelFormat = components === 1 ? "Grayscale" : components === 2 ? "GrayscaleAlpha" : components === 3 ? "RGB" : "RGBA";
  }
  async getData(options: { chunky?: boolean }) {
    if (options === undefined) throw new TypeError("getData: options required (d.ts)");
    if (this.disposed) throw new Error("getData on a disposed image");
    return this.data;
  }
  async dispose() {
    if (!this.disposed) fake.imageBytes -= this.data.byteLength;
    this.disposed = true;
  }
}

class Fake {
  calls: Call[] = [];
  images: FakeImageData[] = [];
  docs: FakeDocument[] = [];
  activeDocId: number | null = null;
  modalDepth = 0;
  /** executeAsModal rejects this many more times with "host is in a modal state" (number 9). */
  busy = 0;
  /** How a busy rejection looks: before 25.10 (number 9), or 25.10's message naming the other plugin. */
  busyStyle: "number9" | "namesPlugin" = "number9";
  /** Step number (1-based, counting mutating calls since reset) that throws an injected error. */
  failAtStep: number | null = null;
  /** Step number at which the user "presses Esc": the context is cancelled and that call throws. */
  cancelAtStep: number | null = null;
  /** When true, putLayerMask fails on a layer that has no mask yet (one possible real behaviour). */
  putLayerMaskNeedsExistingMask = false;
  /** When true, getSelection throws without a selection (the other behaviour returns an empty mask). */
  getSelectionThrowsWithoutSelection = true;
  /** Added to the requested size by resizeCanvas (simulates a rounding surprise). */
  resizeSkew = 0;
  /** Bytes held by image data not yet disposed, and the most held at once since reset. */
  imageBytes = 0;
  peakImageBytes = 0;
  /** Broken one way each, for the host check's tests: the matching probe must fail. */
  broken: BrokenWays = {};
  steps = 0;
  cancelled = false;
  /** When false, doc.selection.bounds throws (older hosts without the Selection class). */
  hasSelectionBounds = true;
  listeners: Array<{ events: string[]; fn: (name: string, d: any) => void }> = [];
  private openSuspensions = new Map<number, { docId: number; name: string; before: DocState; changed: boolean; finalName?: string }>();
  private currentCancel: { ctx: any } | null = null;

  reset() {
    this.calls = [];
    this.images = [];
    this.docs = [];
    this.activeDocId = null;
    this.modalDepth = 0;
    this.busy = 0;
    this.busyStyle = "number9";
    this.failAtStep = null;
    this.cancelAtStep = null;
    this.putLayerMaskNeedsExistingMask = false;
    this.getSelectionThrowsWithoutSelection = true;
    this.resizeSkew = 0;
    this.steps = 0;
    this.cancelled = false;
    this.hasSelectionBounds = true;
    this.broken = {};
    this.imageBytes = 0;
    this.peakImageBytes = 0;
    this.listeners = [];
    this.openSuspensions.clear();
    this.currentCancel = null;
  }

  addDocument(
    init: Partial<Pick<FakeDocument, "title" | "mode" | "bitsPerChannel" | "resolution" | "colorProfileName">> & {
      width: number;
      height: number;
      background?: boolean;
      /** Canvas-size RGBA composite (defaults to opaque mid gray, or transparent without a Background). */
      composite?: Uint8Array;
      selection?: Uint8Array | null;
    },
  ): FakeDocument {
    const doc = new FakeDocument(nextId++, init.width, init.height, init.background ?? true);
    Object.assign(doc, {
      title: init.title ?? `Untitled-${doc.id}`,
      mode: init.mode ?? "RGBColorMode",
      bitsPerChannel: init.bitsPerChannel ?? "bitDepth8",
      resolution: init.resolution ?? 72,
      colorProfileName: init.colorProfileName ?? "sRGB IEC61966-2.1",
    });
    if (init.composite) doc.composite = init.composite;
    doc.selectionMask = init.selection ?? null;
    this.docs.push(doc);
    this.activeDocId = doc.id;
    return doc;
  }

  doc(id: number) {
    return this.docs.find((d) => d.id === id);
  }

  isSuspended(docId: number) {
    for (const s of this.openSuspensions.values()) if (s.docId === docId) return true;
    return false;
  }

  record(op: string, args?: any, docId?: number) {
    this.calls.push({ op, args, modal: this.modalDepth, suspended: docId !== undefined && this.isSuspended(docId) });
  }

  /** A mutating call: counts a step, applies injected failures/cancels, requires a modal scope. */
  step(op: string, docId: number | undefined, args?: any, needsModal = true, record = true) {
    if (record) this.record(op, args, docId);
    if (this.cancelled) throw new Error("The command was cancelled.");
    if (needsModal && this.modalDepth === 0) throw new Error(`${op}: this API must be called inside executeAsModal`);
    this.steps += 1;
    if (this.cancelAtStep === this.steps && this.currentCancel) {
      this.cancelled = true;
      const ctx = this.currentCancel.ctx;
      ctx.__setCancelled();
      if (typeof ctx.onCancel === "function") ctx.onCancel({ reason: "user" });
      throw new Error("The command was cancelled.");
    }
    if (this.failAtStep === this.steps) throw new Error(`injected failure at step ${this.steps} (${op})`);
    if (docId !== undefined) {
      for (const s of this.openSuspensions.values()) if (s.docId === docId) s.changed = true;
      const doc = this.doc(docId);
      if (doc && !this.isSuspended(docId)) doc.state.history.push(op);
    }
  }

  /** A network call made by code under test (a broker stand-in calls this), recorded with the modal depth. */
  network(name: string) {
    this.record(`network:${name}`);
  }

  /** Each top-level modal scope that was entered, with the calls made inside it (in order). */
  modalScopes(): Array<{ commandName: string; calls: Call[] }> {
    const scopes: Array<{ commandName: string; calls: Call[] }> = [];
    let current: { commandName: string; calls: Call[] } | null = null;
    for (const c of this.calls) {
      if (c.op === "executeAsModal" && c.modal === 0) {
        current = { commandName: c.args?.commandName, calls: [] };
        scopes.push(current);
      } else if (c.modal > 0 && current) current.calls.push(c);
      else current = null;
    }
    return scopes;
  }

  notify(name: string, descriptor: any = {}) {
    for (const l of this.listeners) if (l.events.includes(name)) l.fn(name, descriptor);
  }

  /** A comparable picture of a document (layers, pixels, masks, size, history). */
  picture(docId: number): string {
    const d = this.doc(docId)!;
    return JSON.stringify(d.state, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
  }

  // ---- core ----
  async executeAsModal(fn: (ctx: any, descriptor?: object) => Promise<any>, options: any) {
    this.record("executeAsModal", { ...options });
    if (!options || typeof options.commandName !== "string") throw new TypeError("executeAsModal: options.commandName is required");
    if (this.busy > 0) {
      this.busy -= 1;
      if (this.busyStyle === "namesPlugin") throw new Error("Plugin: com.other.plugin is running a modal command");
      throw Object.assign(new Error("host is in a modal state"), { number: 9 });
    }
    let cancelled = false;
    const ctx: any = {};
    const opened: number[] = [];
    Object.defineProperties(ctx, {
      isCancelled: { get: () => cancelled, enumerable: false },
      onCancel: { value: undefined, writable: true, enumerable: false },
      __setCancelled: { value: () => (cancelled = true), enumerable: false },
      reportProgress: { value: (p: any) => this.record("reportProgress", p), enumerable: false },
      hostControl: {
        enumerable: false,
        value: {
          suspendHistory: async (p: { documentID: number; name: string }) => {
            this.record("suspendHistory", p, p.documentID);
            if (this.cancelled) throw new Error("The command was cancelled.");
            const doc = this.doc(p.documentID);
            if (!doc) throw new Error("suspendHistory: no such document");
            if (this.isSuspended(p.documentID)) throw new Error("suspendHistory: already suspended");
            const id = nextId++;
            this.openSuspensions.set(id, { docId: p.documentID, name: p.name, before: structuredClone(doc.state), changed: false });
            opened.push(id);
            return { historySuspensionID: id };
          },
          resumeHistory: async (s: { historySuspensionID: number; finalName?: string }, commit = true) => {
            this.record("resumeHistory", { id: s.historySuspensionID, commit, finalName: s.finalName });
            if (commit) this.step("resumeHistory", undefined, undefined, true, false);
            this.closeSuspension(s.historySuspensionID, commit, s.finalName);
          },
        },
      },
    });
    const prevCancel = this.currentCancel;
    this.currentCancel = { ctx };
    this.modalDepth += 1;
    try {
      const result = await fn(ctx, options.descriptor);
      for (const id of opened) if (this.openSuspensions.has(id)) this.closeSuspension(id, true);
      return result;
    } catch (e) {
      for (const id of opened) if (this.openSuspensions.has(id)) this.closeSuspension(id, false);
      throw e;
    } finally {
      this.modalDepth -= 1;
      this.currentCancel = prevCancel;
      if (this.modalDepth === 0) this.cancelled = false;
    }
  }

  private closeSuspension(id: number, commit: boolean, finalName?: string) {
    const s = this.openSuspensions.get(id);
    if (!s) throw new Error("resumeHistory: unknown or already resumed suspension");
    this.openSuspensions.delete(id);
    const doc = this.doc(s.docId);
    if (!doc) return;
    if (commit) {
      if (s.changed) {
        doc.state.history.push(finalName ?? s.name);
        doc.undoStates.push(s.before);
      }
    } else {
      const kept = this.broken.rollbackKeepsHistory ? [...doc.state.history, "Rolled back"] : null;
      doc.state = structuredClone(s.before);
      if (kept) doc.state.history = kept;
    }
  }
}

export const fake = new Fake();

// ---------------------------------------------------------------------------------------------
// DOM

function findNode(list: LayerNode[], id: number, parent: LayerNode | null = null): { node: LayerNode; parent: LayerNode | null; list: LayerNode[] } | null {
  for (const node of list) {
    if (node.id === id) return { node, parent, list };
    if (node.children) {
      const r = findNode(node.children, id, node);
      if (r) return r;
    }
  }
  return null;
}

export class FakeLayer {
  constructor(
    private readonly doc: FakeDocument,
    readonly id: number,
  ) {}
  private get found() {
    const r = findNode(this.doc.state.layers, this.id);
    if (!r) throw new Error(`layer ${this.id} does not exist`);
    return r;
  }
  get node() {
    return this.found.node;
  }
  get name() {
    return this.node.name;
  }
  set name(v: string) {
    fake.step("layer.name", this.doc.id, { id: this.id, name: v });
    this.node.name = v;
  }
  get visible() {
    return this.node.visible;
  }
  set visible(v: boolean) {
    fake.step("layer.visible", this.doc.id, { id: this.id, visible: v });
    this.node.visible = v;
  }
  get kind() {
    return this.node.kind;
  }
  get isBackgroundLayer() {
    return !!this.node.isBackground;
  }
  get parent(): FakeLayer | null {
    const p = this.found.parent;
    return p ? new FakeLayer(this.doc, p.id) : null;
  }
  get layers(): FakeLayer[] | null {
    return this.node.children ? this.node.children.map((c) => new FakeLayer(this.doc, c.id)) : null;
  }
  get boundsNoEffects() {
    const p = this.node.pixels;
    return p ? { left: p.left, top: p.top, right: p.left + p.width, bottom: p.top + p.height } : { left: 0, top: 0, right: 0, bottom: 0 };
  }
  get bounds() {
    return this.boundsNoEffects;
  }
  move(relative: FakeLayer, placement: string) {
    fake.step("layer.move", this.doc.id, { id: this.id, relativeTo: relative.id, placement });
    if (fake.broken.moveIgnored) return;
    const me = this.found;
    const target = findNode(this.doc.state.layers, relative.id);
    if (!target) throw new Error("move: relative layer does not exist");
    me.list.splice(me.list.indexOf(me.node), 1);
    if (placement === "placeInside") {
      if (!target.node.children) throw new Error("move: placeInside needs a group");
      target.node.children.unshift(me.node);
    } else if (placement === "placeBefore" && fake.broken.placeBeforeToTop) {
      this.doc.state.layers.unshift(me.node);
    } else if (placement === "placeBefore") {
      target.list.splice(target.list.indexOf(target.node), 0, me.node);
    } else if (placement === "placeAfter") {
      target.list.splice(target.list.indexOf(target.node) + 1, 0, me.node);
    } else throw new Error(`move: unsupported placement ${placement}`);
  }
  delete() {
    fake.step("layer.delete", this.doc.id, { id: this.id });
    const me = this.found;
    me.list.splice(me.list.indexOf(me.node), 1);
  }
}

export class FakeDocument {
  title = "";
  mode = "RGBColorMode";
  bitsPerChannel = "bitDepth8";
  resolution = 72;
  colorProfileName = "sRGB IEC61966-2.1";
  private compositeData: Uint8Array | null = null;
  /** Canvas-size RGBA, made on first use (opaque mid gray with a Background, else transparent). */
  get composite(): Uint8Array {
    if (!this.compositeData) {
      this.compositeData = new Uint8Array(this.state.width * this.state.height * 4);
      if (this.hasBackground) this.compositeData.fill(128);
    }
    return this.compositeData;
  }
  set composite(v: Uint8Array) {
    this.compositeData = v;
  }
  selectionMask: Uint8Array | null = null;
  /** Overrides selection.bounds (e.g. bounds past the canvas, as the docs warn). */
  selectionBoundsOverride: Rect | null | undefined = undefined;
  state: DocState;
  /** The state before each committed history suspension, oldest first (what Edit › Undo goes back to). */
  undoStates: DocState[] = [];

  constructor(
    readonly id: number,
    width: number,
    height: number,
    background: boolean,
  ) {
    const layers: LayerNode[] = background
      ? [{ id: nextId++, name: "Background", kind: "pixel", visible: true, isBackground: true }]
      : [{ id: nextId++, name: "Layer 1", kind: "pixel", visible: true }];
    this.state = { width, height, layers, history: ["Open"], activeLayerId: layers[0].id };
  }
  get name() {
    return this.title;
  }
  get width() {
    return this.state.width;
  }
  get height() {
    return this.state.height;
  }
  get layers(): FakeLayer[] {
    return this.state.layers.map((n) => new FakeLayer(this, n.id));
  }
  get backgroundLayer(): FakeLayer | null {
    const bg = this.state.layers.find((n) => n.isBackground);
    return bg ? new FakeLayer(this, bg.id) : null;
  }
  get hasBackground() {
    return this.state.layers.some((n) => n.isBackground);
  }
  get selection() {
    if (!fake.hasSelectionBounds) throw new Error("selection is not available");
    const doc = this;
    return {
      get bounds(): Rect | null {
        if (doc.selectionBoundsOverride !== undefined) return doc.selectionBoundsOverride;
        return doc.maskBounds();
      },
    };
  }
  get historyStates() {
    return this.state.history.map((name) => ({ name }));
  }
  async closeWithoutSaving() {
    fake.step("closeWithoutSaving", undefined, { id: this.id });
    fake.docs = fake.docs.filter((d) => d !== this);
    if (fake.activeDocId === this.id) fake.activeDocId = fake.docs.length ? fake.docs[fake.docs.length - 1].id : null;
  }
  maskBounds(): Rect | null {
    const m = this.selectionMask;
    if (!m) return null;
    let l = Infinity,
      t = Infinity,
      r = -1,
      b = -1;
    for (let y = 0; y < this.height; y++)
      for (let x = 0; x < this.width; x++)
        if (m[y * this.width + x] > 0) {
          l = Math.min(l, x);
          t = Math.min(t, y);
          r = Math.max(r, x + 1);
          b = Math.max(b, y + 1);
        }
    return r < 0 ? null : { left: l, top: t, right: r, bottom: b };
  }
  /** Edit › Undo of the last history state Infill committed: the document as it was before it. */
  undo(): boolean {
    const before = this.undoStates.pop();
    if (!before) return false;
    this.state = before;
    return true;
  }
  layerById(id: number): FakeLayer | null {
    return findNode(this.state.layers, id) ? new FakeLayer(this, id) : null;
  }

  async resizeCanvas(width: number, height: number, anchor?: string) {
    fake.step("resizeCanvas", this.id, { width, height, anchor });
    const w = width + fake.resizeSkew,
      h = height + fake.resizeSkew;
    const a = anchor ?? "middle-center";
    const dx = a.endsWith("left") ? 0 : a.endsWith("right") ? w - this.width : Math.floor((w - this.width) / 2);
    const dy = a.startsWith("top") ? 0 : a.startsWith("bottom") ? h - this.height : Math.floor((h - this.height) / 2);
    const shift = (list: LayerNode[]) => {
      for (const n of list) {
        if (n.pixels) {
          n.pixels.left += dx;
          n.pixels.top += dy;
        }
        if (n.mask) {
          n.mask.left += dx;
          n.mask.top += dy;
        }
        if (n.children) shift(n.children);
      }
    };
    shift(this.state.layers);
    this.state.width = w;
    this.state.height = h;
  }

  private insertAboveActive(node: LayerNode) {
    const active = this.state.activeLayerId !== null ? findNode(this.state.layers, this.state.activeLayerId) : null;
    if (active) active.list.splice(active.list.indexOf(active.node), 0, node);
    else this.state.layers.unshift(node);
    this.state.activeLayerId = node.id;
  }

  async createPixelLayer(options?: { name?: string }) {
    fake.step("createPixelLayer", this.id, options);
    const node: LayerNode = { id: nextId++, name: options?.name ?? "Layer", kind: "pixel", visible: true };
    this.insertAboveActive(node);
    return new FakeLayer(this, node.id);
  }

  async createLayerGroup(options?: { name?: string }) {
    fake.step("createLayerGroup", this.id, options);
    const node: LayerNode = { id: nextId++, name: options?.name ?? "Group", kind: "group", visible: true, children: [] };
    this.insertAboveActive(node);
    return new FakeLayer(this, node.id);
  }
}

// ---------------------------------------------------------------------------------------------
// imaging

function docFor(documentID: number | undefined): FakeDocument {
  const id = documentID === undefined || documentID < 0 ? fake.activeDocId : documentID;
  const d = id === null ? undefined : fake.doc(id);
  if (!d) throw new Error("no such document");
  return d;
}

function checkBounds(b: Rect, w: number, h: number, what: string) {
  if (b.left < 0 || b.top < 0 || b.right > w || b.bottom > h || b.right <= b.left || b.bottom <= b.top) {
    throw new Error(`${what}: sourceBounds outside the document`);
  }
}

function image(width: number, height: number, components: number, colorSpace: string, profile: string, data: any, origin: string) {
  const img = new FakeImageData(width, height, components, colorSpace, profile, data, origin);
  fake.images.push(img);
  fake.imageBytes += img.data.byteLength;
  fake.peakImageBytes = Math.max(fake.peakImageBytes, fake.imageBytes);
  return img;
}

const summary = (o: any) => {
  const { imageData, ...rest } = o ?? {};
  return imageData
    ? {
        ...rest,
        imageData: {
          width: imageData.width,
          height: imageData.height,
          components: imageData.components,
          componentSize: imageData.componentSize,
          colorSpace: imageData.colorSpace,
          colorProfile: imageData.colorProfile,
        },
      }
    : rest;
};

/** A mask's value outside its rectangle, in the sample type of `like` (hide 0; reveal 255, 32768 or 1). */
function outsideValue(outside: number | undefined, like: ArrayLike<number>): number {
  if (outside === 0) return 0;
  return like instanceof Uint16Array ? 32768 : like instanceof Float32Array ? 1 : 255;
}

/** A layer mask's value at a document pixel (its `outside` value beyond the stored rectangle). */
export function maskValueAt(mask: PixelsNode, x: number, y: number): number {
  const X = x - mask.left,
    Y = y - mask.top;
  if (X >= 0 && Y >= 0 && X < mask.width && Y < mask.height) return mask.data[Y * mask.width + X];
  return outsideValue(mask.outside, mask.data);
}

export const imaging = {
  async getPixels(options: any) {
    fake.record("getPixels", summary(options));
    if (fake.cancelled) throw new Error("The command was cancelled.");
    const doc = docFor(options.documentID);
    const W = doc.width,
      H = doc.height;
    const sb: Rect = options.sourceBounds ?? { left: 0, top: 0, right: W, bottom: H };
    checkBounds(sb, W, H, "getPixels");
    // Source RGBA (canvas-size) and whether it has alpha.
    let src: Uint8Array | Uint16Array | Float32Array = doc.composite;
    let alpha = !doc.hasBackground;
    if (options.layerID !== undefined) {
      const layer = doc.layerById(options.layerID);
      if (!layer) throw new Error("getPixels: no such layer");
      const p = layer.node.pixels;
      src = p ? new (p.data.constructor as any)(W * H * 4) : new Uint8Array(W * H * 4);
      if (p)
        for (let y = 0; y < p.height; y++)
          for (let x = 0; x < p.width; x++) {
            const X = p.left + x,
              Y = p.top + y;
            if (X < 0 || Y < 0 || X >= W || Y >= H) continue;
            for (let k = 0; k < 4; k++) src[(Y * W + X) * 4 + k] = p.data[(y * p.width + x) * 4 + k];
          }
      alpha = true;
    }
    // Trim to the pixels that exist.
    let region = { ...sb };
    if (alpha) {
      let l = Infinity,
        t = Infinity,
        r = -1,
        b = -1;
      for (let y = sb.top; y < sb.bottom; y++)
        for (let x = sb.left; x < sb.right; x++)
          if (src[(y * W + x) * 4 + 3] > 0) {
            l = Math.min(l, x);
            t = Math.min(t, y);
            r = Math.max(r, x + 1);
            b = Math.max(b, y + 1);
          }
      region = r < 0 ? { left: sb.left, top: sb.top, right: sb.left, bottom: sb.top } : { left: l, top: t, right: r, bottom: b };
    }
    const comps = alpha ? 4 : 3;
    const rw = region.right - region.left,
      rh = region.bottom - region.top;
    // targetSize → pyramid level (scale of the whole request), bounds reported at that level.
    let level = 0;
    let scale = 1;
    if (options.targetSize) {
      const sw = sb.right - sb.left;
      const tw = options.targetSize.width ?? Math.round((options.targetSize.height * sw) / (sb.bottom - sb.top));
      scale = tw / sw;
      level = Math.max(0, Math.floor(Math.log2(1 / scale)));
    }
    const ow = Math.max(0, Math.round(rw * scale)),
      oh = Math.max(0, Math.round(rh * scale));
    const data = new (src.constructor as any)(ow * oh * comps);
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        const X = Math.min(region.left + Math.floor((x + 0.5) / scale), W - 1);
        const Y = Math.min(region.top + Math.floor((y + 0.5) / scale), H - 1);
        for (let k = 0; k < comps; k++) data[(y * ow + x) * comps + k] = src[(Y * W + X) * 4 + k];
      }
    if (fake.broken.sixteenBitScale && data instanceof Uint16Array) for (let i = 0; i < data.length; i++) data[i] = Math.min(65535, data[i] * 2);
    if (fake.broken.premultiplied && comps === 4 && data instanceof Uint8Array)
      for (let i = 0; i < data.length; i += 4) for (let k = 0; k < 3; k++) data[i + k] = Math.round((data[i + k] * data[i + 3]) / 255);
    const f = 2 ** level;
    const reported =
      level === 0
        ? region
        : { left: Math.round(region.left / f), top: Math.round(region.top / f), right: Math.round(region.right / f), bottom: Math.round(region.bottom / f) };
    return { imageData: image(ow, oh, comps, "RGB", options.colorProfile ?? doc.colorProfileName, data, "getPixels"), sourceBounds: reported, level };
  },

  async getSelection(options: any) {
    fake.record("getSelection", summary(options));
    if (fake.cancelled) throw new Error("The command was cancelled.");
    const doc = docFor(options.documentID);
    if (!doc.selectionMask && fake.getSelectionThrowsWithoutSelection) throw new Error("There is no selection");
    const W = doc.width,
      H = doc.height;
    const sb: Rect = options.sourceBounds ?? doc.maskBounds() ?? { left: 0, top: 0, right: W, bottom: H };
    checkBounds(sb, W, H, "getSelection");
    const w = sb.right - sb.left,
      h = sb.bottom - sb.top;
    const data = new Uint8Array(w * h);
    const m = doc.selectionMask;
    if (m) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = m[(sb.top + y) * W + sb.left + x];
    return { imageData: image(w, h, 1, "Grayscale", "Gray Gamma 2.2", data, "getSelection"), sourceBounds: sb };
  },

  async createImageDataFromBuffer(array: Uint8Array | Uint16Array | Float32Array, options: any) {
    fake.step("createImageDataFromBuffer", undefined, { ...options, arrayType: array.constructor.name, length: array.length }, false);
    if (array.length !== options.width * options.height * options.components) {
      throw new Error("createImageDataFromBuffer: length must equal width*height*components");
    }
    if (!options.colorSpace) throw new Error("createImageDataFromBuffer: colorSpace is required");
    return image(options.width, options.height, options.components, options.colorSpace, options.colorProfile ?? "", array.slice(), "buffer");
  },

  async putPixels(options: any) {
    const doc = docFor(options.documentID);
    fake.step("putPixels", doc.id, summary(options));
    const layer = doc.layerById(options.layerID);
    if (!layer) throw new Error("putPixels: no such layer");
    if (layer.kind !== "pixel") throw new Error("putPixels: not a pixel layer");
    const img = options.imageData as FakeImageData;
    if (img.disposed) throw new Error("putPixels: image was disposed");
    const tb = options.targetBounds ?? { left: 0, top: 0 };
    layer.node.pixels = { left: tb.left, top: tb.top, width: img.width, height: img.height, components: img.components, data: img.data.slice() as Uint8Array };
  },

  async putLayerMask(options: any) {
    const doc = docFor(options.documentID);
    fake.step("putLayerMask", doc.id, summary(options));
    const layer = doc.layerById(options.layerID);
    if (!layer) throw new Error("putLayerMask: no such layer");
    const img = options.imageData as FakeImageData;
    if (img.disposed) throw new Error("putLayerMask: image was disposed");
    if (img.components !== 1) throw new Error("putLayerMask: needs a 1-component gray image");
    if (fake.putLayerMaskNeedsExistingMask && !layer.node.mask) throw new Error("The layer has no user mask");
    const tb = fake.broken.maskIgnoresTargetBounds ? { left: 0, top: 0 } : (options.targetBounds ?? { left: 0, top: 0 });
    const m = layer.node.mask;
    if (options.replace === false && m) {
      // Written into the existing mask, the rest of it kept (the stored rectangle grows to hold both).
      const l = m.width ? Math.min(m.left, tb.left) : tb.left,
        t = m.height ? Math.min(m.top, tb.top) : tb.top;
      const r = m.width ? Math.max(m.left + m.width, tb.left + img.width) : tb.left + img.width;
      const b = m.height ? Math.max(m.top + m.height, tb.top + img.height) : tb.top + img.height;
      const grown = new (img.data.constructor as any)((r - l) * (b - t)).fill(outsideValue(m.outside, img.data));
      for (let y = 0; y < m.height; y++) grown.set(m.data.subarray(y * m.width, (y + 1) * m.width) as Uint8Array, (m.top - t + y) * (r - l) + (m.left - l));
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) grown[(tb.top - t + y) * (r - l) + (tb.left - l + x)] = img.data[y * img.width + x];
      layer.node.mask = { left: l, top: t, width: r - l, height: b - t, components: 1, data: grown, outside: m.outside };
      return;
    }
    layer.node.mask = { left: tb.left, top: tb.top, width: img.width, height: img.height, components: 1, data: img.data.slice() as Uint8Array };
  },

  /** The user mask inside sourceBounds; outside the stored rectangle, its `outside` value (255 by default). */
  async getLayerMask(options: any) {
    fake.record("getLayerMask", summary(options));
    const doc = docFor(options.documentID);
    const layer = doc.layerById(options.layerID);
    if (!layer) throw new Error("getLayerMask: no such layer");
    const m = layer.node.mask;
    if (!m) throw new Error("getLayerMask: the layer has no user mask");
    const sb: Rect = options.sourceBounds ?? { left: 0, top: 0, right: doc.width, bottom: doc.height };
    checkBounds(sb, doc.width, doc.height, "getLayerMask");
    const w = sb.right - sb.left,
      h = sb.bottom - sb.top;
    const data = new (m.data.constructor as any)(w * h).fill(outsideValue(m.outside, m.data));
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const X = sb.left + x - m.left,
          Y = sb.top + y - m.top;
        if (X >= 0 && Y >= 0 && X < m.width && Y < m.height) data[y * w + x] = m.data[Y * m.width + X];
      }
    return { imageData: image(w, h, 1, "Grayscale", "Gray Gamma 2.2", data, "getLayerMask"), sourceBounds: sb };
  },

  async encodeImageData(options: any) {
    fake.record("encodeImageData", summary(options));
    return options.base64 ? "" : [];
  },
};

// ---------------------------------------------------------------------------------------------
// action, app, constants, core

function ellipseMask(W: number, H: number, to: any): Uint8Array {
  const l = to.left._value,
    t = to.top._value,
    r = to.right._value,
    b = to.bottom._value;
  const cx = (l + r) / 2,
    cy = (t + b) / 2,
    rx = (r - l) / 2,
    ry = (b - t) / 2;
  const m = new Uint8Array(W * H);
  for (let y = t; y < b; y++)
    for (let x = l; x < r; x++) {
      const dx = (x + 0.5 - cx) / rx,
        dy = (y + 0.5 - cy) / ry;
      if (fake.broken.ellipseAsRect || dx * dx + dy * dy <= 1) m[y * W + x] = 255;
    }
  return m;
}

export const action = {
  async batchPlay(descriptors: any[], options: any) {
    const results: any[] = [];
    for (const d of descriptors) {
      const docRef = (d._target ?? []).find((r: any) => r._ref === "document");
      const doc = docRef ? fake.doc(docRef._id) : fake.activeDocId !== null ? fake.doc(fake.activeDocId) : undefined;
      fake.step("batchPlay", doc?.id, { descriptor: d, options });
      if (d._obj === "select" && doc) {
        const layerRef = (d._target ?? []).find((r: any) => r._ref === "layer");
        if (layerRef) doc.state.activeLayerId = layerRef._id;
        results.push({});
      } else if (d._obj === "make" && d.new?._class === "channel" && doc && doc.state.activeLayerId !== null) {
        const layer = doc.layerById(doc.state.activeLayerId)!;
        if (layer.node.mask) {
          results.push({ _obj: "error", message: "the layer already has a mask", result: -1 });
          continue;
        }
        // Stored as its value outside an (empty) rectangle: what Photoshop holds costs nothing here.
        layer.node.mask = { left: 0, top: 0, width: 0, height: 0, components: 1, data: new Uint8Array(0), outside: d.using?._value === "hideAll" ? 0 : 255 };
        results.push({});
      } else if (d._obj === "set" && d._target?.[0]?._property === "selection" && doc) {
        doc.selectionMask = d.to?._obj === "ellipse" ? ellipseMask(doc.width, doc.height, d.to) : null;
        results.push({});
      } else results.push({ _obj: "error", message: "unsupported in fake", result: -1 });
    }
    return results;
  },
  async addNotificationListener(events: string[], fn: (name: string, d: any) => void) {
    fake.record("addNotificationListener", events);
    fake.listeners.push({ events, fn });
  },
  async removeNotificationListener(events: string[], fn: (name: string, d: any) => void) {
    fake.record("removeNotificationListener", events);
    fake.listeners = fake.listeners.filter((l) => l.fn !== fn);
  },
};

export const app = {
  get documents(): FakeDocument[] & { add(o: any): Promise<FakeDocument> } {
    return Object.assign([...fake.docs], {
      async add(o: any) {
        fake.step("documents.add", undefined, o);
        const bits = o.depth === 16 ? "bitDepth16" : o.depth === 32 ? "bitDepth32" : "bitDepth8";
        return fake.addDocument({ width: o.width, height: o.height, background: o.fill !== "transparent", title: o.name, bitsPerChannel: bits as any });
      },
    });
  },
  get activeDocument(): FakeDocument {
    const d = fake.activeDocId === null ? undefined : fake.doc(fake.activeDocId);
    if (!d) throw new Error("There is no active document");
    return d;
  },
  set activeDocument(doc: FakeDocument) {
    fake.step("setActiveDocument", undefined, { id: doc.id });
    fake.activeDocId = doc.id;
  },
};

export const core = {
  executeAsModal: (fn: any, options: any) => fake.executeAsModal(fn, options),
};

export const constants = {
  AnchorPosition: {
    BOTTOMCENTER: "bottom-center",
    BOTTOMLEFT: "bottom-left",
    BOTTOMRIGHT: "bottom-right",
    MIDDLECENTER: "middle-center",
    MIDDLELEFT: "middle-left",
    MIDDLERIGHT: "middle-right",
    TOPCENTER: "top-center",
    TOPLEFT: "top-left",
    TOPRIGHT: "top-right",
  },
  ElementPlacement: {
    PLACEBEFORE: "placeBefore",
    PLACEAFTER: "placeAfter",
    PLACEINSIDE: "placeInside",
    PLACEATBEGINNING: "placeAtBeginning",
    PLACEATEND: "placeAtEnd",
  },
  DocumentMode: { RGB: "RGBColorMode", CMYK: "CMYKColorMode", GRAYSCALE: "grayscaleMode", LAB: "labColorMode" },
  BitsPerChannelType: { ONE: "bitDepth1", EIGHT: "bitDepth8", SIXTEEN: "bitDepth16", THIRTYTWO: "bitDepth32" },
};

export default { app, core, action, imaging, constants };
