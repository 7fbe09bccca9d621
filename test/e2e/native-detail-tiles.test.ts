// A tiled Native-detail fill in the playground, against the broker in Firefly mode pointed at the
// in-repo fake Firefly: on a 7000×300 document a 6800×100 selection is too long for one fill and one
// upscale (the upscale would pass 6000 px), so it runs as the planner's three overlapping tile fills,
// each at native size, blended into one layer. The hint counts the tiles before the run; outside
// pixels never change; one history step.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, setVariations, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const COLOUR = [40, 120, 200];
const pg = usePlaygroundSession({ firefly: plainOutputFirefly(COLOUR[0], COLOUR[1], COLOUR[2]) });

const SIZE = { width: 7000, height: 300 };
const SEL = { left: 100, top: 100, right: 6900, bottom: 200 };

test("a selection too long for one fill runs as three tile fills, blended into one layer", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await pg.page.evaluate(
    ([size, sel]) => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      const id = h.createDocument({ title: "long.psd", width: size.width, height: size.height, backgroundColor: [128, 128, 128] });
      h.setSelection(id, sel);
    },
    [SIZE, SEL] as const,
  );
  await panel.getByTestId("selection-info").getByText("Selection: 6800 × 100 px at (100, 100)").waitFor();
  await keepComposite(pg.page, "before");

  await setVariations(panel, "fill", 1);
  await panel.getByTestId("fill-detail").click();
  await panel.getByRole("option", { name: "Native detail" }).click();
  await panel.getByTestId("run-fill-note").getByText("Native detail: 3 tile fills = 3 requests.").waitFor();
  await panel.getByTestId("run-fill").click();

  const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
  expect(job.error).toBeUndefined();
  expect(job.phase).toBe("done");
  expect(job.detail).toMatch(/^Native detail: 3 tile fills = 3 requests\. Generated at /);
  const submits = pg.ff.calls.filter((c) => c.route === "submit");
  expect(submits.map((c) => c.endpoint)).toEqual(["fill", "fill", "fill"]);

  const doc = await activeDoc(pg.page);
  expect(doc.history).toEqual(["Open", "Infill: Fill"]);
  expect(doc.layers.filter((l) => l.kind === "group")).toHaveLength(1);
  // The layer covers the selection and its band; nothing outside that changed.
  const band = 32;
  const diff = await compareWithKept(pg.page, "before", { left: SEL.left - band, top: SEL.top - band, right: SEL.right + band, bottom: SEL.bottom + band });
  expect(diff.outside).toBe(0);
  expect(diff.inside).toBeGreaterThan(0);
  // Inside each tile and across both overlaps (about x = 2372 and 4628): one flat generated colour
  // (every tile sends the same flat output), no step at the seams, and not the grey that was there.
  const samples: number[][] = await pg.page.evaluate(
    async ([xs, y]) => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      const a = await h.activeDocument();
      const out: number[][] = [];
      for (const x of xs) {
        const img = await h.composite(a.id, { window: { left: x, top: y, right: x + 1, bottom: y + 1 } });
        out.push(Array.from(img.data as Uint8Array));
      }
      return out;
    },
    [[1000, 2372, 3500, 4628, 6000], 150] as const,
  );
  for (const p of samples) {
    for (let k = 0; k < 3; k++) expect(Math.abs(p[k] - samples[0][k])).toBeLessThanOrEqual(2);
    expect(p.slice(0, 3)).not.toEqual([128, 128, 128]);
  }
  await screenshot(pg.page, "native-detail-tiles");
  expect(errors).toEqual([]);
});
