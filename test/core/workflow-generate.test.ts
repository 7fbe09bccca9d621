import { rig, run } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { px } from "../support/pixels";

describe("generate and generate similar", () => {
  test("style reference from a layer of another open document, structure reference, model and presets", async () => {
    const r = rig();
    const refDoc = r.host.createDocument({ title: "ref.psd", width: 300, height: 200, fill: [200, 100, 0] });
    const refLayer = r.host.addLayer(refDoc, "style", coordImage(120, 60), 30, 40);
    const structDoc = r.host.createDocument({ title: "struct.psd", width: 50, height: 50, fill: [1, 1, 1] });
    const id = r.host.createDocument({ title: "main.psd", width: 640, height: 360, fill: [0, 0, 0] });
    const { final } = await run(r, {
      kind: "generate",
      prompt: "  a lighthouse at dusk  ",
      negativePrompt: "text",
      contentClass: "photo",
      stylePresets: ["golden_hour", "golden_hour", "bokeh"],
      styleReference: { docId: refDoc, layerId: refLayer, strength: 70 },
      structureReference: { docId: structDoc, strength: 30 },
      visualIntensity: 6,
      modelVersion: "image4_standard",
      numVariations: 2,
      seeds: [5, 6],
    });
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    const job = r.broker.lastJob();
    expect(job.modelVersion).toBe("image4_standard");
    const body = job.body as Record<string, any>;
    expect(body.prompt).toBe("a lighthouse at dusk");
    expect(body.size).toEqual({ width: 2688, height: 1536 });
    expect(body.style.presets).toEqual(["golden_hour", "bokeh"]);
    expect(body.style.strength).toBe(70);
    expect(body.structure.strength).toBe(30);
    // The style reference is that layer's own pixels (its bounds), not the document composite.
    const style = r.broker.image(body.style.imageReference.source.uploadId);
    expect([style.width, style.height]).toEqual([120, 60]);
    expect(r.host.compositeLog.find((c) => c.docId === refDoc)!.request).toEqual({
      window: { left: 30, top: 40, right: 150, bottom: 100 },
      layerId: refLayer,
      targetSize: { width: 120, height: 60 },
    });
    // Covers the canvas (no selection), first variation visible.
    const after = await r.host.composite(id);
    expect(px(after, 0, 0)).toEqual([...seedColour(5), 255]);
    expect(px(after, 639, 359)).toEqual([...seedColour(5), 255]);
    expect((await r.host.layers(id)).map((l) => l.name)).toEqual(["a lighthouse at dusk", "Generate 2 (seed 6)", "Generate 1 (seed 5)", "Background"]);
  });

  test("with a selection the result covers it and is masked by it", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 400, height: 300, fill: [0, 0, 0] });
    r.host.setEllipseSelection(id, { left: 100, top: 50, right: 300, bottom: 250 });
    const { final } = await run(r, { kind: "generate", prompt: "moon", numVariations: 1, seeds: [7] });
    expect(final.phase).toBe("done");
    expect((r.broker.lastJob().body as { size: object }).size).toEqual({ width: 2048, height: 2048 });
    const after = await r.host.composite(id);
    expect(px(after, 200, 150)).toEqual([...seedColour(7), 255]);
    expect(px(after, 101, 51)).toEqual([0, 0, 0, 255]);
    expect(px(after, 50, 150)).toEqual([0, 0, 0, 255]);
  });

  test("a closed reference document is a clear error; custom models need their id", async () => {
    const r = rig();
    const ref = r.host.createDocument({ width: 10, height: 10 });
    r.host.createDocument({ width: 100, height: 100 });
    r.host.closeDocument(ref);
    const { final } = await run(r, { kind: "generate", prompt: "x", styleReference: { docId: ref, strength: 50 }, numVariations: 1 });
    expect(final.error!.category).toBe("document");
    expect(final.error!.message).toMatch(/style reference document/);
    const custom = await run(r, { kind: "generate", prompt: "x", modelVersion: "image3_custom", numVariations: 1 });
    expect(custom.final.error!.category).toBe("invalid_input");
    expect(custom.final.error!.message).toMatch(/customModelId/);
  });

  test("similar from the selection: source read once at its own size, result covers the selection", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 500, height: 400, pixels: coordImage(500, 400) });
    r.host.setSelection(id, { left: 100, top: 100, right: 400, bottom: 300 });
    const { final } = await run(r, { kind: "similar", source: "selection", modelVersion: "image4_ultra", numVariations: 1, seeds: [12] });
    expect(final.phase).toBe("done");
    expect(r.host.compositeLog).toEqual([
      { docId: id, request: { window: { left: 100, top: 100, right: 400, bottom: 300 }, targetSize: { width: 300, height: 200 } } },
    ]);
    expect(r.broker.lastJob().modelVersion).toBe("image4_ultra");
    expect((r.broker.lastJob().body as { size: object }).size).toEqual({ width: 2304, height: 1792 });
    const after = await r.host.composite(id);
    expect(px(after, 250, 200)).toEqual([...seedColour(12), 255]);
    expect(px(after, 99, 200)).toEqual([99, 200, (99 * 7 + 200 * 13) & 255, 255]);
  });
});
