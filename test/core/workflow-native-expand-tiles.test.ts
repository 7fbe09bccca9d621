// A tiled Native-detail expansion, on a small document with small Firefly sizes (expand output at
// most 100 px, 64×64 fills, upscale output at most 200 px): one upscale of the new strip would exceed
// the limit, so the strip is filled as the planner's overlapping tiles, upscaled, blended: those
// whose window holds part of the original with it as context, the far ones after them with their
// results as context; the original's pixels never change.

import type { SubmitRequest } from "../../src/common/firefly";
import type { RGBAImage } from "../../src/common/host";
import { tileSeeds } from "../../src/plugin/workflows/tiles-plan";
import { UPSCALE_PATTERN_AMPLITUDE } from "../fakes/firefly/upscale";
import { px, samePixel } from "../support/pixels";
import { rig, run } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { useSmallSizes } from "./helpers/small-sizes";

const SEED = 4321;
const params = {
  kind: "expand" as const,
  target: { kind: "sides" as const, left: 0, top: 0, right: 192, bottom: 0 },
  numVariations: 1,
  seeds: [SEED],
  detail: "native" as const,
  blend: { bandPx: 16, toneMatch: false },
};

function near(got: number[], colour: number[], by: number): boolean {
  return colour.every((c, k) => Math.abs(got[k] - c) <= by);
}

describe("a tiled Native-detail expansion", () => {
  test("the new strip as 4 overlapping tile fills, the near ones with the original as context, the far ones after them; each upscaled ×3; the original untouched", async () => {
    const r = rig();
    useSmallSizes(r, { maxUpscaleSide: 200, expandMaxSide: 100 });
    const original: RGBAImage = coordImage(256, 256);
    const id = r.host.createDocument({ title: "strip.psd", width: 256, height: 256, pixels: original });
    const { final } = await run(r, params);
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(final.detail).toBe("Native detail: 4 tile fills + 4 upscales = 8 requests. Generated at 1.1× native size.");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    const jobs = [...r.broker.jobs.values()];
    // The far tiles are sent once the near ones are finished (upscales included).
    expect(jobs.map((j) => j.endpoint)).toEqual(["fill", "fill", "upscale", "upscale", "fill", "fill", "upscale", "upscale"]);
    expect(jobs.filter((j) => j.endpoint === "upscale").map((j) => (j.body as SubmitRequest["upscale"]).upscaleFactor)).toEqual([3, 3, 3, 3]);
    // The first tile's window [224, 400) × [0, 176) holds 32 px of the original: its mask leaves them
    // as context and covers the new area.
    const fill0 = jobs[0].body as SubmitRequest["fill"];
    const mask = r.broker.image(fill0.mask.source.uploadId!);
    expect([mask.width, mask.height]).toEqual([64, 64]);
    expect([px(mask, 2, 30)[0], px(mask, 30, 30)[0]]).toEqual([0, 255]);
    const sent = r.broker.image(fill0.image.source.uploadId!);
    // The original where it lies in the window (red and green follow x and y; JPEG softens them a little).
    expect(near(px(sent, 2, 30).slice(0, 2), px(original, 231, 84).slice(0, 2), 10)).toBe(true);

    const doc = await r.host.composite(id);
    expect([doc.width, doc.height]).toEqual([448, 256]);
    let changed = 0;
    for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) if (!samePixel(doc, x, y, original)) changed++;
    expect(changed).toBe(0);
    // Inside each tile, away from overlaps: that tile's colour (its upscale's fine pattern on it); the
    // near tiles come first.
    const colours = [0, 1, 2, 3].map((t) => seedColour(tileSeeds([SEED], t)[0]));
    const inTile: [number, number][] = [
      [300, 40],
      [300, 220],
      [420, 40],
      [420, 220],
    ];
    inTile.forEach(([x, y], t) => expect(near(px(doc, x, y), colours[t], UPSCALE_PATTERN_AMPLITUDE + 2)).toBe(true));
    // Every new pixel is placed (opaque) and none is left blank.
    let blank = 0;
    for (let y = 0; y < 256; y++) for (let x = 256; x < 448; x++) if (px(doc, x, y)[3] !== 255) blank++;
    expect(blank).toBe(0);
  }, 60_000);

  test("grown on all four sides: every strip tiled, the side strips blended into the top and bottom ones; the original untouched", async () => {
    const r = rig();
    useSmallSizes(r, { maxUpscaleSide: 200, expandMaxSide: 60 });
    const original: RGBAImage = coordImage(160, 160);
    const id = r.host.createDocument({ title: "ring.psd", width: 160, height: 160, pixels: original });
    const { final } = await run(r, { ...params, target: { kind: "sides" as const, left: 48, top: 48, right: 48, bottom: 48 } });
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(final.detail).toMatch(/^Native detail: \d+ tile fills/);
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    const doc = await r.host.composite(id);
    expect([doc.width, doc.height]).toEqual([256, 256]);
    let changed = 0;
    let blank = 0;
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++) {
        const inOriginal = x >= 48 && x < 208 && y >= 48 && y < 208;
        if (inOriginal && !samePixel(doc, x, y, original, x - 48, y - 48)) changed++;
        if (!inOriginal && px(doc, x, y)[3] !== 255) blank++;
      }
    expect(changed).toBe(0);
    expect(blank).toBe(0);
  }, 60_000);
});
