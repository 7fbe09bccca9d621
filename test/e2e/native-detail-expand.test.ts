// A Native-detail expansion in the playground, against the broker in Firefly mode pointed at the
// in-repo fake Firefly: a 4000×1000 document grown by 3998 px on the right goes out at half size, its
// new strip is upscaled ×2, and the strip's pixels carry the fake upscale's one-pixel ±12
// checkerboard at 1:1 (resampling the expansion instead would have given flat colour). The original's
// pixels never change; one history step.

import sharp from "sharp";
import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, setVariations, waitForJob } from "./support/playground";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";

jest.setTimeout(300000);

// The fake answers every expansion with this image: the size asked for (3999×500), one colour.
const pg = usePlaygroundSession({
  firefly: async () => ({
    outputImage: await sharp({ create: { width: 3999, height: 500, channels: 3, background: { r: 40, g: 120, b: 200 } } })
      .png()
      .toBuffer(),
    pollsToFinish: 2,
  }),
});

test("a Native-detail expansion places its upscaled strip at 1:1 and leaves the original untouched", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await pg.page.evaluate(() => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    h.createDocument({ title: "wide.psd", width: 4000, height: 1000, backgroundColor: [128, 128, 128] });
  });
  await keepComposite(pg.page, "before");

  await panel.getByRole("tab", { name: "Expand" }).click();
  await panel.getByRole("radio", { name: "Per side" }).click();
  const right = panel.getByTestId("expand-tab").getByRole("textbox", { name: "Right" });
  await right.fill("3998");
  await right.press("Tab");
  await panel.getByTestId("expand-canvas").getByText("New canvas: 7998 × 1000 px").waitFor();
  await setVariations(panel, "expand", 1);
  await panel.getByTestId("expand-detail").click();
  await panel.getByRole("option", { name: "Native detail" }).click();
  await panel.getByTestId("run-expand-note").getByText("Native detail: 1 expansion + 1 upscale = 2 requests.").waitFor();
  await panel.getByTestId("run-expand").click();

  const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
  expect(job.error).toBeUndefined();
  expect(job.phase).toBe("done");
  expect(job.detail).toBe("Native detail: upscaled ×2. Generated at native size.");
  const submits = pg.ff.calls.filter((c) => c.route === "submit");
  expect(submits.map((c) => c.endpoint)).toEqual(["expand", "upscale"]);
  expect(submits[1].body).toMatchObject({ upscaleFactor: 2 });

  const doc = await activeDoc(pg.page);
  expect([doc.width, doc.height]).toEqual([7998, 1000]);
  expect(doc.history).toEqual(["Open", "Infill: Expand"]);
  // Every original pixel is exactly as it was.
  const diff = await compareWithKept(pg.page, "before", null);
  expect(diff.compared).toBe(4000 * 1000);
  expect(diff.outside).toBe(0);

  // A 24×24 patch in the strip: neighbouring pixels alternate by the pattern (2 × 12 apart before
  // tone matching, which scales each channel's contrast a little but keeps the sign and most of the
  // size); a resampled strip would be flat here.
  const patch = await pg.page.evaluate(async () => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const a = await h.activeDocument();
    const img = await h.composite(a.id, { window: { left: 6000, top: 500, right: 6024, bottom: 524 } });
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
        if (d < UPSCALE_PATTERN_AMPLITUDE || d > 2 * UPSCALE_PATTERN_AMPLITUDE) wrong.push(`(${6000 + x},${500 + y}) c${c}: ${d} outside 12..24`);
      }
  expect(wrong.slice(0, 5)).toEqual([]);
  await screenshot(pg.page, "native-detail-expand");
  expect(errors).toEqual([]);
});
