// Native detail survives keeping: results kept instead of placed (a resized canvas) and jobs taken up
// after a panel reload are kept upscaled, so Re-apply places them at native detail, the same pixels as
// an uninterrupted run, without asking for the upscales again.

import type { RGBAImage } from "../../src/common/host";
import type { SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import { BrokerError } from "../../src/plugin/broker-client";
import { reapplyKept, resumeJobs, startJob, type StoredRequest, type WorkflowDeps } from "../../src/plugin/workflows";
import { flushUntil } from "../support/turns";
import { firstDifference, px } from "../support/pixels";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";
import { rig, run, type Rig } from "./helpers/deps";
import { useSmallSizes } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";

// Small Firefly sizes (64×64 fills): a 128×128 document whose selection's window is the whole
// document, sent at 64×64 (the context policy weighs request size heavily): half the native size, so
// Native detail upscales ×2 and the upscaled crop starts at the selection less the band, on even
// coordinates. Firefly's own sizes change only the scale, not what is kept or resumed.
const W = 128;
const SEL = { left: 8, top: 8, right: 120, bottom: 120 };
/** A 16×16 patch well inside the selection. */
const PATCH = 56;
const BAND = 4;
const SEED = 77;
const params = { kind: "fill" as const, numVariations: 1, seeds: [SEED], detail: "native" as const, blend: { bandPx: BAND, toneMatch: false } };

function setup(): { r: Rig; id: number } {
  const r = rig();
  useSmallSizes(r, { maxUpscaleSide: 300 });
  r.deps.fillContext = { minContext: 64, workWeight: 10 };
  const id = r.host.createDocument({ title: "kept.psd", width: W, height: W, fill: [90, 90, 90] });
  r.host.setSelection(id, SEL);
  return { r, id };
}

const endpoints = (r: Rig) => [...r.broker.jobs.values()].map((j) => j.endpoint);

/** The composite of an uninterrupted Native-detail run on the same document. */
async function uninterrupted(): Promise<RGBAImage> {
  const { r, id } = setup();
  const { final } = await run(r, params);
  expect(final.phase).toBe("done");
  expect(final.detail).toBe("Native detail: upscaled ×2. Generated at native size.");
  return r.host.composite(id);
}

/** Pixels of a 16×16 patch inside the selection that are not the generated colour with the upscale's checkerboard. */
function patternMisses(img: RGBAImage): string[] {
  const colour = seedColour(SEED);
  const wrong: string[] = [];
  for (let y = PATCH; y < PATCH + 16; y++)
    for (let x = PATCH; x < PATCH + 16; x++) {
      const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x - (SEL.left - BAND), y - (SEL.top - BAND));
      const want = [...colour.map((c) => Math.max(0, Math.min(255, c + d))), 255].join();
      if (px(img, x, y).join() !== want) wrong.push(`(${x},${y}) ${px(img, x, y)} ≠ ${want}`);
    }
  return wrong;
}

/** The first session stops for good once `stop` holds (nothing cleaned up), as a reload would leave it. */
async function interrupted(r: Rig, stop: () => boolean, ready: (s: StoredRequest) => boolean): Promise<string> {
  const running = r.deps.sleep!;
  const first: WorkflowDeps = { ...r.deps, sleep: (ms, signal) => (stop() ? new Promise<void>(() => undefined) : running(ms, signal)) };
  const job = startJob(params, first, () => undefined);
  let stored: StoredRequest | undefined;
  await flushUntil(() => {
    void r.store.getJob(job.jobId).then((rec) => (stored = rec?.request as StoredRequest | undefined));
    return !!stored && ready(stored);
  }, 20000);
  expect(stored && ready(stored)).toBe(true);
  return job.jobId;
}

async function resumeAndReapply(r: Rig, id: number, jobId: string): Promise<RGBAImage> {
  const [resumed] = await resumeJobs(r.deps, () => undefined);
  const kept = await resumed.done;
  expect(kept.phase).toBe("kept");
  expect(kept.error?.category).toBe("document");
  const placed = await reapplyKept(jobId, r.deps, () => undefined);
  expect(placed.error).toBeUndefined();
  expect(placed.phase).toBe("done");
  expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
  return r.host.composite(id);
}

describe("a Native-detail fill kept or resumed is placed at native detail", () => {
  let expected: RGBAImage;
  beforeAll(async () => {
    expected = await uninterrupted();
    expect(patternMisses(expected)).toEqual([]);
  }, 120_000);

  test("kept because the canvas changed size: Re-apply places the upscaled results, with no new upscale", async () => {
    const { r, id } = setup();
    const submit = r.broker.submit.bind(r.broker);
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "upscale") r.host.resizeCanvasByHand(id, W + 10, W);
      return submit(endpoint, body, model);
    };
    const { final } = await run(r, params);
    expect(final.phase).toBe("kept");
    expect(endpoints(r)).toEqual(["fill", "upscale"]);
    r.host.undo(id);
    const placed = await reapplyKept(final.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(endpoints(r)).toEqual(["fill", "upscale"]);
    const after = await r.host.composite(id);
    expect(patternMisses(after).slice(0, 3)).toEqual([]);
    expect(firstDifference(after.data, expected.data)).toBe("");
  }, 120_000);

  test("reloaded while the fill ran: the resumed job runs the upscale before keeping the results", async () => {
    const { r, id } = setup();
    const jobId = await interrupted(
      r,
      () => r.broker.jobs.size > 0,
      (s) => !!s.remote,
    );
    expect(endpoints(r)).toEqual(["fill"]);
    const after = await resumeAndReapply(r, id, jobId);
    expect(endpoints(r)).toEqual(["fill", "upscale"]);
    expect(patternMisses(after).slice(0, 3)).toEqual([]);
    expect(firstDifference(after.data, expected.data)).toBe("");
  }, 120_000);

  test("reloaded while the upscale ran: the resumed job upscales the stored results again", async () => {
    const { r, id } = setup();
    const jobId = await interrupted(
      r,
      () => endpoints(r).includes("upscale"),
      () => endpoints(r).includes("upscale"),
    );
    const after = await resumeAndReapply(r, id, jobId);
    expect(endpoints(r)).toEqual(["fill", "upscale", "upscale"]);
    expect(firstDifference(after.data, expected.data)).toBe("");
  }, 120_000);

  test("a resumed job whose upscale fails keeps the fill's results and says they are at Standard detail", async () => {
    const { r, id } = setup();
    const jobId = await interrupted(
      r,
      () => r.broker.jobs.size > 0,
      (s) => !!s.remote,
    );
    const submit = r.broker.submit.bind(r.broker);
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "upscale") throw new BrokerError("quota", "Your organisation's Firefly quota is used up.", "429 quota", 429);
      return submit(endpoint, body, model);
    };
    const [resumed] = await resumeJobs(r.deps, () => undefined);
    const kept = await resumed.done;
    expect(kept.phase).toBe("kept");
    expect(kept.detail).toBe(
      "Generated at 1/2 of native size. Native detail failed (Your organisation's Firefly quota is used up.), so the result is placed at Standard detail.",
    );
    const placed = await reapplyKept(jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    const after = await r.host.composite(id);
    expect(px(after, PATCH, PATCH)).toEqual([...seedColour(SEED), 255]);
    expect(px(after, PATCH + 1, PATCH)).toEqual([...seedColour(SEED), 255]);
  }, 120_000);
});
