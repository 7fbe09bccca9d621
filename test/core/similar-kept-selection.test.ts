// More like this on a variation of a selection job: the new variations cover the selection the job was
// run with (kept with its record once placed), not whatever is selected in the document now.

import type { Rect, RGBAImage } from "../../src/common/host";
import { SimHost } from "../../src/playground/sim";
import { similarParamsFor } from "../../src/plugin/controller/similar";
import type { JobParams, JobState, SimilarParams } from "../../src/common/jobs";
import { reapplyKept } from "../../src/plugin/workflows";
import { run, type Rig } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";
import { photoLike } from "./helpers/images";
import { px } from "../support/pixels";

const W = 600;
const H = 400;
const A: Rect = { left: 100, top: 80, right: 220, bottom: 180 };
const B: Rect = { left: 380, top: 200, right: 520, bottom: 330 };

/** A fill placed on the ellipse inscribed in A, then the selection moved to B. */
async function filledThenReselected(): Promise<{ r: Rig; id: number; fill: JobState }> {
  const r = smallRig({}, new SimHost());
  const id = r.host.createDocument({ title: "beach.psd", width: W, height: H, pixels: photoLike(W, H, 5) });
  r.host.setEllipseSelection(id, A);
  const { final: fill } = await run(r, { kind: "fill", prompt: "a boat", numVariations: 1, seeds: [7] });
  expect(fill.phase).toBe("done");
  r.host.setSelection(id, B);
  return { r, id, fill };
}

const moreLike = (job: JobState): SimilarParams => {
  const p = similarParamsFor(job, 0, 1);
  if (!("kind" in p)) throw new Error(p.message);
  return { ...p, seeds: [31] };
};

const whole = (r: Rig, id: number): Promise<RGBAImage> => r.host.composite(id);

function changedBox(before: RGBAImage, after: RGBAImage): Rect | null {
  let box: Rect | null = null;
  for (let y = 0; y < before.height; y++)
    for (let x = 0; x < before.width; x++) {
      const i = (y * before.width + x) * 4;
      if (before.data[i] === after.data[i] && before.data[i + 1] === after.data[i + 1] && before.data[i + 2] === after.data[i + 2]) continue;
      box = box
        ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x + 1), bottom: Math.max(box.bottom, y + 1) }
        : { left: x, top: y, right: x + 1, bottom: y + 1 };
    }
  return box;
}

// One fill for the file (the slow part); the tests after it change the document only at their end.
let placed: { r: Rig; id: number; fill: JobState };
beforeAll(async () => {
  placed = await filledThenReselected();
});

test("More like this on a fill's variation covers the fill's selection A, not the selection B made since", async () => {
  const { r, id, fill } = placed;
  const params = moreLike(fill);
  expect(params).toMatchObject({ source: "selection", fromJob: fill.jobId });
  const before = await whole(r, id);
  const { final } = await run(r, params);
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");
  expect(final.target).toEqual(A);
  const after = await whole(r, id);
  // Changed only inside A, masked by its ellipse: A's centre takes the new colour, its corner keeps the old.
  const box = changedBox(before, after)!;
  expect(box.left >= A.left && box.top >= A.top && box.right <= A.right && box.bottom <= A.bottom).toBe(true);
  expect(px(after, 160, 130)).toEqual([...seedColour(31), 255]);
  expect(px(after, A.left + 1, A.top + 1)).toEqual(px(before, A.left + 1, A.top + 1));
  // The new job keeps that selection too: More like this on its variation lands in A again.
  const { final: again } = await run(r, moreLike(final));
  expect(again.target).toEqual(A);
  // Placed jobs release their bytes; the selection lives on in the record.
  expect(r.store.byteCount(fill.jobId)).toBe(0);
});

test("a record without a kept selection, a job no longer stored, another document in front or a resized canvas: a clear error, nothing placed", async () => {
  const { r, id, fill } = placed;
  const history = r.host.historyNames(id);
  const fails = async (params: JobParams, message: RegExp) => {
    const { final } = await run(r, params);
    expect(final.phase).toBe("failed");
    expect(final.error).toMatchObject({ category: "document", message: expect.stringMatching(message) });
    expect(r.host.historyNames(id)).toEqual(history);
  };
  const params = moreLike(fill);

  await fails({ ...params, fromJob: "gone" }, /no longer stored.*Make the selection again/);

  const other = r.host.createDocument({ title: "other.psd", width: W, height: H, pixels: photoLike(W, H, 6) });
  r.host.setSelection(other, B);
  await fails(params, /Bring “beach.psd” to the front/);
  r.host.closeDocument(other);
  r.host.activate(id);

  const rec = (await r.store.getJob(fill.jobId))!;
  const { selection: _kept, ...older } = rec.request as { selection?: string };
  await r.store.putJob({ ...rec, request: older });
  await fails(params, /selection that job was run with is not kept.*Make the selection again/);
  await r.store.putJob(rec);

  r.host.resizeCanvasByHand(id, W + 10, H);
  const { final } = await run(r, params);
  expect(final.phase).toBe("failed");
  expect(final.error!.message).toMatch(/canvas changed size/);
});

test("a job placed by Re-apply keeps its selection the same way", async () => {
  const r = smallRig({}, new SimHost());
  const id = r.host.createDocument({ title: "beach.psd", width: W, height: H, pixels: photoLike(W, H, 5) });
  r.host.setEllipseSelection(id, A);
  r.host.faults.failApplyAtOp = 0; // the first placing fails once: the results are kept
  const { final: kept } = await run(r, { kind: "fill", prompt: "a boat", numVariations: 1, seeds: [7] });
  expect(kept.phase).toBe("kept");
  expect((await reapplyKept(kept.jobId, r.deps, () => undefined)).phase).toBe("done");
  expect(r.store.byteCount(kept.jobId)).toBe(0);
  r.host.setSelection(id, B);
  const placedJob = (await r.store.getJob(kept.jobId))!.state;
  const { final } = await run(r, moreLike(placedJob));
  expect(final.error).toBeUndefined();
  expect(final.target).toEqual(A);
});
