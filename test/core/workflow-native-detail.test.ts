import type { Rect, RGBAImage } from "../../src/common/host";
import type { SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import { BrokerError } from "../../src/plugin/broker-client";
import { rig, run } from "./helpers/deps";
import { useSmallSizes } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { px } from "../support/pixels";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";

// Small Firefly sizes (64×64 fills): a 128×128 document whose selection's window is the whole
// document, sent at 64×64 (the context policy weighs request size heavily): half the native size, so
// Native detail asks for a ×2 upscale and places it at 1:1.
const W = 128;
const SEL = { left: 8, top: 8, right: 120, bottom: 120 };
/** A 32×32 patch well inside the selection. */
const PATCH = 48;
const BAND = 4;
const SEED = 1234;
const fill = (detail: "standard" | "native") => ({
  kind: "fill" as const,
  numVariations: 1,
  seeds: [SEED],
  detail,
  blend: { bandPx: BAND, toneMatch: false },
});

/** Pixels of `before` and `after` (the same window) that differ outside `inside` (window coordinates). */
function changedOutside(before: RGBAImage, after: RGBAImage, inside: Rect): number {
  let n = 0;
  for (let y = 0; y < before.height; y++)
    for (let x = 0; x < before.width; x++) {
      if (x >= inside.left && x < inside.right && y >= inside.top && y < inside.bottom) continue;
      const p = (y * before.width + x) * 4;
      for (let c = 0; c < 4; c++) if (before.data[p + c] !== after.data[p + c]) n++;
    }
  return n;
}

const clamp = (v: number) => Math.max(0, Math.min(255, v));

async function fillOnce(detail: "standard" | "native", failUpscale = false) {
  const r = rig();
  useSmallSizes(r, { maxUpscaleSide: 300 });
  r.deps.fillContext = { minContext: 64, workWeight: 10 };
  if (failUpscale) {
    const submit = r.broker.submit.bind(r.broker);
    r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
      if (endpoint === "upscale") throw new BrokerError("quota", "Your organisation's Firefly quota is used up.", "429 quota", 429);
      return submit(endpoint, body, model);
    };
  }
  const id = r.host.createDocument({ title: "big.psd", width: W, height: W, pixels: coordImage(W, W) });
  r.host.setSelection(id, SEL);
  // The layer covers the selection grown by the band: the whole document is compared.
  const frame = { left: 0, top: 0, right: W, bottom: W };
  const before = await r.host.composite(id, { window: frame });
  const { final } = await run(r, fill(detail));
  const after = await r.host.composite(id, { window: frame });
  return { r, id, final, before, after, frame };
}

describe("Native detail fill", () => {
  test("each variation is upscaled ×2 and placed at 1:1: the fine pattern survives, outside is untouched", async () => {
    const { r, id, final, before, after, frame } = await fillOnce("native");
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
    expect(final.detail).toBe("Native detail: upscaled ×2. Generated at native size.");
    // One fill, then one upscale of the result's placed part (the selection and its band, in generated pixels).
    const jobs = [...r.broker.jobs.values()];
    expect(jobs.map((j) => j.endpoint)).toEqual(["fill", "upscale"]);
    expect((jobs[0].body as { size: unknown }).size).toEqual({ width: 64, height: 64 });
    expect(jobs[1].modelVersion).toBe("precise_upsampler_v1");
    expect(jobs[1].body).toMatchObject({ upscaleFactor: 2, seeds: [SEED] });
    const sent = r.broker.image((jobs[1].body as { image: { source: { uploadId: string } } }).image.source.uploadId);
    expect([sent.width, sent.height]).toEqual([(SEL.right - SEL.left + 2 * BAND) / 2, (SEL.bottom - SEL.top + 2 * BAND) / 2]);
    // Inside: the generated colour with the upscale's one-pixel ±12 checkerboard, counted from the
    // upscaled crop's corner (the selection less the band), over a 32×32 patch well inside.
    const colour = seedColour(SEED);
    const x0 = SEL.left - BAND;
    const y0 = SEL.top - BAND;
    const wrong: string[] = [];
    for (let y = PATCH; y < PATCH + 32; y++)
      for (let x = PATCH; x < PATCH + 32; x++) {
        const docX = frame.left + x;
        const docY = frame.top + y;
        const d = UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(docX - x0, docY - y0);
        const want = [...colour.map((c) => clamp(c + d)), 255];
        const got = px(after, x, y);
        if (got.join() !== want.join()) wrong.push(`(${docX},${docY}) ${got} ≠ ${want}`);
      }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Outside the selection and its band nothing changed.
    const layer = { left: SEL.left - BAND, top: SEL.top - BAND, right: SEL.right + BAND, bottom: SEL.bottom + BAND };
    expect(changedOutside(before, after, layer)).toBe(0);
  }, 300_000);

  test("Standard detail places the resampled result: no upscale, no pattern", async () => {
    const { r, final, after } = await fillOnce("standard");
    expect(final.phase).toBe("done");
    expect([...r.broker.jobs.values()].map((j) => j.endpoint)).toEqual(["fill"]);
    expect(final.detail).toBe("Generated at 1/2 of native size.");
    expect(px(after, PATCH, PATCH)).toEqual([...seedColour(SEED), 255]);
    expect(px(after, PATCH + 1, PATCH)).toEqual([...seedColour(SEED), 255]);
  }, 300_000);

  test("a failed upscale keeps the fill's result: placed at Standard detail, and the job says why", async () => {
    const { r, id, final, after } = await fillOnce("native", true);
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
    expect([...r.broker.jobs.values()].map((j) => j.endpoint)).toEqual(["fill"]);
    expect(final.detail).toBe(
      "Generated at 1/2 of native size. Native detail failed (Your organisation's Firefly quota is used up.), so the result is placed at Standard detail.",
    );
    expect(px(after, PATCH, PATCH)).toEqual([...seedColour(SEED), 255]);
  }, 300_000);
});
