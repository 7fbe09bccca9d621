import { BAD_OUTPUT_MESSAGE } from "../../src/common/firefly";
import { reapplyKept, resumeJobs, startJob, type StoredRequest, type WorkflowDeps } from "../../src/plugin/workflows";
import { flushUntil } from "../support/turns";
import { rig, run, type Rig } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";
import { px } from "../support/pixels";

/** The broker serves these outputs (by index in the job) as bytes that are no image. */
function garble(r: Rig, indexes: number[]): void {
  const download = r.broker.download.bind(r.broker);
  r.broker.download = async (url: string) => {
    const bytes = await download(url);
    return indexes.some((i) => url.endsWith(`/${i}`)) ? bytes.subarray(0, 40) : bytes;
  };
}

describe("results the service returned that cannot be read", () => {
  test("3 of 4 readable: the 3 are placed and the job says one was left out as bad output", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 400, height: 300, fill: [0, 0, 0] });
    garble(r, [1]);
    const { final } = await run(r, { kind: "generate", prompt: "moon", numVariations: 4, seeds: [1, 2, 3, 4] });
    expect(final.phase).toBe("done");
    expect(final.error).toBeUndefined();
    expect(final.variations.map((v) => v.seed)).toEqual([1, 3, 4]);
    expect(final.note).toBe("The service returned an image that could not be read. 1 of 4 results was left out; the other 3 are placed.");
    const names = (await r.host.layers(id)).map((l) => l.name);
    expect(names).toEqual(["moon", "Generate 3 (seed 4)", "Generate 2 (seed 3)", "Generate 1 (seed 1)", "Background"]);
    expect(px(await r.host.composite(id), 200, 150)).toEqual([...seedColour(1), 255]);
  });

  test("none readable: the job fails as bad output, not as invalid input, and the document is unchanged", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 400, height: 300, fill: [9, 9, 9] });
    garble(r, [0, 1]);
    const { final } = await run(r, { kind: "generate", prompt: "moon", numVariations: 2, seeds: [1, 2] });
    expect(final.phase).toBe("failed");
    expect(final.error!.category).toBe("bad_output");
    expect(final.error!.message).toBe("The service returned images that could not be read. Run it again; if it happens again, tell your admin.");
    expect(final.error!.detail).toMatch(/result 1 \(40 bytes\).*; result 2 \(40 bytes\)/);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
    const one = rig();
    one.host.createDocument({ width: 100, height: 100 });
    garble(one, [0]);
    const single = await run(one, { kind: "generate", prompt: "moon", numVariations: 1, seeds: [1] });
    expect(single.final.error!.message).toBe(BAD_OUTPUT_MESSAGE);
  });

  test("kept results with one unreadable are re-applied without it", async () => {
    const r = rig();
    const id = r.host.createDocument({ title: "k.psd", width: 400, height: 300, fill: [0, 0, 0] });
    r.host.faults.failApplyAtOp = 1;
    const { final } = await run(r, { kind: "generate", prompt: "moon", numVariations: 2, seeds: [1, 2] });
    expect(final.phase).toBe("kept");
    // The stored copy of the second result is damaged before it is placed again.
    await r.store.putBytes(final.jobId, "result-1", new Uint8Array([1, 2, 3]));
    const again = await reapplyKept(final.jobId, r.deps, () => undefined);
    expect(again.phase).toBe("done");
    expect(again.variations.map((v) => v.seed)).toEqual([1]);
    expect(again.note).toMatch(/1 of 2 results was left out/);
    expect(px(await r.host.composite(id), 200, 150)).toEqual([...seedColour(1), 255]);
  });

  test("a job resumed after a reload with one unreadable result keeps the readable one, and Re-apply places it", async () => {
    const r = smallRig();
    const id = r.host.createDocument({ title: "r.psd", width: 640, height: 480, fill: [30, 30, 30] });
    r.host.setSelection(id, { left: 200, top: 150, right: 330, bottom: 260 });
    const running = r.deps.sleep!;
    // The first session stops for good once the broker has the job (nothing cleaned up).
    const first: WorkflowDeps = { ...r.deps, sleep: (ms, signal) => (r.broker.jobs.size > 0 ? new Promise<void>(() => undefined) : running(ms, signal)) };
    const job = startJob({ kind: "fill", numVariations: 2, seeds: [11, 12] }, first, () => undefined);
    let stored: StoredRequest | undefined;
    await flushUntil(() => {
      void r.store.getJob(job.jobId).then((rec) => (stored = rec?.request as StoredRequest | undefined));
      return !!stored?.remote;
    });
    expect(stored?.remote).toBeDefined();
    garble(r, [1]);
    const [resumed] = await resumeJobs(r.deps, () => undefined);
    const kept = await resumed.done;
    expect(kept.error?.category).toBe("document");
    expect(kept.phase).toBe("kept");
    const placed = await reapplyKept(job.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(placed.variations.map((v) => v.seed)).toEqual([11]);
    expect(placed.note).toMatch(/1 of 2 results was left out/);
    expect(px(await r.host.composite(id), 265, 205)).toEqual([...seedColour(11), 255]);
  });
});
