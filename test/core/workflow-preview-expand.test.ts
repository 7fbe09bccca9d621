// An expand's instant preview: its step grows the canvas and places the preview over the new area; the
// results then replace it in one step without growing the canvas again (a rollback keeps it);
// cancelling removes it and gives the canvas back its size, pixel for pixel.

import type { SubmitRequest } from "../../src/common/firefly";
import { createRGBA, pasteRGBA } from "../../src/common/imaging/image";
import { encodePng } from "../../src/common/imaging/png";
import type { ExpandParams } from "../../src/common/jobs";
import { reapplyKept, startJob } from "../../src/plugin/workflows";
import { firstDifference, px } from "../support/pixels";
import { flushUntil } from "../support/turns";
import { rig } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { gatePreviews } from "./helpers/preview-broker";

const PREVIEW_COLOUR: [number, number, number] = [250, 0, 250];
const W = 301;
const H = 199;
const SIDES = { left: 0, top: 0, right: 101, bottom: 0 };
const EXPAND: ExpandParams = { kind: "expand", target: { kind: "sides", ...SIDES }, numVariations: 1, seeds: [42], blend: { bandPx: 8, toneMatch: false } };

function expandRig(params: ExpandParams = EXPAND) {
  const r = rig();
  const orig = coordImage(W, H);
  const docId = r.host.createDocument({ title: "e.psd", width: W, height: H, pixels: orig, backgroundColor: [0, 0, 255] });
  // The local engine's answer, as far as this test cares: the new area in one colour.
  const gate = gatePreviews(r, async (endpoint, body) => {
    expect(endpoint).toBe("expand");
    const b = body as SubmitRequest["expand"];
    const out = createRGBA(b.size!.width, b.size!.height, [...PREVIEW_COLOUR, 255]);
    pasteRGBA(out, r.broker.image(b.image.source.uploadId!), b.placement!.inset!.left!, b.placement!.inset!.top!);
    return encodePng(out.width, out.height, out.data, 4, 0);
  });
  return { r, orig, docId, params, ...gate };
}

async function startWithPreview(x: ReturnType<typeof expandRig>) {
  const job = startJob(x.params, x.r.deps, () => undefined);
  await flushUntil(() => x.r.host.historyNames(x.docId).includes("Infill: Preview"));
  return job;
}

async function originalUntouched(x: ReturnType<typeof expandRig>): Promise<void> {
  const img = await x.r.host.composite(x.docId);
  for (const [ox, oy] of [
    [0, 0],
    [150, 100],
    [W - 1, H - 1],
    [W - 1, 0],
  ])
    expect(px(img, ox + SIDES.left, oy + SIDES.top)).toEqual(px(x.orig, ox, oy));
}

test("the preview's step grows the canvas; the results replace it in one step without growing it again", async () => {
  const x = expandRig();
  const job = await startWithPreview(x);
  const grown = (await x.r.host.activeDocument())!;
  expect([grown.width, grown.height]).toEqual([W + SIDES.right, H]);
  expect((await x.r.host.layers(x.docId)).map((l) => l.name)).toEqual(["Preview — waiting for Firefly (#3)", "Background"]);
  expect(px(await x.r.host.composite(x.docId), W + 60, 100)).toEqual([...PREVIEW_COLOUR, 255]);
  await originalUntouched(x);

  x.release();
  const final = await job.done;
  expect(final.phase).toBe("done");
  const doc = (await x.r.host.activeDocument())!;
  expect([doc.width, doc.height]).toEqual([W + SIDES.right, H]);
  expect(x.r.host.historyNames(x.docId)).toEqual(["Open", "Infill: Preview", "Infill: Expand"]);
  expect((await x.r.host.layers(x.docId)).map((l) => l.name).filter((n) => n.startsWith("Preview"))).toEqual([]);
  expect(px(await x.r.host.composite(x.docId), W + 60, 100)).toEqual([...seedColour(42), 255]);
  await originalUntouched(x);
  expect(x.r.host.undo(x.docId)).toBe(true);
  expect(px(await x.r.host.composite(x.docId), W + 60, 100)).toEqual([...PREVIEW_COLOUR, 255]);
});

test("a failed apply keeps the preview and the grown canvas; Re-apply then places the results", async () => {
  const x = expandRig();
  const job = await startWithPreview(x);
  x.r.host.faults.failApplyAtOp = 2;
  x.release();
  expect((await job.done).phase).toBe("kept");
  expect(x.r.host.historyNames(x.docId)).toEqual(["Open", "Infill: Preview"]);
  expect(px(await x.r.host.composite(x.docId), W + 60, 100)).toEqual([...PREVIEW_COLOUR, 255]);
  const again = await reapplyKept(job.jobId, x.r.deps, () => undefined);
  expect(again.phase).toBe("done");
  expect(x.r.host.historyNames(x.docId)).toEqual(["Open", "Infill: Preview", "Infill: Expand"]);
  expect(px(await x.r.host.composite(x.docId), W + 60, 100)).toEqual([...seedColour(42), 255]);
});

test.each([
  ["right", SIDES],
  ["all sides", { left: 31, top: 17, right: 45, bottom: 60 }],
])("cancelling removes the preview and gives the canvas back its size, pixel for pixel (%s)", async (_n, sides) => {
  const x = expandRig({ ...EXPAND, target: { kind: "sides", ...sides } });
  const before = await x.r.host.composite(x.docId);
  const job = await startWithPreview(x);
  const grown = (await x.r.host.activeDocument())!;
  expect([grown.width, grown.height]).toEqual([W + sides.left + sides.right, H + sides.top + sides.bottom]);
  job.cancel();
  expect((await job.done).phase).toBe("cancelled");
  const doc = (await x.r.host.activeDocument())!;
  expect([doc.width, doc.height]).toEqual([W, H]);
  expect(x.r.host.historyNames(x.docId)).toEqual(["Open", "Infill: Preview", "Infill: Remove Preview"]);
  expect((await x.r.host.layers(x.docId)).map((l) => l.name)).toEqual(["Background"]);
  expect(firstDifference((await x.r.host.composite(x.docId)).data, before.data)).toBe("");
});
