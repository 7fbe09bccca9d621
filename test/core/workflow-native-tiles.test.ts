// A tiled Native-detail fill, on a small document with small Firefly sizes (64×64, upscale output at
// most 300 px) so one fill cannot reach native size: the planner's two overlapping tiles, each its
// own fill and ×4 upscale, placed at 1:1 and blended across the overlap; cancel, reload and a failed
// tile.

import type { JobStatusResponse, SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import type { RGBAImage } from "../../src/common/host";
import { decodeImage } from "../../src/common/imaging/codecs";
import { reapplyKept, resumeJobs, startJob, type StoredRequest, type WorkflowDeps } from "../../src/plugin/workflows";
import { tileSeeds } from "../../src/plugin/workflows/tiles-plan";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";
import { flushUntil } from "../support/turns";
import { px, samePixel } from "../support/pixels";
import { run, type Rig } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { H, SEL, tiledFillRig, W } from "./helpers/tiled-fill";

const BAND = 4;
const SEEDS = [1234, 5678];
// The plan (see the planner's tile tests): tiles x ∈ [32, 240) and [208, 416), each in a 256×256
// window sent at 64×64 and upscaled ×4 over its part plus the band; the upscaled crops start at
// (28, 28) and (204, 28).
const TILES = [
  { left: 32, right: 240, crop: { left: 28, top: 28 } },
  { left: 208, right: 416, crop: { left: 204, top: 28 } },
];
const params = (toneMatch = false) => ({
  kind: "fill" as const,
  numVariations: 2,
  seeds: SEEDS,
  detail: "native" as const,
  blend: { bandPx: BAND, toneMatch },
});

const setup = tiledFillRig;

const jobsOf = (r: Rig, endpoint: SubmitEndpoint) => [...r.broker.jobs.entries()].filter(([, j]) => j.endpoint === endpoint);
const seedsOf = (body: unknown) => (body as { seeds: number[] }).seeds;

/** What the fake's upscale returned for `seed` (one per tile and variation). */
function upscaled(r: Rig, seed: number): RGBAImage {
  const [jobId] = jobsOf(r, "upscale").find(([, j]) => seedsOf(j.body)[0] === seed)!;
  return decodeImage(r.broker.files.get(`http://broker.test/files/${encodeURIComponent(jobId)}/0`)!);
}

/** The tiles' upscaled outputs placed at 1:1 and blended with linear weights across the overlap [208, 240). */
function expectedAt(ups: RGBAImage[], x: number, y: number): number[] {
  const c = x + 0.5;
  const w = [Math.max(0, Math.min(1, (240 - c) / 32)), Math.max(0, Math.min(1, (c - 208) / 32))];
  const out = [0, 0, 0];
  let sum = 0;
  TILES.forEach((t, i) => {
    if (w[i] === 0) return;
    const v = px(ups[i], x - t.crop.left, y - t.crop.top);
    for (let k = 0; k < 3; k++) out[k] += w[i] * v[k];
    sum += w[i];
  });
  return [...out.map((v) => Math.round(v / sum)), 255];
}

function changedOutsideSelection(before: RGBAImage, after: RGBAImage): number {
  let n = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (x >= SEL.left && x < SEL.right && y >= SEL.top && y < SEL.bottom) continue;
      if (!samePixel(before, x, y, after)) n++;
    }
  return n;
}

function differing(a: RGBAImage, b: RGBAImage): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

/**
 * Starts the job in a first session that is gone (its waits and broker calls never return) from the
 * moment its stored record satisfies `until`, as a panel reload leaves it; answers the job id and that record.
 */
async function interruptedSession(r: Rig, toneMatch: boolean, until: (s: StoredRequest) => boolean): Promise<{ jobId: string; stored: StoredRequest }> {
  let stop = false;
  const hang = () => new Promise<never>(() => undefined);
  const broker = new Proxy(r.broker, {
    get: (target, key) => {
      const v = Reflect.get(target, key) as unknown;
      return typeof v === "function" ? (...a: unknown[]) => (stop ? hang() : (v as (...b: unknown[]) => unknown).apply(target, a)) : v;
    },
  });
  const running = r.deps.sleep!;
  const first: WorkflowDeps = { ...r.deps, broker, sleep: (ms, signal) => (stop ? hang() : running(ms, signal)) };
  const job = startJob(params(toneMatch), first, () => undefined);
  let stored: StoredRequest | undefined;
  await flushUntil(() => {
    void r.store.getJob(job.jobId).then((rec) => (stored = rec?.request as StoredRequest | undefined));
    stop = !!stored && until(stored);
    return stop;
  }, 20000);
  expect(stop).toBe(true);
  return { jobId: job.jobId, stored: stored! };
}

describe("a tiled Native-detail fill", () => {
  test("two tiles, each upscaled ×4, placed at 1:1 and blended across the overlap; outside untouched, one history step", async () => {
    const { r, id } = setup();
    const before = await r.host.composite(id);
    const { final, states } = await run(r, params());
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
    expect(states.find((s) => s.detail)?.detail).toBe("Native detail: 2 tile fills + 4 upscales = 6 requests. Generated at native size.");
    // Each tile is its own fill at the small size with its own seeds, then one ×4 upscale per variation.
    const fills = jobsOf(r, "fill").map(([, j]) => j.body as SubmitRequest["fill"]);
    expect(fills.map((b) => [b.size, b.seeds])).toEqual([
      [{ width: 64, height: 64 }, tileSeeds(SEEDS, 0)],
      [{ width: 64, height: 64 }, tileSeeds(SEEDS, 1)],
    ]);
    expect(tileSeeds(SEEDS, 0)).toEqual(SEEDS);
    expect(new Set([...tileSeeds(SEEDS, 0), ...tileSeeds(SEEDS, 1)]).size).toBe(4);
    const ups = jobsOf(r, "upscale").map(([, j]) => j.body as SubmitRequest["upscale"]);
    expect(ups.map((b) => b.upscaleFactor)).toEqual([4, 4, 4, 4]);
    // The first variation (the visible layer): every pixel well inside the selection is the tiles'
    // upscaled outputs at 1:1, blended across the overlap.
    const after = await r.host.composite(id);
    const tileUps = [upscaled(r, tileSeeds(SEEDS, 0)[0]), upscaled(r, tileSeeds(SEEDS, 1)[0])];
    const wrong: string[] = [];
    for (let y = 40; y < 216; y++)
      for (let x = 40; x < 408; x++) {
        const want = expectedAt(tileUps, x, y).join();
        if (px(after, x, y).join() !== want) wrong.push(`(${x},${y}) ${px(after, x, y)} ≠ ${want}`);
      }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Inside each tile, away from the overlap: the generated colour with the upscale's one-pixel checkerboard.
    TILES.forEach((t, i) => {
      const colour = seedColour(tileSeeds(SEEDS, i)[0]);
      const x0 = i === 0 ? 100 : 300;
      for (let x = x0; x < x0 + 8; x++) {
        const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x - t.crop.left, 128 - t.crop.top);
        expect(px(after, x, 128)).toEqual([...colour.map((c) => Math.max(0, Math.min(255, c + d))), 255]);
      }
    });
    // In the overlap both tiles count: the blend differs from either tile alone.
    const alone = (i: number) => px(tileUps[i], 224 - TILES[i].crop.left, 128 - TILES[i].crop.top).join();
    expect([alone(0), alone(1)]).not.toContain(px(after, 224, 128).join());
    expect(changedOutsideSelection(before, after)).toBe(0);
    // The second variation's layer holds tile results 2 blended.
    const layerId = final.variations[1].layerId!;
    const layer = r.host.layerSamples(id, layerId);
    const ups2 = [upscaled(r, tileSeeds(SEEDS, 0)[1]), upscaled(r, tileSeeds(SEEDS, 1)[1])];
    const at = (x: number, y: number) => {
      const p = ((y - layer.top) * layer.width + (x - layer.left)) * 4;
      return [layer.data[p], layer.data[p + 1], layer.data[p + 2]];
    };
    for (const x of [100, 224, 300]) expect(at(x, 128)).toEqual(expectedAt(ups2, x, 128).slice(0, 3));
  }, 60_000);

  test("cancel while the tiles run cancels every tile's broker job and upscale not yet ended; nothing is placed", async () => {
    const { r, id } = setup();
    const before = await r.host.composite(id);
    const job = startJob(params(), r.deps, () => undefined);
    await flushUntil(() => jobsOf(r, "upscale").length >= 1, 5000);
    expect(jobsOf(r, "upscale").length).toBeGreaterThanOrEqual(1);
    const running = [...r.broker.jobs.entries()].filter(([, j]) => j.outputs.length === 0).map(([jobId]) => jobId);
    expect(running.length).toBeGreaterThanOrEqual(2);
    job.cancel();
    const final = await job.done;
    expect(final.phase).toBe("cancelled");
    expect([...r.broker.cancelCalls].sort()).toEqual(expect.arrayContaining(running.sort()));
    expect(r.host.historyNames(id)).toEqual(["Open"]);
    expect(differing(before, await r.host.composite(id))).toBe(0);
  }, 60_000);

  test("a reload while one tile is still running: the next session finishes it and Re-apply places the same pixels", async () => {
    const uninterrupted = setup();
    const { final } = await run(uninterrupted.r, params(true));
    expect(final.phase).toBe("done");
    const expected = await uninterrupted.r.host.composite(uninterrupted.id);

    const { r, id } = setup();
    // The second tile's fill keeps running until the first session is gone.
    const status = r.broker.status.bind(r.broker);
    let reloaded = false;
    r.broker.status = async (jobId: string) => {
      if (!reloaded && jobId === jobsOf(r, "fill")[1]?.[0]) return { job: { jobId, status: "running" as JobStatusResponse["status"], progress: 10 } };
      return status(jobId);
    };
    const { jobId, stored } = await interruptedSession(r, true, (st) => !!st.tiles?.[0]?.done);
    expect(stored.tiles?.map((t) => !!t.done)).toEqual([true, false]);
    reloaded = true;

    const [resumed] = await resumeJobs(r.deps, () => undefined);
    const kept = await resumed.done;
    expect(kept.error?.category).toBe("document");
    expect(kept.phase).toBe("kept");
    // Tile 1 was not asked again: two fills and four upscales in all.
    expect(jobsOf(r, "fill")).toHaveLength(2);
    expect(jobsOf(r, "upscale")).toHaveLength(4);
    const placed = await reapplyKept(jobId, r.deps, () => undefined);
    expect(placed.error).toBeUndefined();
    expect(placed.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
    expect(differing(await r.host.composite(id), expected)).toBe(0);
  }, 60_000);

  test("a failed tile fails the job with its category: the other tile is cancelled and nothing is placed", async () => {
    const { r, id } = setup();
    const before = await r.host.composite(id);
    const status = r.broker.status.bind(r.broker);
    r.broker.status = async (jobId: string) => {
      if (jobId === jobsOf(r, "fill")[1]?.[0]) return { job: { jobId, status: "failed" as JobStatusResponse["status"], error_code: "input_image_unsafe" } };
      return status(jobId);
    };
    const { final } = await run(r, params());
    expect(final.phase).toBe("failed");
    expect(final.error?.category).toBe("content_policy");
    expect(jobsOf(r, "upscale")).toHaveLength(0);
    expect(r.broker.cancelCalls).toContain(jobsOf(r, "fill")[0][0]);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
    expect(differing(before, await r.host.composite(id))).toBe(0);
  }, 60_000);

  test("kept because the canvas changed size: Re-apply places the blend, with no new request, the same pixels as placing at once", async () => {
    const uninterrupted = setup();
    await run(uninterrupted.r, params(true));
    const expected = await uninterrupted.r.host.composite(uninterrupted.id);

    const { r, id } = setup();
    const submit = r.broker.submit.bind(r.broker);
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "upscale" && jobsOf(r, "upscale").length === 3) r.host.resizeCanvasByHand(id, W + 10, H);
      return submit(endpoint, body, model);
    };
    const { final } = await run(r, params(true));
    expect(final.phase).toBe("kept");
    const requests = r.broker.jobs.size;
    expect(requests).toBe(6);
    expect(r.host.undo(id)).toBe(true);
    const placed = await reapplyKept(final.jobId, r.deps, () => undefined);
    expect(placed.error).toBeUndefined();
    expect(placed.phase).toBe("done");
    expect(r.broker.jobs.size).toBe(requests);
    expect(differing(await r.host.composite(id), expected)).toBe(0);
  }, 60_000);

  test("a reload while a tile's upscale runs: the next session cancels that upscale, asks again and places the same pixels", async () => {
    const uninterrupted = setup();
    await run(uninterrupted.r, params(true));
    const expected = await uninterrupted.r.host.composite(uninterrupted.id);

    const { r, id } = setup();
    const { jobId, stored } = await interruptedSession(r, true, (st) => !!st.tiles?.some((t) => t.upscaleJobIds?.length));
    const orphans = stored.tiles!.flatMap((t) => t.upscaleJobIds ?? []);
    expect(orphans.length).toBeGreaterThan(0);
    for (const o of orphans) expect(r.broker.jobs.get(o)?.endpoint).toBe("upscale");

    const [resumed] = await resumeJobs(r.deps, () => undefined);
    expect((await resumed.done).phase).toBe("kept");
    expect(r.broker.cancelCalls).toEqual(expect.arrayContaining(orphans));
    const placed = await reapplyKept(jobId, r.deps, () => undefined);
    expect(placed.error).toBeUndefined();
    expect(placed.phase).toBe("done");
    expect(differing(await r.host.composite(id), expected)).toBe(0);
  }, 60_000);
});
