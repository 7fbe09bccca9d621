// More like this: which area and model a similar job takes from a placed variation.

import { similarParamsFor } from "../../src/plugin/controller/similar";
import type { JobState } from "../../src/common/jobs";

const placed = (over: Partial<JobState> = {}): JobState => ({
  jobId: "g",
  kind: "generate",
  params: { kind: "generate", prompt: "a fox", numVariations: 2, modelVersion: "image4_standard" },
  docId: 1,
  docTitle: "Beach.png",
  phase: "done",
  startedAt: 0,
  docSizeAtCapture: { width: 800, height: 600 },
  target: { left: 0, top: 0, right: 800, bottom: 600 },
  variations: [
    { index: 0, seed: 11, layerId: 5, visible: true },
    { index: 1, seed: 12, layerId: 6, visible: false },
  ],
  ...over,
});

test("a variation covering the canvas asks for more like the whole document, with the same model", () => {
  expect(similarParamsFor(placed(), 1, 2)).toEqual({ kind: "similar", source: "document", numVariations: 2, modelVersion: "image4_standard" });
});

test("a variation covering a selection asks for more like the selection", () => {
  expect(similarParamsFor(placed({ target: { left: 10, top: 20, right: 110, bottom: 70 } }), 0, 4)).toMatchObject({ source: "selection", numVariations: 4 });
});

test("a model Similar does not offer is not carried over", () => {
  const custom = placed({ params: { kind: "generate", prompt: "a fox", numVariations: 2, modelVersion: "image3_custom", customModelId: "m" } });
  expect(similarParamsFor(custom, 0, 1)).toEqual({ kind: "similar", source: "document", numVariations: 1 });
  expect(similarParamsFor(placed({ kind: "fill", params: { kind: "fill", numVariations: 2 } }), 0, 1)).toEqual({
    kind: "similar",
    source: "document",
    numVariations: 1,
  });
});

test("a variation that is not placed is refused with a sentence", () => {
  for (const job of [placed({ phase: "kept" }), placed({ variations: [{ index: 0, seed: 11 }] })]) {
    expect(similarParamsFor(job, 0, 2)).toMatchObject({ code: "variation_not_placed", message: "That variation is not placed in the document." });
  }
  expect(similarParamsFor(placed(), 2, 2)).toMatchObject({ code: "variation_not_placed" });
});
