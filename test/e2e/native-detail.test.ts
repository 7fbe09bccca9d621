// A Native-detail fill in the playground, against the broker in Firefly mode pointed at the in-repo
// fake Firefly: on a 4096×4096 document the fill comes back at half size, its placed part is upscaled
// ×2, and the placed pixels carry the fake upscale's one-pixel ±12 checkerboard at 1:1 (resampling
// the fill instead would have given flat colour). Outside pixels never change; one history step.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, setVariations, waitForJob } from "./support/playground";
import { upscalePatternBreaks } from "./support/upscale-pattern";

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

  // A 24×24 patch at the centre carries the fake upscale's pattern at 1:1.
  expect(await upscalePatternBreaks(pg.page, 2000, 2000)).toEqual([]);
  await screenshot(pg.page, "native-detail-fill");
  expect(errors).toEqual([]);
});
