// Memory of one capture is bounded by the job's window, not the canvas: on a simulated 8000×8000 16-bit
// document, capturing a fill around a 1024×1024 selection keeps the image data alive at once (every
// byte allocated through the fake imaging API) under the budget below. A canvas-size selection mask
// alone would be 61 MiB, a canvas-size 8-bit composite 244 MiB.
import { fake } from "../fakes/photoshop";
import { createPhotoshopHost } from "../../src/plugin/photoshop";
import { captureJob } from "../../src/plugin/workflows";
import { MemoryResultStore } from "../../src/plugin/store";
import type { BrokerClient } from "../../src/plugin/broker-client";

const SIDE = 8000;
const SEL = 1024;
/**
 * The fill's context window here is 2048×2048 read at 1:1: 16 MiB as 8-bit RGBA. The selection's mask
 * (1 MiB) and, where the host does not report selection bounds, each strip of the scan that finds them
 * (4 MiB) are disposed before the window is read.
 */
const BUDGET_BYTES = 16 * 1024 * 1024;

beforeEach(() => fake.reset());

function documentWithSelection(selectionBoundsKnown: boolean) {
  const left = 3000,
    top = 4000;
  const selection = new Uint8Array(SIDE * SIDE);
  for (let y = top; y < top + SEL; y++) selection.fill(255, y * SIDE + left, y * SIDE + left + SEL);
  const doc = fake.addDocument({ width: SIDE, height: SIDE, bitsPerChannel: "bitDepth16", selection });
  fake.hasSelectionBounds = selectionBoundsKnown;
  return { doc, bounds: { left, top, right: left + SEL, bottom: top + SEL } };
}

const unusedBroker = {} as BrokerClient;

async function captureFill() {
  const deps = { host: createPhotoshopHost({ sleep: async () => undefined }), broker: unusedBroker, store: new MemoryResultStore() };
  return captureJob({ kind: "fill", numVariations: 1, prompt: "a stone wall" }, "job-1", deps);
}

describe.each([
  ["known", true],
  ["not reported by this host", false],
])(`one fill capture on an ${SIDE}×${SIDE} 16-bit document (selection bounds %s)`, (_label, known) => {
  test(`stays under ${BUDGET_BYTES / 1024 / 1024} MiB of image data and reads only the window`, async () => {
    const { bounds } = documentWithSelection(known);
    const cap = await captureFill();
    console.log(`peak image data ${(fake.peakImageBytes / 1024 / 1024).toFixed(1)} MiB (budget ${BUDGET_BYTES / 1024 / 1024} MiB)`);
    expect(fake.peakImageBytes).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(fake.imageBytes).toBe(0); // everything disposed
    expect(cap.selection?.bounds).toEqual(bounds);
    expect(cap.selection?.mask.data.every((v) => v === 255)).toBe(true);
  });
});
