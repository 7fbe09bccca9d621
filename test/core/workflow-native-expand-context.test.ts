// A tiled Native-detail expansion whose far tiles hold none of the original (a 256×256 document grown
// 192 px to the right, small Firefly sizes): they are sent after the near tiles, with the near tiles'
// results as context, so they continue the picture instead of starting from the prompt alone. A
// reload between the near and the far tiles sends the far ones from the stored results: the same
// pixels as an uninterrupted run. A far tile refused at submit fails the job and places nothing; a
// cancel while the far tiles run reaches their broker jobs.

import type { AcceptResponse, SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import type { RGBAImage } from "../../src/common/host";
import { BrokerError } from "../../src/plugin/broker-client";
import { reapplyKept, resumeJobs, startJob, type StoredRequest } from "../../src/plugin/workflows";
import { tileSeeds } from "../../src/plugin/workflows/tiles-plan";
import { UPSCALE_PATTERN_AMPLITUDE } from "../fakes/firefly/upscale";
import { px } from "../support/pixels";
import { flushUntil } from "../support/turns";
import { rig, run, type Rig } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { useSmallSizes } from "./helpers/small-sizes";

const SEED = 4321;
const params = (toneMatch: boolean) => ({
  kind: "expand" as const,
  target: { kind: "sides" as const, left: 0, top: 0, right: 192, bottom: 0 },
  numVariations: 1,
  seeds: [SEED],
  detail: "native" as const,
  blend: { bandPx: 16, toneMatch },
});

/** The document, and every fill submit after the first `pass` answered by `after` instead of the fake. */
function setup(after?: { pass: number; answer: () => Promise<AcceptResponse> }, script?: "running"[]): { r: Rig; id: number } {
  const r = rig(script ? { script } : {});
  useSmallSizes(r, { maxUpscaleSide: 200, expandMaxSide: 100 });
  if (after) {
    const submit = r.broker.submit.bind(r.broker);
    let fills = 0;
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "fill" && ++fills === after.pass + 1) return after.answer();
      return submit(endpoint, body, model);
    };
  }
  const id = r.host.createDocument({ title: "strip.psd", width: 256, height: 256, pixels: coordImage(256, 256) });
  return { r, id };
}

const fills = (r: Rig) => [...r.broker.jobs.values()].filter((j) => j.endpoint === "fill").map((j) => j.body as SubmitRequest["fill"]);
const endpoints = (r: Rig) => [...r.broker.jobs.values()].map((j) => j.endpoint);

function near(got: number[], colour: number[], by: number): boolean {
  return colour.every((c, k) => Math.abs(got[k] - c) <= by);
}

function differing(a: RGBAImage, b: RGBAImage): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

describe("far expansion tiles see the near tiles' results", () => {
  test("a far tile's source holds the near tile's result where its window overlaps it; the rest is its to generate", async () => {
    const { r, id } = setup();
    const { final } = await run(r, params(false));
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(endpoints(r)).toEqual(["fill", "fill", "upscale", "upscale", "fill", "fill", "upscale", "upscale"]);
    // The third fill is the far top tile: window [272, 448) × [0, 176) at 64×64, none of the original
    // in it; the near top tile's result covers [240, 384) of it.
    const far = fills(r)[2];
    const source = r.broker.image(far.image.source.uploadId!);
    const mask = r.broker.image(far.mask.source.uploadId!);
    const sendX = (x: number) => Math.floor(((x - 272) * 64) / 176);
    const nearColour = seedColour(tileSeeds([SEED], 0)[0]);
    // Document x = 320 (inside the near tile's result): its colour in the source, and kept (mask 0).
    expect(near(px(source, sendX(320), 14), nearColour, UPSCALE_PATTERN_AMPLITUDE + 8)).toBe(true);
    expect(px(mask, sendX(320), 14)[0]).toBe(0);
    // Document x = 420 (past every near result): generated (mask 255).
    expect(px(mask, sendX(420), 14)[0]).toBe(255);
    // Placed: the far tile's own colour there, and the near tile's colour carried across.
    const doc = await r.host.composite(id);
    expect(near(px(doc, 420, 40), seedColour(tileSeeds([SEED], 2)[0]), UPSCALE_PATTERN_AMPLITUDE + 2)).toBe(true);
    expect(near(px(doc, 320, 40), nearColour, UPSCALE_PATTERN_AMPLITUDE + 2)).toBe(true);
  }, 60_000);

  test("a reload after the near tiles: the far tiles are sent from the stored results, and the placed pixels equal an uninterrupted run", async () => {
    const whole = setup();
    const { final } = await run(whole.r, params(true));
    expect(final.phase).toBe("done");
    const expected = await whole.r.host.composite(whole.id);

    // The first session's third fill submit never answers, as a reload would leave it.
    const { r, id } = setup({ pass: 2, answer: () => new Promise<AcceptResponse>(() => undefined) });
    const job = startJob(params(true), r.deps, () => undefined);
    let stored: StoredRequest | undefined;
    const nearDone = () => stored?.tiles?.length === 2 && stored.tiles.every((t) => t.done);
    await flushUntil(() => {
      void r.store.getJob(job.jobId).then((rec) => (stored = rec?.request as StoredRequest | undefined));
      return nearDone();
    }, 20000);
    expect(nearDone()).toBe(true);
    expect(endpoints(r)).toEqual(["fill", "fill", "upscale", "upscale"]);

    const [resumed] = await resumeJobs(r.deps, () => undefined);
    const kept = await resumed.done;
    expect(kept.phase).toBe("kept");
    expect(endpoints(r)).toEqual(["fill", "fill", "upscale", "upscale", "fill", "fill", "upscale", "upscale"]);
    // The far tiles sent the same source as in the uninterrupted run.
    const sent = (x: Rig) =>
      fills(x)
        .slice(2)
        .map((f) => x.broker.uploads.get(f.image.source.uploadId!)!.bytes);
    expect(sent(r)).toEqual(sent(whole.r));
    const placed = await reapplyKept(job.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    expect(differing(await r.host.composite(id), expected)).toBe(0);
  }, 60_000);

  test("a far tile refused at submit fails the job with its category; nothing is placed", async () => {
    const { r, id } = setup({
      pass: 2,
      answer: async () => {
        throw new BrokerError("invalid_input", "Firefly could not use this input.", "422 validation_error", 422, "validation_error");
      },
    });
    const { final } = await run(r, params(false));
    expect(final.phase).toBe("failed");
    expect(final.error?.category).toBe("invalid_input");
    expect(endpoints(r)).toEqual(["fill", "fill", "upscale", "upscale"]);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
  }, 60_000);

  test("a cancel while the far tiles run cancels their broker jobs; nothing is placed", async () => {
    const { r, id } = setup(
      undefined,
      Array.from({ length: 40 }, () => "running" as const),
    );
    const job = startJob(params(false), r.deps, () => undefined);
    await flushUntil(() => fills(r).length === 4, 20000);
    expect(fills(r)).toHaveLength(4);
    job.cancel();
    const final = await job.done;
    expect(final.phase).toBe("cancelled");
    const farJobs = [...r.broker.jobs.entries()]
      .filter(([, j]) => j.endpoint === "fill")
      .slice(2)
      .map(([jobId]) => jobId);
    expect(farJobs.every((jobId) => r.broker.cancelCalls.includes(jobId))).toBe(true);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
  }, 60_000);
});
