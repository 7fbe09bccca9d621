// Memory of one apply is bounded by the result, not the canvas: on a simulated 8000×8000 16-bit
// document, placing a 1024×1024 fill result with its mask keeps the image data alive at once (every
// byte allocated through the fake imaging API) under the budget below. A canvas-size 16-bit mask
// alone would be 128 MB.
import { fake, maskValueAt } from "../fakes/photoshop";
import { createPhotoshopHost } from "../../src/plugin/photoshop";
import type { LayerPlan } from "../../src/common/host";

const SIDE = 8000;
const RESULT = 1024;
/** The result's RGBA at 16 bits (8 MiB) plus its 16-bit mask (2 MiB), with 2 MiB to spare. */
const BUDGET_BYTES = 12 * 1024 * 1024;

beforeEach(() => fake.reset());

test(`one apply on an ${SIDE}×${SIDE} 16-bit document stays under ${BUDGET_BYTES / 1024 / 1024} MiB of image data`, async () => {
  const doc = fake.addDocument({ width: SIDE, height: SIDE, bitsPerChannel: "bitDepth16" });
  const left = 3000,
    top = 4000;
  const pixels = { width: RESULT, height: RESULT, data: new Uint8Array(RESULT * RESULT * 4).fill(200) };
  const mask = { width: RESULT, height: RESULT, data: new Uint8Array(RESULT * RESULT).fill(255) };
  const plan: LayerPlan = {
    name: "Infill: Fill",
    expectDocumentSize: { width: SIDE, height: SIDE },
    ops: [
      { op: "createGroup", ref: "g", name: "Infill" },
      { op: "createPixelLayer", ref: "v1", name: "Variation 1", parent: { ref: "g" }, pixels, left, top, visible: true },
      { op: "setLayerMask", layer: { ref: "v1" }, mask, left, top },
    ],
  };
  const { created } = await createPhotoshopHost().apply(doc.id, plan);
  console.log(`peak image data ${(fake.peakImageBytes / 1024 / 1024).toFixed(1)} MiB (budget ${BUDGET_BYTES / 1024 / 1024} MiB)`);
  expect(fake.peakImageBytes).toBeLessThanOrEqual(BUDGET_BYTES);
  expect(fake.imageBytes).toBe(0); // everything disposed
  const m = doc.layerById(created.v1)!.node.mask!;
  expect([maskValueAt(m, left, top), maskValueAt(m, left + RESULT - 1, top + RESULT - 1), maskValueAt(m, left - 1, top), maskValueAt(m, 0, 0)]).toEqual([
    32768, 32768, 0, 0,
  ]);
});
