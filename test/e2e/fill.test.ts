// Fill in the playground against the real broker (local engine): 1 variation, then 4 and pick the
// second. Pixels outside the selection never change; each run is one history step.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, dragSelection, openPlayground, openSample, setVariations, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession();

const SEL = { left: 300, top: 200, right: 420, bottom: 300 };

test("fill with 1 variation, then 4, and pick the second", async () => {
  const errors = collectErrors(pg.page);
  const t0 = Date.now();
  const log = (m: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s ${m}`);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await openSample(pg.page, "beach");
  await dragSelection(pg.page, SEL.left, SEL.top, SEL.right, SEL.bottom);
  await keepComposite(pg.page, "before");
  await panel.getByTestId("selection-info").getByText("Selection: 120 × 100 px at (300, 200)").waitFor();

  await setVariations(panel, "fill", 1);
  await panel.getByTestId("run-fill").click();
  log("clicked fill 1");
  const one = await waitForJob(pg.page, ["done", "failed"]);
  log(`job 1 ${one.phase}`);
  expect(one.error).toBeUndefined();
  expect(one.phase).toBe("done");
  expect(one.variations).toHaveLength(1);
  let doc = await activeDoc(pg.page);
  expect(doc.history).toEqual(["Open", expect.stringMatching(/Fill/)]);
  const diff1 = await compareWithKept(pg.page, "before", SEL);
  expect(diff1.outside).toBe(0);
  expect(diff1.inside).toBeGreaterThan(0);

  await setVariations(panel, "fill", 4);
  await panel.getByTestId("run-fill").click();
  const job4 = await waitForJob(pg.page, ["done", "failed"], { ignore: [one.jobId] });
  log(`job 4 ${job4.phase}`);
  expect(job4.phase).toBe("done");
  expect(job4.variations).toHaveLength(4);
  doc = await activeDoc(pg.page);
  expect(doc.history).toHaveLength(3);
  const card = panel.locator(`[data-job-id="${job4.jobId}"]`);
  await card.getByTestId("variation-1").click();
  await card.locator('[data-testid="variation-1"][aria-pressed="true"]').waitFor();
  doc = await activeDoc(pg.page);
  const ids = job4.variations.map((v) => v.layerId);
  const visible = doc.layers.filter((l) => ids.includes(l.id)).map((l) => [l.id, l.visible]);
  expect(visible).toEqual(
    expect.arrayContaining([
      [ids[1], true],
      [ids[0], false],
      [ids[2], false],
      [ids[3], false],
    ]),
  );
  expect(doc.layers.filter((l) => ids.includes(l.id)).every((l) => l.hasMask || doc.layers.find((g) => g.id === l.parentId)?.hasMask)).toBe(true);
  expect((await compareWithKept(pg.page, "before", SEL)).outside).toBe(0);
  await screenshot(pg.page, "fill-4-variations-pick-second");
  expect(errors).toEqual([]);
});
