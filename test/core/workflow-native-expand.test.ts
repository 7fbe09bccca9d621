// Native detail for Expand: the new strip is upscaled like a fill's window and placed at 1:1; the
// original's pixels never change; an expansion one upscale cannot bring to native size runs at
// Standard detail and says so.

import type { RGBAImage } from "../../src/common/host";
import type { SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import type { ExpandParams } from "../../src/common/jobs";
import { reapplyKept } from "../../src/plugin/workflows";
import { px } from "../support/pixels";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";
import { rig, run, type Rig } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { useSmallSizes } from "./helpers/small-sizes";

// With small Firefly sizes (expand output at most 399 px), a 400×100 document grown by 398 px on the
// right: the 798 px canvas goes out at 399 px (half size), so the new strip's crop (199×50) is
// upscaled ×2 to exactly the strip's 398×100. The last case runs at Firefly's own sizes, as its
// message names them.
const SMALL = { maxUpscaleSide: 400, expandMaxSide: 399 };
const DOC = { title: "wide.psd", width: 400, height: 100 };
const GROWN = 398;
const GREY = [60, 60, 60] as const;
const SEED = 4321;
const expandBy = (sides: { left: number; right: number }, detail: "standard" | "native"): ExpandParams => ({
  kind: "expand",
  numVariations: 1,
  seeds: [SEED],
  detail,
  target: { kind: "sides", left: sides.left, top: 0, right: sides.right, bottom: 0 },
  blend: { bandPx: 16, toneMatch: false },
});

const endpoints = (r: Rig) => [...r.broker.jobs.values()].map((j) => j.endpoint);

async function expandOnce(sides: { left: number; right: number }, detail: "standard" | "native", small = true) {
  const r = rig();
  if (small) useSmallSizes(r, SMALL);
  const doc = small ? DOC : { title: "wide.psd", width: 4000, height: 1000 };
  const id = r.host.createDocument({ ...doc, fill: [...GREY] });
  const { final } = await run(r, expandBy(sides, detail));
  return { r, id, final };
}

/** Pixels of the original's area (`width`×`height`, now at `left`) that are not the original grey. */
async function originalChanged(r: Rig, id: number, left: number, width = DOC.width, height = DOC.height): Promise<number> {
  const img = await r.host.composite(id, { window: { left, top: 0, right: left + width, bottom: height } });
  let n = 0;
  for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 4] !== GREY[0] || img.data[i * 4 + 1] !== GREY[1] || img.data[i * 4 + 2] !== GREY[2]) n++;
  return n;
}

/** Pixels of a 16×16 patch in the middle of the strip that are not the generated colour with the upscale's checkerboard, counted from the strip's corner. */
function patternMisses(doc: RGBAImage): string[] {
  const colour = seedColour(SEED);
  const wrong: string[] = [];
  const x0 = DOC.width + GROWN / 2;
  const y0 = DOC.height / 2;
  for (let y = y0; y < y0 + 16; y++)
    for (let x = x0; x < x0 + 16; x++) {
      const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x - DOC.width, y);
      const want = [...colour.map((c) => Math.max(0, Math.min(255, c + d))), 255].join();
      if (px(doc, x, y).join() !== want) wrong.push(`(${x},${y}) ${px(doc, x, y)} ≠ ${want}`);
    }
  return wrong;
}

describe("Native detail expand", () => {
  test("the new strip is upscaled ×2 and placed at 1:1: the fine pattern survives, the original is untouched", async () => {
    const { r, id, final } = await expandOnce({ left: 0, right: GROWN }, "native");
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(final.detail).toBe("Native detail: upscaled ×2. Generated at native size.");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    expect(endpoints(r)).toEqual(["expand", "upscale"]);
    const jobs = [...r.broker.jobs.values()];
    expect(jobs[1].body).toMatchObject({ upscaleFactor: 2, seeds: [SEED] });
    const sent = r.broker.image((jobs[1].body as { image: { source: { uploadId: string } } }).image.source.uploadId);
    expect([sent.width, sent.height]).toEqual([199, 50]);
    const doc = await r.host.composite(id);
    expect([doc.width, doc.height]).toEqual([DOC.width + GROWN, DOC.height]);
    expect(patternMisses(doc).slice(0, 5)).toEqual([]);
    expect(await originalChanged(r, id, 0)).toBe(0);
  }, 120_000);

  test("kept because the document was closed: Re-apply places the upscaled strip, with no new upscale", async () => {
    const r = rig();
    useSmallSizes(r, SMALL);
    const id = r.host.createDocument({ ...DOC, fill: [...GREY] });
    const submit = r.broker.submit.bind(r.broker);
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "upscale") r.host.closeDocument(id);
      return submit(endpoint, body, model);
    };
    const { final } = await run(r, expandBy({ left: 0, right: GROWN }, "native"));
    expect(final.phase).toBe("kept");
    const again = r.host.createDocument({ ...DOC, fill: [...GREY] });
    const placed = await reapplyKept(final.jobId, r.deps, () => undefined);
    expect(placed.error).toBeUndefined();
    expect(placed.phase).toBe("done");
    expect(endpoints(r)).toEqual(["expand", "upscale"]);
    const doc = await r.host.composite(again);
    expect([doc.width, doc.height]).toEqual([DOC.width + GROWN, DOC.height]);
    expect(patternMisses(doc).slice(0, 5)).toEqual([]);
    expect(await originalChanged(r, again, 0)).toBe(0);
  }, 120_000);

  test("Standard detail places the resampled strip: no upscale, no pattern", async () => {
    const { r, id, final } = await expandOnce({ left: 0, right: GROWN }, "standard");
    expect(final.phase).toBe("done");
    expect(final.detail).toBe("Generated at 1/2 of native size.");
    expect(endpoints(r)).toEqual(["expand"]);
    const x = DOC.width + GROWN / 2;
    const doc = await r.host.composite(id, { window: { left: x, top: DOC.height / 2, right: x + 2, bottom: DOC.height / 2 + 1 } });
    expect(px(doc, 0, 0)).toEqual([...seedColour(SEED), 255]);
    expect(px(doc, 1, 0)).toEqual([...seedColour(SEED), 255]);
  }, 120_000);

  test("grown on both sides past what one upscale can render: one tile fill per new strip, none enlarged", async () => {
    const { r, id, final } = await expandOnce({ left: 2000, right: 2000 }, "native", false);
    expect(final.phase).toBe("done");
    expect(endpoints(r)).toEqual(["fill", "fill"]);
    expect(final.detail).toBe(
      "Native detail: 2 tile fills = 2 requests. Generated at 1.3× native size. No Firefly shape fits around this selection: its context (2063×1000) goes out as 2688×1536, stretched 17.9%, and the result is stretched back when placed.",
    );
    expect(await originalChanged(r, id, 2000, 4000, 1000)).toBe(0);
  }, 120_000);
});
