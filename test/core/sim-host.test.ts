import { HostError, type LayerPlan } from "../../src/common/host";
import { decodeImage } from "../../src/common/imaging";
import { SimHost, MAX16 } from "../../src/playground/sim";
import { px } from "../support/pixels";
import { coordImage } from "./helpers/images";

describe("simulated Photoshop", () => {
  test("two-step anchor canvas resize: content moves by exactly (left, top); Background gets the background colour", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 4, height: 3, pixels: coordImage(4, 3), backgroundColor: [10, 20, 30] });
    const plan: LayerPlan = {
      name: "grow",
      expectDocumentSize: { width: 4, height: 3 },
      ops: [
        { op: "resizeCanvas", width: 5, height: 5, anchor: "bottomRight" },
        { op: "resizeCanvas", width: 8, height: 9, anchor: "topLeft" },
      ],
    };
    await h.apply(id, plan);
    const img = await h.composite(id);
    expect([img.width, img.height]).toEqual([8, 9]);
    expect(px(img, 1, 2)).toEqual([0, 0, 0, 255]); // original (0,0) now at (1,2)
    expect(px(img, 4, 4)).toEqual([3, 2, (3 * 7 + 2 * 13) & 255, 255]);
    expect(px(img, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(px(img, 7, 8)).toEqual([10, 20, 30, 255]);
    expect(h.historyNames(id)).toEqual(["Open", "grow"]);
  });

  test.each([8, 16, 32] as const)("a filled %i-bit document holds the fill in every sample, at any size", async (bitDepth) => {
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [7, 5],
      [33, 17],
    ]) {
      const host = new SimHost();
      const id = host.createDocument({ width: w, height: h, bitDepth, fill: [200, 100, 7] });
      const { data } = host.layerSamples(id, (await host.layers(id))[0].id);
      expect(data.length).toBe(w * h * 4);
      const first = Array.from(data.subarray(0, 4));
      for (let i = 0; i < data.length; i++) if (data[i] !== first[i & 3]) throw new Error(`${w}×${h}: sample ${i} is ${data[i]}, not ${first[i & 3]}`);
      expect(px(await host.composite(id), w - 1, h - 1)).toEqual([200, 100, 7, 255]);
    }
  });

  test("transparent documents grow with transparency; centre anchor floors the offset", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 2, height: 2, background: false, fill: [200, 0, 0] });
    expect((await h.activeDocument())!.hasBackground).toBe(false);
    await h.apply(id, { name: "c", expectDocumentSize: { width: 2, height: 2 }, ops: [{ op: "resizeCanvas", width: 5, height: 3, anchor: "center" }] });
    const img = await h.composite(id);
    expect(px(img, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(img, 1, 0)).toEqual([200, 0, 0, 255]);
    expect(px(img, 3, 0)).toEqual([0, 0, 0, 0]);
  });

  test("selection bounds beyond the canvas are clamped; an empty selection is none", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 10, height: 10 });
    h.setSelection(id, { left: -5, top: 8, right: 3, bottom: 14 });
    const sel = await h.selection(id);
    expect(sel!.bounds).toEqual({ left: 0, top: 8, right: 3, bottom: 10 });
    expect(sel!.mask.data.length).toBe(6);
    h.setSelection(id, { left: 20, top: 20, right: 30, bottom: 30 });
    expect(await h.selection(id)).toBeNull();
  });

  test("16-bit documents store 0..32768 and read back as 8-bit; 8-bit pixels written back convert", async () => {
    const h = new SimHost();
    const samples = new Uint16Array([MAX16, 16384, 0, MAX16]);
    const id = h.createDocument({ width: 1, height: 1, bitDepth: 16, samples });
    expect(Array.from((await h.composite(id)).data)).toEqual([255, 128, 0, 255]);
    const res = await h.apply(id, {
      name: "p",
      expectDocumentSize: { width: 1, height: 1 },
      ops: [
        {
          op: "createPixelLayer",
          ref: "a",
          name: "a",
          pixels: { width: 1, height: 1, data: Uint8Array.from([255, 51, 0, 255]) },
          left: 0,
          top: 0,
          visible: true,
        },
      ],
    });
    expect(Array.from(h.layerSamples(id, res.created.a).data)).toEqual([MAX16, 6554, 0, MAX16]);
    expect(Array.from((await h.composite(id)).data)).toEqual([255, 51, 0, 255]);
  });

  test("32-bit documents hold linear floats and read back as 8-bit sRGB", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 1, height: 1, bitDepth: 32, samples: Float32Array.of(1, 0.2158605, 0, 1) });
    expect(Array.from((await h.composite(id)).data)).toEqual([255, 128, 0, 255]);
  });

  test("layer masks hide outside their rectangle; hidden groups hide their layers; composite at a target size", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 4, height: 1, fill: [0, 0, 0] });
    const white = { width: 4, height: 1, data: new Uint8Array(16).fill(255) };
    const res = await h.apply(id, {
      name: "m",
      expectDocumentSize: { width: 4, height: 1 },
      ops: [
        { op: "createGroup", ref: "g", name: "g" },
        { op: "createPixelLayer", ref: "l", name: "l", parent: { ref: "g" }, pixels: white, left: 0, top: 0, visible: true },
        { op: "setLayerMask", layer: { ref: "l" }, mask: { width: 2, height: 1, data: Uint8Array.from([255, 128]) }, left: 1, top: 0 },
      ],
    });
    expect(Array.from((await h.composite(id)).data.filter((_, i) => i % 4 === 0))).toEqual([0, 255, 128, 0]);
    expect(Array.from((await h.composite(id, { targetSize: { width: 2, height: 1 } })).data.filter((_, i) => i % 4 === 0))).toEqual([128, 64]);
    const layers = await h.layers(id);
    expect(layers.map((l) => [l.name, l.kind, l.parentId])).toEqual([
      ["g", "group", null],
      ["l", "pixel", res.created.g],
      ["Background", "pixel", null],
    ]);
    await h.apply(id, {
      name: "hide",
      expectDocumentSize: { width: 4, height: 1 },
      ops: [{ op: "setVisibility", layer: { id: res.created.g }, visible: false }],
    });
    expect(Array.from((await h.composite(id)).data.filter((_, i) => i % 4 === 0))).toEqual([0, 0, 0, 0]);
    // One layer's own pixels, unmasked.
    expect(Array.from((await h.composite(id, { layerId: res.created.l })).data.filter((_, i) => i % 4 === 0))).toEqual([255, 255, 255, 255]);
  });

  test("apply is atomic: an injected failure rolls everything back; undo/redo step over whole plans", async () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 3, height: 3, pixels: coordImage(3, 3) });
    const before = h.stateOf(id);
    const plan: LayerPlan = {
      name: "x",
      expectDocumentSize: { width: 3, height: 3 },
      ops: [
        { op: "resizeCanvas", width: 5, height: 5, anchor: "center" },
        { op: "createGroup", ref: "g", name: "g" },
        { op: "deleteLayer", layer: { id: 999 } },
      ],
    };
    await expect(h.apply(id, plan)).rejects.toMatchObject({ code: "apply_failed" });
    expect(h.stateOf(id)).toBe(before);
    h.faults.failApplyAtOp = 1;
    await expect(h.apply(id, { ...plan, ops: plan.ops.slice(0, 2) })).rejects.toBeInstanceOf(HostError);
    expect(h.stateOf(id)).toBe(before);
    expect(h.historyNames(id)).toEqual(["Open"]);
    await h.apply(id, { ...plan, ops: plan.ops.slice(0, 2) });
    expect(h.stateOf(id).width).toBe(5);
    h.undo(id);
    expect(h.stateOf(id)).toBe(before);
    h.redo(id);
    expect(h.stateOf(id).width).toBe(5);
  });

  test("stale and closed documents are refused; events are emitted", async () => {
    const h = new SimHost();
    const events: string[] = [];
    h.subscribe((e) => events.push(e.type));
    const id = h.createDocument({ width: 3, height: 3 });
    await expect(h.apply(id, { name: "x", expectDocumentSize: { width: 4, height: 3 }, ops: [] })).rejects.toMatchObject({ code: "document_changed" });
    h.closeDocument(id);
    await expect(h.apply(id, { name: "x", expectDocumentSize: { width: 3, height: 3 }, ops: [] })).rejects.toMatchObject({ code: "document_closed" });
    expect(events).toEqual(["documentsChanged", "activeDocumentChanged", "documentsChanged", "activeDocumentChanged"]);
    expect(await h.activeDocument()).toBeNull();
  });

  test("renders its composite to PNG", () => {
    const h = new SimHost();
    const id = h.createDocument({ width: 5, height: 4, pixels: coordImage(5, 4) });
    expect(decodeImage(h.renderPng(id))).toEqual(coordImage(5, 4));
  });
});
