// A Native-detail expansion in the playground, against the broker in Firefly mode pointed at the
// in-repo fake Firefly: a 4000×1000 document grown by 3998 px on the right goes out at half size, its
// new strip is upscaled ×2, and the strip's pixels carry the fake upscale's one-pixel ±12
// checkerboard at 1:1 (resampling the expansion instead would have given flat colour). The original's
// pixels never change; one history step.

import sharp from "sharp";
import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, setVariations, waitForJob } from "./support/playground";
import { upscalePatternBreaks } from "./support/upscale-pattern";

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

  // A 24×24 patch in the strip carries the fake upscale's pattern at 1:1.
  expect(await upscalePatternBreaks(pg.page, 6000, 500)).toEqual([]);
  await screenshot(pg.page, "native-detail-expand");
  expect(errors).toEqual([]);
});
