import { fake, maskValueAt, type FakeDocument } from "../fakes/photoshop";
import { createPhotoshopHost } from "../../src/plugin/photoshop/host";
import { HostError, type LayerPlan, type Host } from "../../src/common/host";
import { captureJob } from "../../src/plugin/workflows/capture";
import type { Captured, WorkflowDeps } from "../../src/plugin/workflows/types";
import type { CapturedOf } from "../../src/plugin/workflows/kinds";
import type { BrokerClient } from "../../src/plugin/broker-client";
import type { JobKind, JobParams } from "../../src/common/jobs";

/** The capture, checked to be of the kind asked for. */
function ofKind<K extends JobKind>(cap: Captured, kind: K): CapturedOf<K> {
  expect(cap.request.kind).toBe(kind);
  return cap as CapturedOf<K>;
}

const slept: number[] = [];
const host = (): Host => createPhotoshopHost({ sleep: async (ms) => void slept.push(ms), busyRetries: 3, busyDelayMs: 250 });

beforeEach(() => {
  fake.reset();
  slept.length = 0;
});

const modalCalls = () => fake.calls.filter((c) => c.op === "executeAsModal");
const allDisposed = () => fake.images.every((i) => i.disposed);

function rgba(w: number, h: number, f: (x: number, y: number) => [number, number, number, number]) {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set(f(x, y), (y * w + x) * 4);
  return d;
}

async function expectHostError(p: Promise<unknown>, code: string): Promise<HostError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(HostError);
  expect((e as HostError).code).toBe(code);
  return e as HostError;
}

describe("documents", () => {
  test("snapshots map Photoshop's modes, depths and background", async () => {
    fake.addDocument({ width: 40, height: 30, title: "a.psd" });
    fake.addDocument({ width: 8, height: 8, title: "b.psd", mode: "CMYKColorMode", bitsPerChannel: "bitDepth16", background: false });
    const h = host();
    expect(await h.activeDocument()).toMatchObject({ title: "b.psd", mode: "cmyk", bitDepth: 16, hasBackground: false });
    expect((await h.documents()).map((d) => [d.title, d.width, d.height, d.mode, d.hasBackground])).toEqual([
      ["a.psd", 40, 30, "rgb", true],
      ["b.psd", 8, 8, "cmyk", false],
    ]);
  });

  test("no document: activeDocument is null", async () => {
    expect(await host().activeDocument()).toBeNull();
  });
});

describe("capture", () => {
  test("whole composite: one modal scope, documented options, 3 components become opaque RGBA, disposed", async () => {
    const doc = fake.addDocument({ width: 4, height: 3, composite: rgba(4, 3, (x, y) => [x * 10, y * 10, 7, 255]) });
    const img = await host().composite(doc.id);
    expect(modalCalls()).toHaveLength(1);
    const get = fake.calls.find((c) => c.op === "getPixels")!;
    expect(get.args).toEqual({
      documentID: doc.id,
      sourceBounds: { left: 0, top: 0, right: 4, bottom: 3 },
      colorSpace: "RGB",
      colorProfile: "sRGB IEC61966-2.1",
      componentSize: 8,
    });
    expect(get.modal).toBe(1);
    expect(img.width).toBe(4);
    expect(Array.from(img.data.subarray((2 * 4 + 3) * 4, (2 * 4 + 3) * 4 + 4))).toEqual([30, 20, 7, 255]);
    expect(allDisposed()).toBe(true);
  });

  test("a transparent document's trimmed composite lands at the returned sourceBounds", async () => {
    // Only a 2×2 patch at (3,1) has pixels; Photoshop returns just that patch.
    const doc = fake.addDocument({
      width: 6,
      height: 4,
      background: false,
      composite: rgba(6, 4, (x, y) => (x >= 3 && x < 5 && y >= 1 && y < 3 ? [200, 100, 50, 128] : [0, 0, 0, 0])),
    });
    const img = await host().composite(doc.id);
    const px = (x: number, y: number) => Array.from(img.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(px(3, 1)).toEqual([200, 100, 50, 128]);
    expect(px(4, 2)).toEqual([200, 100, 50, 128]);
    expect(px(2, 1)).toEqual([0, 0, 0, 0]);
    expect(px(5, 3)).toEqual([0, 0, 0, 0]);
    expect(allDisposed()).toBe(true);
  });

  test("a window past the canvas reads only the canvas part; outside is transparent", async () => {
    const doc = fake.addDocument({ width: 4, height: 4, composite: rgba(4, 4, () => [9, 9, 9, 255]) });
    const img = await host().composite(doc.id, { window: { left: -2, top: 2, right: 2, bottom: 6 } });
    expect(fake.calls.find((c) => c.op === "getPixels")!.args.sourceBounds).toEqual({ left: 0, top: 2, right: 2, bottom: 4 });
    const alpha = (x: number, y: number) => img.data[(y * 4 + x) * 4 + 3];
    expect([alpha(0, 0), alpha(1, 1), alpha(2, 0), alpha(3, 1), alpha(2, 2)]).toEqual([0, 0, 255, 255, 0]);
  });

  test("downscaling passes targetSize and honours bounds reported at the pyramid level", async () => {
    // Left half red, right half blue; a trimmed, transparent top row.
    const doc = fake.addDocument({
      width: 16,
      height: 16,
      background: false,
      composite: rgba(16, 16, (x, y) => (y < 4 ? [0, 0, 0, 0] : x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255])),
    });
    const img = await host().composite(doc.id, { targetSize: { width: 4, height: 4 } });
    const get = fake.calls.find((c) => c.op === "getPixels")!;
    expect(get.args.targetSize).toEqual({ width: 4, height: 4 });
    expect(img.width).toBe(4);
    const px = (x: number, y: number) => Array.from(img.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([0, 0, 0, 0]); // trimmed row stays transparent
    expect(px(0, 2)).toEqual([255, 0, 0, 255]);
    expect(px(3, 3)).toEqual([0, 0, 255, 255]);
    expect(allDisposed()).toBe(true);
  });

  test("a layer is read with layerID", async () => {
    const doc = fake.addDocument({ width: 4, height: 4 });
    await host().composite(doc.id, { layerId: doc.layers[0].id });
    expect(fake.calls.find((c) => c.op === "getPixels")!.args.layerID).toBe(doc.layers[0].id);
  });

  test("any document can be read (a reference from a CMYK or 32-bit document): 8-bit sRGB is requested", async () => {
    const doc = fake.addDocument({ width: 4, height: 4, mode: "CMYKColorMode", bitsPerChannel: "bitDepth32" });
    const img = await host().composite(doc.id);
    expect(img.width).toBe(4);
    expect(fake.calls.find((c) => c.op === "getPixels")!.args).toMatchObject({ colorSpace: "RGB", colorProfile: "sRGB IEC61966-2.1", componentSize: 8 });
  });

  test.each([
    ["CMYK", { mode: "CMYKColorMode" }, /RGB/],
    ["Lab", { mode: "labColorMode" }, /RGB/],
  ])("results are never written into a %s document: refused before any change", async (_n, init, message) => {
    const doc = fake.addDocument({ width: 8, height: 6, ...init });
    const e = await expectHostError(host().apply(doc.id, fillPlan(doc)), "unsupported_document");
    expect(e.message).toMatch(message);
    expect(fake.calls.some((c) => c.op === "suspendHistory")).toBe(false);
  });
});

describe("a job's capture: one modal scope per document", () => {
  function docWithSelection(title = "job.psd", background = true) {
    const W = 64,
      H = 48;
    const sel = new Uint8Array(W * H);
    for (let y = 10; y < 30; y++) for (let x = 12; x < 40; x++) sel[y * W + x] = 255;
    return fake.addDocument({ width: W, height: H, title, background, selection: sel, composite: rgba(W, H, (x, y) => [x * 3, y * 5, 90, 255]) });
  }

  // A broker that records (with the modal depth) any call: capture must make none.
  const networkCall = (name: string) => async () => {
    fake.network(name);
    throw new Error("no network during capture");
  };
  const broker = Object.fromEntries(
    ["upload", "submit", "status", "cancel", "download", "customModels"].map((name) => [name, networkCall(name)]),
  ) as unknown as BrokerClient;
  const deps = (): WorkflowDeps => ({ host: host(), broker, store: {} as never, random: () => 0.5, now: () => 1 });
  const capture = (params: JobParams) => captureJob(params, "job-1", deps());
  const insideScopes = () => fake.modalScopes().flatMap((sc) => sc.calls.map((c) => c.op));

  test("Host.capture: selection and every composite in ONE executeAsModal, each image disposed", async () => {
    const doc = docWithSelection();
    const got = await host().capture(doc.id, {
      selection: true,
      composites: [{}, { window: { left: 4, top: 4, right: 12, bottom: 8 } }, { targetSize: { width: 16, height: 12 } }],
    });
    const scopes = fake.modalScopes();
    expect(scopes.map((sc) => sc.commandName)).toEqual(["Infill: capturing"]);
    expect(scopes[0].calls.map((c) => c.op)).toEqual(["getSelection", "getPixels", "getPixels", "getPixels"]);
    expect(fake.calls.filter((c) => c.op === "getPixels" || c.op === "getSelection").every((c) => c.modal === 1)).toBe(true);
    expect(got.document).toMatchObject({ id: doc.id, title: "job.psd", width: 64, height: 48 });
    expect(got.selection!.bounds).toEqual({ left: 12, top: 10, right: 40, bottom: 30 });
    expect(got.composites.map((c) => [c.width, c.height])).toEqual([
      [64, 48],
      [8, 4],
      [16, 12],
    ]);
    expect(Array.from(got.composites[1].data.subarray(0, 4))).toEqual([12, 20, 90, 255]);
    expect(fake.images).toHaveLength(4);
    expect(allDisposed()).toBe(true);
  });

  test("composites planned from the selection are read in the same scope", async () => {
    const doc = docWithSelection();
    const got = await host().capture(doc.id, {
      selection: true,
      composites: ({ document, selection }) => [{ window: selection!.bounds }, { targetSize: { width: document.width / 4, height: document.height / 4 } }],
    });
    expect(modalCalls()).toHaveLength(1);
    expect(fake.calls.filter((c) => c.op === "getPixels").map((c) => c.args.sourceBounds)).toEqual([
      { left: 12, top: 10, right: 40, bottom: 30 },
      { left: 0, top: 0, right: 64, bottom: 48 },
    ]);
    expect(got.composites.map((c) => [c.width, c.height])).toEqual([
      [28, 20],
      [16, 12],
    ]);
    expect(allDisposed()).toBe(true);
  });

  test("an error from the planning function comes back unchanged; what was read is disposed", async () => {
    const doc = docWithSelection();
    const boom = new Error("plan says no");
    await expect(
      host().capture(doc.id, {
        selection: true,
        composites: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(modalCalls()).toHaveLength(1);
    expect(allDisposed()).toBe(true);
  });

  test.each<[string, JobParams]>([
    ["fill", { kind: "fill", numVariations: 2, prompt: "a boat" }],
    ["expand", { kind: "expand", numVariations: 1, target: { kind: "sides", left: 10, top: 0, right: 20, bottom: 0 } }],
    ["generate", { kind: "generate", numVariations: 1, prompt: "a boat" }],
    ["similar from the selection", { kind: "similar", numVariations: 1, source: "selection" } as JobParams],
    ["similar from the document", { kind: "similar", numVariations: 1, source: "document" } as JobParams],
  ])("%s: exactly one modal scope, no network call inside it, every image disposed", async (_n, params) => {
    docWithSelection();
    const cap = await capture(params);
    expect(fake.modalScopes().map((sc) => sc.commandName)).toEqual(["Infill: capturing"]);
    expect(insideScopes().filter((op) => op.startsWith("network:"))).toEqual([]);
    expect(fake.calls.some((c) => c.op.startsWith("network:"))).toBe(false);
    expect(allDisposed()).toBe(true);
    expect(cap.request.docSize).toEqual({ width: 64, height: 48 });
  });

  test("fill: the window planned from the selection is read at the size sent, in that one scope", async () => {
    const doc = docWithSelection();
    const cap = ofKind(await capture({ kind: "fill", numVariations: 1 }), "fill");
    const reads = fake.calls.filter((c) => c.op === "getSelection" || c.op === "getPixels");
    expect(reads.map((c) => [c.op, c.modal])).toEqual([
      ["getSelection", 1],
      ["getPixels", 1],
    ]);
    expect(reads[1].args.documentID).toBe(doc.id);
    expect(reads[1].args.sourceBounds).toEqual(cap.request.fill.geometry.window);
    expect([cap.source.width, cap.source.height]).toEqual([cap.request.sendSize.width, cap.request.sendSize.height]);
  });

  test("fill without a selection: the artist is told, inside one scope that read nothing else", async () => {
    fake.addDocument({ width: 32, height: 32, selection: null });
    await expect(capture({ kind: "fill", numVariations: 1 })).rejects.toThrow(/Make a selection first/);
    expect(modalCalls()).toHaveLength(1);
    expect(fake.calls.some((c) => c.op === "getPixels")).toBe(false);
  });

  test("generate with references: the job's own document in one scope (with its layer reference), another document in one more", async () => {
    const other = fake.addDocument({ width: 40, height: 20, title: "style.psd", composite: rgba(40, 20, () => [10, 200, 30, 255]) });
    const job = docWithSelection(); // active
    const cap = ofKind(
      await capture({
        kind: "generate",
        numVariations: 1,
        prompt: "a boat",
        styleReference: { docId: other.id, strength: 50 },
        structureReference: { docId: job.id, strength: 40 },
      } as JobParams),
      "generate",
    );
    const scopes = fake.modalScopes();
    expect(scopes).toHaveLength(2);
    const docsRead = scopes.map((sc) => [...new Set(sc.calls.filter((c) => c.op === "getPixels" || c.op === "getSelection").map((c) => c.args.documentID))]);
    expect(docsRead).toEqual([[job.id], [other.id]]);
    expect(scopes[0].calls.map((c) => c.op)).toEqual(["getSelection", "getPixels"]);
    expect(Array.from(cap.styleReference?.data.subarray(0, 4) ?? [])).toEqual([10, 200, 30, 255]);
    expect([cap.structureReference?.width, cap.structureReference?.height]).toEqual([64, 48]);
    expect(fake.calls.some((c) => c.op.startsWith("network:"))).toBe(false);
    expect(allDisposed()).toBe(true);
  });
});

describe("selection", () => {
  test("no selection (bounds null): null, and getSelection is not even called", async () => {
    const doc = fake.addDocument({ width: 4, height: 4, selection: null });
    expect(await host().selection(doc.id)).toBeNull();
    expect(fake.calls.some((c) => c.op === "getSelection")).toBe(false);
  });

  test("bounds past the canvas are clamped; feathered values kept; image disposed", async () => {
    const sel = new Uint8Array(36);
    sel[2 * 6 + 4] = 255;
    sel[2 * 6 + 5] = 128;
    sel[3 * 6 + 5] = 40;
    const doc = fake.addDocument({ width: 6, height: 6, selection: sel });
    doc.selectionBoundsOverride = { left: 4, top: 2, right: 9, bottom: 4 };
    const s = await host().selection(doc.id);
    expect(fake.calls.find((c) => c.op === "getSelection")!.args).toEqual({ documentID: doc.id, sourceBounds: { left: 4, top: 2, right: 6, bottom: 4 } });
    expect(s!.bounds).toEqual({ left: 4, top: 2, right: 6, bottom: 4 });
    expect(Array.from(s!.mask.data)).toEqual([255, 128, 0, 40]);
    expect(allDisposed()).toBe(true);
  });

  test("a selection entirely off the canvas counts as none", async () => {
    const doc = fake.addDocument({ width: 4, height: 4, selection: new Uint8Array(16) });
    doc.selectionBoundsOverride = { left: 10, top: 10, right: 20, bottom: 20 };
    expect(await host().selection(doc.id)).toBeNull();
  });

  test("without selection.bounds, an exception from getSelection means no selection", async () => {
    const doc = fake.addDocument({ width: 4, height: 4, selection: null });
    fake.hasSelectionBounds = false;
    expect(await host().selection(doc.id)).toBeNull();
  });

  test("without selection.bounds, strips find the bounds and the mask is the one read with them", async () => {
    // 4096 wide: strips of 1024 rows, so the selection below spans three of them.
    const W = 4096,
      H = 2100;
    const sel = new Uint8Array(W * H);
    for (let y = 1000; y < 1100; y++) sel.fill(200, y * W + 10, y * W + 20);
    sel[2090 * W + 3000] = 7;
    const doc = fake.addDocument({ width: W, height: H, selection: sel });
    const known = await host().selection(doc.id);
    fake.calls = [];
    fake.hasSelectionBounds = false;
    const scanned = await host().selection(doc.id);
    const reads = fake.calls.filter((c) => c.op === "getSelection").map((c) => (c.args as { sourceBounds: unknown }).sourceBounds);
    expect(reads).toEqual([
      { left: 0, top: 0, right: W, bottom: 1024 },
      { left: 0, top: 1024, right: W, bottom: 2048 },
      { left: 0, top: 2048, right: W, bottom: H },
      { left: 10, top: 1000, right: 3001, bottom: 2091 },
    ]);
    expect(scanned!.bounds).toEqual({ left: 10, top: 1000, right: 3001, bottom: 2091 });
    expect(known!.bounds).toEqual(scanned!.bounds);
    expect(Buffer.compare(Buffer.from(scanned!.mask.data), Buffer.from(known!.mask.data))).toBe(0);
    expect(allDisposed()).toBe(true);
  });

  test("without selection.bounds, a host that answers an empty mask means no selection", async () => {
    const doc = fake.addDocument({ width: 8, height: 8, selection: new Uint8Array(64) });
    fake.hasSelectionBounds = false;
    fake.getSelectionThrowsWithoutSelection = false;
    expect(await host().selection(doc.id)).toBeNull();
    expect(allDisposed()).toBe(true);
  });
});

// ---- apply ----

function fillPlan(doc: FakeDocument, name = "Infill: Fill"): LayerPlan {
  const px = { width: 2, height: 2, data: rgba(2, 2, (x, y) => [10 + x, 20 + y, 30, 255]) };
  const mask = { width: 2, height: 2, data: new Uint8Array([255, 128, 0, 255]) };
  return {
    name,
    expectDocumentSize: { width: doc.width, height: doc.height },
    ops: [
      { op: "createGroup", ref: "g", name: "Infill – a boat" },
      { op: "createPixelLayer", ref: "v1", name: "Variation 1", parent: { ref: "g" }, pixels: px, left: 3, top: 1, visible: true },
      { op: "setLayerMask", layer: { ref: "v1" }, mask, left: 3, top: 1 },
      { op: "createPixelLayer", ref: "v2", name: "Variation 2", parent: { ref: "g" }, pixels: px, left: 3, top: 1, visible: false },
      { op: "setLayerMask", layer: { ref: "v2" }, mask, left: 3, top: 1 },
    ],
  };
}

const MUTATING = new Set([
  "createLayerGroup",
  "createPixelLayer",
  "layer.move",
  "createImageDataFromBuffer",
  "putPixels",
  "putLayerMask",
  "layer.visible",
  "layer.name",
  "layer.delete",
  "resizeCanvas",
  "batchPlay",
]);

describe("apply", () => {
  test("one modal scope, history suspended before the first change and resumed (commit) last", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const result = await host().apply(doc.id, fillPlan(doc));
    expect(modalCalls()).toHaveLength(1);
    expect(modalCalls()[0].args.commandName).toBe("Infill: Fill");
    const inScope = fake.calls.slice(fake.calls.indexOf(modalCalls()[0]) + 1).filter((c) => c.op !== "reportProgress");
    expect(inScope[0].op).toBe("suspendHistory");
    expect(inScope[0].args).toEqual({ documentID: doc.id, name: "Infill: Fill" });
    expect(inScope[inScope.length - 1]).toMatchObject({ op: "resumeHistory", args: { commit: true } });
    for (const c of inScope.filter((c) => MUTATING.has(c.op))) {
      expect(c.modal).toBe(1);
      if (c.op !== "createImageDataFromBuffer") expect(c.suspended).toBe(true);
    }
    // One history state, named after the plan.
    expect(doc.state.history).toEqual(["Open", "Infill: Fill"]);
    expect(Object.keys(result.created).sort()).toEqual(["g", "v1", "v2"]);
    expect(allDisposed()).toBe(true);
  });

  test("layers are grouped, named, placed at exact offsets, masked at the result's rectangle (hidden elsewhere), visibility set", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const { created } = await host().apply(doc.id, fillPlan(doc));
    const group = doc.layerById(created.g)!;
    expect(group.kind).toBe("group");
    expect(group.name).toBe("Infill – a boat");
    expect(group.layers!.map((l) => l.id).sort()).toEqual([created.v1, created.v2].sort());
    const v1 = doc.layerById(created.v1)!;
    expect(v1.node.pixels).toMatchObject({ left: 3, top: 1, width: 2, height: 2, components: 4 });
    expect(Array.from(v1.node.pixels!.data.subarray(12, 16))).toEqual([11, 21, 30, 255]);
    expect(v1.node.mask).toMatchObject({ left: 3, top: 1, width: 2, height: 2, outside: 0 });
    const m = (x: number, y: number) => maskValueAt(v1.node.mask!, x, y);
    expect([m(3, 1), m(4, 1), m(3, 2), m(4, 2), m(0, 0), m(2, 1), m(7, 5)]).toEqual([255, 128, 0, 255, 0, 0, 0]);
    expect(v1.visible).toBe(true);
    expect(doc.layerById(created.v2)!.visible).toBe(false);
  });

  test("imaging options as documented: RGB sRGB 4-component chunky buffers, targetBounds with left/top; masks written into a hide-all mask", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    await host().apply(doc.id, fillPlan(doc));
    const created = fake.calls.filter((c) => c.op === "createImageDataFromBuffer").map((c) => c.args);
    expect(created[0]).toEqual({
      width: 2,
      height: 2,
      components: 4,
      chunky: true,
      colorSpace: "RGB",
      colorProfile: "sRGB IEC61966-2.1",
      arrayType: "Uint8Array",
      length: 16,
    });
    expect(created[1]).toEqual({
      width: 2,
      height: 2,
      components: 1,
      chunky: true,
      colorSpace: "Grayscale",
      colorProfile: "Gray Gamma 2.2",
      arrayType: "Uint8Array",
      length: 4,
    });
    const put = fake.calls.find((c) => c.op === "putPixels")!.args;
    expect(put).toMatchObject({ documentID: doc.id, replace: true, targetBounds: { left: 3, top: 1, width: 2, height: 2 } });
    const mask = fake.calls.find((c) => c.op === "putLayerMask")!.args;
    expect(mask).toMatchObject({ documentID: doc.id, kind: "user", replace: false, targetBounds: { left: 3, top: 1, width: 2, height: 2 } });
    const made = fake.calls.filter((c) => c.op === "batchPlay").map((c) => c.args.descriptor);
    expect(made.filter((d) => d._obj === "make").map((d) => d.using)).toEqual([
      { _enum: "userMaskEnabled", _value: "hideAll" },
      { _enum: "userMaskEnabled", _value: "hideAll" },
    ]);
  });

  test.each([
    ["putLayerMask can make a mask", false],
    ["putLayerMask needs an existing mask", true],
  ])("a failure injected at every step (%s) rolls back, rethrows as HostError, disposes every image", async (_name, needsMask) => {
    // Count the steps of a successful run first.
    let doc = fake.addDocument({ width: 8, height: 6 });
    fake.putLayerMaskNeedsExistingMask = needsMask;
    await host().apply(doc.id, fillPlan(doc));
    const total = fake.steps;
    expect(total).toBeGreaterThan(10);
    for (let k = 1; k <= total; k++) {
      fake.reset();
      fake.putLayerMaskNeedsExistingMask = needsMask;
      doc = fake.addDocument({ width: 8, height: 6 });
      const before = fake.picture(doc.id);
      fake.failAtStep = k;
      const outcome = await host()
        .apply(doc.id, fillPlan(doc))
        .then(
          () => "ok",
          (err: unknown) => err,
        );
      expect(allDisposed()).toBe(true);
      expect(modalCalls()).toHaveLength(1);
      expect(outcome).not.toBe("ok");
      const e = await expectHostError(Promise.reject(outcome), "apply_failed");
      expect(e.detail).toContain(`injected failure at step ${k}`);
      expect(fake.picture(doc.id)).toBe(before);
      expect(fake.calls.filter((c) => c.op === "resumeHistory").map((c) => c.args.commit)).toEqual(k === total ? [true, false] : [false]);
    }
  });

  test("the target is found by id: another active document is never touched", async () => {
    const target = fake.addDocument({ width: 8, height: 6, title: "target" });
    const other = fake.addDocument({ width: 8, height: 6, title: "other" }); // now active
    const otherBefore = fake.picture(other.id);
    await host().apply(target.id, fillPlan(target));
    expect(fake.calls.find((c) => c.op === "setActiveDocument")).toMatchObject({ args: { id: target.id }, modal: 1, suspended: false });
    expect(fake.activeDocId).toBe(target.id);
    expect(fake.picture(other.id)).toBe(otherBefore);
    expect(target.state.history).toEqual(["Open", "Infill: Fill"]);
  });

  test("a closed document or a changed size is refused before any change", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const plan = fillPlan(doc);
    await expectHostError(host().apply(doc.id + 999, plan), "document_closed");
    const e = await expectHostError(host().apply(doc.id, { ...plan, expectDocumentSize: { width: 8, height: 7 } }), "document_changed");
    expect(e.detail).toBe("expected 8×7, found 8×6");
    expect(fake.calls.some((c) => c.op === "suspendHistory")).toBe(false);
    expect(doc.state.history).toEqual(["Open"]);
  });

  test("host busy: retried briefly, then succeeds", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    fake.busy = 2;
    await host().apply(doc.id, fillPlan(doc));
    expect(slept).toEqual([250, 250]);
    expect(modalCalls()).toHaveLength(3);
    expect(modalCalls()[0].args.timeOut).toBeGreaterThan(0);
  });

  test.each(["number9", "namesPlugin"] as const)("host busy for too long (%s): reported clearly as host_busy, document untouched", async (style) => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    fake.busy = 100;
    fake.busyStyle = style;
    const e = await expectHostError(host().apply(doc.id, fillPlan(doc)), "host_busy");
    expect(e.message).toMatch(/busy/);
    if (style === "namesPlugin") expect(e.detail).toContain("com.other.plugin");
    expect(modalCalls()).toHaveLength(4);
    expect(doc.state.history).toEqual(["Open"]);
  });

  test("user cancel (Esc) mid-apply: cancelled, rolled back", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const before = fake.picture(doc.id);
    fake.cancelAtStep = 4;
    await expectHostError(host().apply(doc.id, fillPlan(doc)), "cancelled");
    expect(fake.picture(doc.id)).toBe(before);
    expect(allDisposed()).toBe(true);
  });

  test("an AbortSignal aborted before: nothing runs; aborted during: rolled back", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const before = fake.picture(doc.id);
    const pre = new AbortController();
    pre.abort();
    await expectHostError(host().apply(doc.id, fillPlan(doc), pre.signal), "cancelled");
    expect(modalCalls()).toHaveLength(0);

    const during = new AbortController();
    const plan = fillPlan(doc);
    const pixels = plan.ops[1] as Extract<LayerPlan["ops"][number], { op: "createPixelLayer" }>;
    // Abort as soon as Photoshop is asked for the first layer.
    const original = doc.createPixelLayer.bind(doc);
    doc.createPixelLayer = async (o) => {
      during.abort();
      return original(o);
    };
    expect(pixels.op).toBe("createPixelLayer");
    await expectHostError(host().apply(doc.id, plan, during.signal), "cancelled");
    expect(fake.picture(doc.id)).toBe(before);
  });

  test("expand: two-step anchor resize moves existing pixels by (left, top); a size surprise rolls back", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    await host().apply(doc.id, {
      name: "Infill: Expand",
      expectDocumentSize: { width: 8, height: 6 },
      ops: [
        {
          op: "createPixelLayer",
          ref: "base",
          name: "marker",
          pixels: { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) },
          left: 0,
          top: 0,
          visible: true,
        },
      ],
    });
    const marker = doc.layers.find((l) => l.name === "marker")!;
    const plan: LayerPlan = {
      name: "Infill: Expand",
      expectDocumentSize: { width: 8, height: 6 },
      ops: [
        { op: "resizeCanvas", width: 8 + 3, height: 6 + 2, anchor: "bottomRight" },
        { op: "resizeCanvas", width: 8 + 3 + 5, height: 6 + 2 + 1, anchor: "topLeft" },
      ],
    };
    await host().apply(doc.id, plan);
    expect([doc.width, doc.height]).toEqual([16, 9]);
    expect(marker.node.pixels).toMatchObject({ left: 3, top: 2 });
    const resizes = fake.calls.filter((c) => c.op === "resizeCanvas").map((c) => c.args);
    expect(resizes).toEqual([
      { width: 11, height: 8, anchor: "bottom-right" },
      { width: 16, height: 9, anchor: "top-left" },
    ]);

    const before = fake.picture(doc.id);
    fake.resizeSkew = 1;
    const e = await expectHostError(host().apply(doc.id, { ...plan, expectDocumentSize: { width: 16, height: 9 } }), "apply_failed");
    expect(e.detail).toMatch(/after resizing/);
    expect(fake.picture(doc.id)).toBe(before);
  });

  test("pixels partly off the canvas are cropped before putPixels", async () => {
    const doc = fake.addDocument({ width: 4, height: 4 });
    const { created } = await host().apply(doc.id, {
      name: "x",
      expectDocumentSize: { width: 4, height: 4 },
      ops: [
        {
          op: "createPixelLayer",
          ref: "l",
          name: "l",
          pixels: { width: 3, height: 3, data: rgba(3, 3, (x, y) => [x, y, 0, 255]) },
          left: -1,
          top: 2,
          visible: true,
        },
      ],
    });
    expect(doc.layerById(created.l)!.node.pixels).toMatchObject({ left: 0, top: 2, width: 2, height: 2 });
    expect(Array.from(doc.layerById(created.l)!.node.pixels!.data.subarray(0, 4))).toEqual([1, 0, 0, 255]);
  });

  test("16-bit documents get 16-bit buffers in Photoshop's 0..32768 range", async () => {
    const doc = fake.addDocument({ width: 8, height: 6, bitsPerChannel: "bitDepth16" });
    const { created } = await host().apply(doc.id, fillPlan(doc));
    const px = doc.layerById(created.v1)!.node.pixels!.data;
    expect(px).toBeInstanceOf(Uint16Array);
    expect(px[3]).toBe(32768);
    expect(fake.calls.find((c) => c.op === "createImageDataFromBuffer")!.args.arrayType).toBe("Uint16Array");
  });

  test("32-bit documents get linear floats tagged sRGB; alpha and masks are 0..1 coverage", async () => {
    const doc = fake.addDocument({ width: 8, height: 6, bitsPerChannel: "bitDepth32" });
    const { created } = await host().apply(doc.id, fillPlan(doc));
    const px = doc.layerById(created.v1)!.node.pixels!.data;
    expect(px).toBeInstanceOf(Float32Array);
    // (10, 20, 30) in sRGB is linear 0.003035, 0.006995, 0.012983.
    expect(Array.from(px.subarray(0, 4)).map((v) => Number(v.toFixed(6)))).toEqual([0.003035, 0.006995, 0.012983, 1]);
    const mask = doc.layerById(created.v1)!.node.mask!;
    expect(mask.data).toBeInstanceOf(Float32Array);
    expect(maskValueAt(mask, 3, 1)).toBe(1);
    expect(maskValueAt(mask, 4, 1)).toBeCloseTo(128 / 255, 6);
    expect(maskValueAt(mask, 0, 0)).toBe(0);
    const buffers = fake.calls.filter((c) => c.op === "createImageDataFromBuffer").map((c) => [c.args.arrayType, c.args.colorProfile]);
    expect(buffers.slice(0, 2)).toEqual([
      ["Float32Array", "sRGB IEC61966-2.1"],
      ["Float32Array", "Gray Gamma 2.2"],
    ]);
    expect(doc.state.history).toEqual(["Open", "Infill: Fill"]);
  });

  test("where putLayerMask will not create a mask, the hide-all mask made first is written into, in the same step", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    fake.putLayerMaskNeedsExistingMask = true;
    const { created } = await host().apply(doc.id, fillPlan(doc));
    expect(fake.calls.filter((c) => c.op === "batchPlay").map((c) => c.args.descriptor._obj)).toEqual(["select", "make", "select", "make"]);
    expect(maskValueAt(doc.layerById(created.v1)!.node.mask!, 4, 1)).toBe(128);
    expect(doc.state.history).toEqual(["Open", "Infill: Fill"]);
  });

  test("existing layers addressed by id: visibility, rename, delete; a missing id is document_changed", async () => {
    const doc = fake.addDocument({ width: 8, height: 6 });
    const { created } = await host().apply(doc.id, fillPlan(doc));
    await host().apply(doc.id, {
      name: "Infill: Keep variation 2",
      expectDocumentSize: { width: 8, height: 6 },
      ops: [
        { op: "deleteLayer", layer: { id: created.v1 } },
        { op: "setVisibility", layer: { id: created.v2 }, visible: true },
        { op: "rename", layer: { id: created.v2 }, name: "Kept" },
      ],
    });
    expect(doc.layerById(created.v1)).toBeNull();
    expect(doc.layerById(created.v2)!.name).toBe("Kept");
    await expectHostError(
      host().apply(doc.id, {
        name: "y",
        expectDocumentSize: { width: 8, height: 6 },
        ops: [{ op: "setVisibility", layer: { id: created.v1 }, visible: true }],
      }),
      "document_changed",
    );
  });
});

describe("notifications", () => {
  test("Photoshop events become Host events; unsubscribing removes the Photoshop listener", async () => {
    const doc = fake.addDocument({ width: 4, height: 4 });
    const h = host();
    const got: unknown[] = [];
    const off = h.subscribe((e) => got.push(e));
    await Promise.resolve();
    fake.notify("set", { _target: [{ _ref: "channel", _property: "selection" }] });
    fake.notify("select", { _target: [{ _ref: "document", _id: doc.id }] });
    fake.notify("close", {});
    expect(got).toEqual([
      { type: "selectionChanged", docId: doc.id },
      { type: "activeDocumentChanged", docId: doc.id },
      { type: "documentsChanged" },
      { type: "activeDocumentChanged", docId: doc.id },
    ]);
    off();
    await Promise.resolve();
    expect(fake.listeners).toHaveLength(0);
  });
});
