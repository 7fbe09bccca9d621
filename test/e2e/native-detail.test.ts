// A Native-detail fill in the playground, against the broker in Firefly mode pointed at the in-repo
// fake Firefly: on a 4096×4096 document the fill comes back at half size, its placed part is upscaled
// ×2, and the placed pixels carry the fake upscale's one-pixel ±12 checkerboard at 1:1 (resampling
// the fill instead would have given flat colour). Outside pixels never change; one history step.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, setVariations, waitForJob } from "./support/playground";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";

jest.setTimeout(300000);

const COLOUR = [40, 120, 200];
const pg = usePlaygroundSession({ firefly: plainOutputFirefly(COLOUR[0], COLOUR[1], COLOUR[2]) });

const SIDE = 4096;
const SEL = { left: 300, top: 300, right: 3796, bottom: 3796 };

test("a Native-detail fill places the upscaled result at 1:1", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await pg.page.evaluate(
    ([side, sel]) => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      const id = h.createDocument({ title: "big.psd", width: side, height: side, backgroundColor: [128, 128, 128] });
      h.setSelection(id, sel);
    },
    [SIDE, SEL] as const,
  );
  await panel.getByTestId("selection-info").getByText("Selection: 3496 × 3496 px at (300, 300)").waitFor();
  await keepComposite(pg.page, "before");

  await setVariations(panel, "fill", 1);
  await panel.getByTestId("fill-detail").click();
  await panel.getByRole("option", { name: "Native detail" }).click();
  await panel.getByTestId("run-fill-note").getByText("Native detail: 1 fill + 1 upscale = 2 requests.").waitFor();
  await panel.getByTestId("run-fill").click();

  const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
  expect(job.error).toBeUndefined();
  expect(job.phase).toBe("done");
  expect(job.detail).toBe("Native detail: upscaled ×2. Generated at native size.");
  await panel.getByTestId("job-detail").getByText("Native detail: upscaled ×2. Generated at native size.").waitFor();
  const submits = pg.ff.calls.filter((c) => c.route === "submit");
  expect(submits.map((c) => c.endpoint)).toEqual(["fill", "upscale"]);
  expect(submits[1].body).toMatchObject({ upscaleFactor: 2 });

  const doc = await activeDoc(pg.page);
  expect(doc.history).toEqual(["Open", "Infill: Fill"]);
  // The layer covers the selection and its band; nothing outside that changed.
  const band = 32;
  const diff = await compareWithKept(pg.page, "before", { left: SEL.left - band, top: SEL.top - band, right: SEL.right + band, bottom: SEL.bottom + band });
  expect(diff.outside).toBe(0);
  expect(diff.inside).toBeGreaterThan(0);

  // A 24×24 patch at the centre: neighbouring pixels alternate by the pattern (2 × 12 apart before
  // tone matching, which scales each channel's contrast a little but keeps the sign and most of the
  // size); a resampled result would be flat here.
  const patch = await pg.page.evaluate(async () => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const a = await h.activeDocument();
    const img = await h.composite(a.id, { window: { left: 2000, top: 2000, right: 2024, bottom: 2024 } });
    return { width: img.width, data: Array.from(img.data as Uint8Array) };
  });
  const at = (x: number, y: number, c: number) => patch.data[(y * patch.width + x) * 4 + c];
  const sign0 = Math.sign(at(0, 0, 0) - at(1, 0, 0));
  expect(Math.abs(sign0)).toBe(1);
  const wrong: string[] = [];
  for (let y = 0; y < 24; y++)
    for (let x = 0; x < 23; x++)
      for (let c = 0; c < 3; c++) {
        const d = (at(x, y, c) - at(x + 1, y, c)) * sign0 * upscalePatternSign(x, y);
        if (d < UPSCALE_PATTERN_AMPLITUDE || d > 2 * UPSCALE_PATTERN_AMPLITUDE) wrong.push(`(${2000 + x},${2000 + y}) c${c}: ${d} outside 12..24`);
      }
  expect(wrong.slice(0, 5)).toEqual([]);
  await screenshot(pg.page, "native-detail-fill");
  expect(errors).toEqual([]);
});
