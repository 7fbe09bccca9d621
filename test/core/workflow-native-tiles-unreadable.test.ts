// A tiled Native-detail fill where the service returns a tile's result that cannot be read: as for a
// single fill, the variations whose tiles all came back readable are placed and the job says which
// were left out; when no variation is whole, the job fails as bad output and nothing is placed.

import { tileSeeds } from "../../src/plugin/workflows/tiles-plan";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";
import { px } from "../support/pixels";
import { rig, run, type Rig } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { useSmallSizes } from "./helpers/small-sizes";
import { tiledFillRig } from "./helpers/tiled-fill";

const SEEDS = [1234, 5678];
const params = { kind: "fill" as const, numVariations: 2, seeds: SEEDS, detail: "native" as const, blend: { bandPx: 4, toneMatch: false } };

const setup = tiledFillRig;

const fillJobs = (r: Rig) => [...r.broker.jobs.entries()].filter(([, j]) => j.endpoint === "fill").map(([jobId]) => jobId);
const upscaleJobs = (r: Rig) => [...r.broker.jobs.values()].filter((j) => j.endpoint === "upscale");

/** The broker serves result `index` of tile `tile`'s fill as bytes that are no image. */
function garble(r: Rig, tile: number, index: number): void {
  const download = r.broker.download.bind(r.broker);
  r.broker.download = async (url: string) => {
    const bytes = await download(url);
    const jobId = fillJobs(r)[tile];
    return jobId && url === `http://broker.test/files/${encodeURIComponent(jobId)}/${index}` ? bytes.subarray(0, 40) : bytes;
  };
}

test("one tile's result unreadable: the other variation is placed, the job says one was left out, and that result is not upscaled", async () => {
  const { r, id } = setup();
  garble(r, 1, 0);
  const { final } = await run(r, params);
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");
  expect(final.variations.map((v) => v.seed)).toEqual([SEEDS[1]]);
  expect(final.note).toBe("The service returned an image that could not be read. 1 of 2 results was left out; the other one is placed.");
  expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
  // Three upscales: the unreadable result is not sent on.
  expect(upscaleJobs(r)).toHaveLength(3);
  // The placed variation is the second one: tile 0's second result at 1:1, checkerboard and all.
  const after = await r.host.composite(id);
  const colour = seedColour(tileSeeds(SEEDS, 0)[1]);
  for (let x = 100; x < 108; x++) {
    const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x - 28, 128 - 28);
    expect(px(after, x, 128)).toEqual([...colour.map((c) => Math.max(0, Math.min(255, c + d))), 255]);
  }
}, 60_000);

test("no variation whole: the job fails as bad output with every unreadable result named, and nothing is placed", async () => {
  const { r, id } = setup();
  const before = await r.host.composite(id);
  garble(r, 0, 1);
  garble(r, 1, 0);
  const { final } = await run(r, params);
  expect(final.phase).toBe("failed");
  expect(final.error?.category).toBe("bad_output");
  expect(final.error?.message).toBe("The service returned images that could not be read. Run it again; if it happens again, tell your admin.");
  expect(final.error?.detail).toMatch(/tile 1 result 2 \(40 bytes\)/);
  expect(final.error?.detail).toMatch(/tile 2 result 1 \(40 bytes\)/);
  expect(r.host.historyNames(id)).toEqual(["Open"]);
  const after = await r.host.composite(id);
  expect(Buffer.compare(Buffer.from(before.data), Buffer.from(after.data))).toBe(0);
}, 60_000);

describe("an expansion whose far tiles see a near tile", () => {
  const expand = {
    kind: "expand" as const,
    target: { kind: "sides" as const, left: 0, top: 0, right: 192, bottom: 0 },
    numVariations: 2,
    seeds: SEEDS,
    detail: "native" as const,
    blend: { bandPx: 16, toneMatch: false },
  };
  const expandSetup = (): { r: Rig; id: number } => {
    const r = rig({});
    useSmallSizes(r, { maxUpscaleSide: 200, expandMaxSide: 100 });
    const id = r.host.createDocument({ title: "strip.psd", width: 256, height: 256, pixels: coordImage(256, 256) });
    return { r, id };
  };

  test("a near tile's result unreadable: the far tiles of that variation are not sent, and the other variation is placed as in a whole run", async () => {
    const whole = expandSetup();
    const wholeRun = await run(whole.r, expand);
    expect(wholeRun.final.phase).toBe("done");
    const wholeFills = fillJobs(whole.r).length;

    const { r, id } = expandSetup();
    garble(r, 0, 0);
    const { final } = await run(r, expand);
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(final.variations.map((v) => v.seed)).toEqual([SEEDS[1]]);
    expect(final.note).toBe("The service returned an image that could not be read. 1 of 2 results was left out; the other one is placed.");
    // Fewer fills than the whole run: a far tile that would only have continued the lost variation is not asked for.
    expect(fillJobs(r).length).toBeLessThan(wholeFills);
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    const got = r.host.layerSamples(id, final.variations[0].layerId!);
    const want = whole.r.host.layerSamples(whole.id, wholeRun.final.variations[1].layerId!);
    expect([got.left, got.top, got.width, got.height]).toEqual([want.left, want.top, want.width, want.height]);
    expect(Buffer.compare(Buffer.from(got.data.buffer), Buffer.from(want.data.buffer))).toBe(0);
  }, 60_000);
});
