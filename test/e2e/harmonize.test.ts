// Harmonize in the playground against the broker in Firefly mode pointed at the in-repo fake Firefly:
// an object layer added on a sample (a label layer over part of it), two adaptive variations placed
// in a group directly above the object and under the label, masked, the object hidden, nothing outside the result's area changed, one history step, and undo restoring it all; and a
// running Harmonize cancelled, leaving the document as it was.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import type { FrameLocator, Page } from "playwright-core";
import { activeDoc, compareWithKept, keepComposite, openPlayground, openSample, waitForJob, waitForPanelJob } from "./support/playground";

jest.setTimeout(300000);

const OBJ = { left: 300, top: 180, width: 140, height: 100 };

/** The artist pastes a cut-out object: a red ellipse on its own transparent layer. Returns its layer id. */
function addObject(page: Page): Promise<number> {
  return page.evaluate((o) => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const data = new Uint8Array(o.width * o.height * 4);
    for (let y = 0; y < o.height; y++)
      for (let x = 0; x < o.width; x++) {
        const nx = (x + 0.5) / o.width - 0.5;
        const ny = (y + 0.5) / o.height - 0.5;
        if (nx * nx + ny * ny <= 0.25) data.set([220, 30, 30, 255], (y * o.width + x) * 4);
      }
    return h.activeDocument().then((a: { id: number }) => h.addLayer(a.id, "Red ball", { width: o.width, height: o.height, data }, o.left, o.top));
  }, OBJ);
}

/** A white label the artist put over part of the object, on its own layer above it. */
const LABEL = { left: OBJ.left + 60, top: OBJ.top + 40, width: 20, height: 20 };
function addLabel(page: Page): Promise<number> {
  return page.evaluate((o) => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const data = new Uint8Array(o.width * o.height * 4).fill(255);
    return h.activeDocument().then((a: { id: number }) => h.addLayer(a.id, "Label", { width: o.width, height: o.height, data }, o.left, o.top));
  }, LABEL);
}

/** Opens the Harmonize tab in Firefly mode and picks the red ball as the object. */
async function pickObject(panel: FrameLocator): Promise<void> {
  await panel.getByRole("tab", { name: "Harmonize" }).click();
  await panel.getByTestId("engine-status").getByText("Firefly").waitFor({ timeout: 60000 });
  await panel.getByRole("button", { name: /Object layer/ }).click();
  await panel.getByRole("option", { name: "Red ball" }).click();
  await panel
    .getByTestId("harmonize-background")
    .getByText(/Background: “Background”/)
    .waitFor();
}

describe("placed", () => {
  const pg = usePlaygroundSession({ firefly: () => ({ pollsToFinish: 2 }) });

  test("Harmonize places two variations of an object layer into the beach", async () => {
    const errors = collectErrors(pg.page);
    const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
    await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
    await openSample(pg.page, "beach");
    const objectId = await addObject(pg.page);
    const labelId = await addLabel(pg.page);
    const before = await activeDoc(pg.page);
    await keepComposite(pg.page, "before");

    await pickObject(panel);
    const variations = panel.getByTestId("harmonize-tab").getByRole("textbox", { name: "Variations" });
    await variations.fill("2");
    await variations.press("Tab");
    await screenshot(pg.page, "harmonize-ready");
    await panel.getByTestId("run-harmonize").click();
    const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
    expect(job.error).toBeUndefined();
    expect(job.phase).toBe("done");
    expect(job.variations).toHaveLength(2);

    const submits = pg.ff.calls.filter((c) => c.route === "submit" && c.status === 202);
    expect(submits.map((c) => c.endpoint)).toEqual(["adaptive"]);
    expect(submits[0].body).toMatchObject({ numVariations: 2, harmonization: 0.6, shadowIntensity: 0.7, preserveBackground: true });

    const after = await activeDoc(pg.page);
    const group = after.layers.find((l) => l.id === job.groupLayerId)!;
    expect(group).toMatchObject({ name: "Infill Harmonize", kind: "group", parentId: null });
    const children = after.layers.filter((l) => l.parentId === group.id);
    expect(children.map((l) => [l.kind, l.hasMask, l.visible])).toEqual([
      ["pixel", true, false],
      ["pixel", true, true],
    ]);
    expect(after.layers.find((l) => l.id === objectId)).toMatchObject({ visible: false });
    // The group sits directly above the object, under the label that was above it.
    expect(after.layers.slice(0, 5).map((l) => l.id)).toEqual([labelId, group.id, ...children.map((l) => l.id), objectId]);
    expect(after.layers.length).toBe(before.layers.length + 3);
    expect(after.history).toEqual([...before.history, "Infill: Harmonize"]);

    // Only the result's area (the footprint, its edge, the shadow's reach below) changed.
    const t = job.target!;
    expect(t).toEqual({ left: OBJ.left - 2, top: OBJ.top - 2, right: OBJ.left + OBJ.width + 2, bottom: OBJ.top + OBJ.height + Math.ceil(OBJ.height / 3) });
    const diff = await compareWithKept(pg.page, "before", t);
    expect(diff.outside).toBe(0);
    expect(diff.inside).toBeGreaterThan(1000);
    // The label still covers the results: none of its pixels changed.
    const label = { left: LABEL.left, top: LABEL.top, right: LABEL.left + LABEL.width, bottom: LABEL.top + LABEL.height };
    expect((await compareWithKept(pg.page, "before", label)).inside).toBe(0);
    await screenshot(pg.page, "harmonize-placed");

    // One undo step takes it all back.
    await pg.page.evaluate(() => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      return h.activeDocument().then((a: { id: number }) => h.undo(a.id));
    });
    const undone = await activeDoc(pg.page);
    expect(undone.layers).toEqual(before.layers);
    expect((await compareWithKept(pg.page, "before", null)).outside).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe("cancelled", () => {
  const pg = usePlaygroundSession({ firefly: () => ({ pollsToFinish: 100000 }) });

  test("cancelling a running Harmonize cancels it upstream and leaves the document as it was", async () => {
    const errors = collectErrors(pg.page);
    const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
    await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
    await openSample(pg.page, "beach");
    await addObject(pg.page);
    const before = await activeDoc(pg.page);
    await pickObject(panel);
    await panel.getByTestId("run-harmonize").click();
    const jobId = await waitForPanelJob(panel, ["running"]);
    await panel.locator(`[data-job-id="${jobId}"]`).getByTestId("job-cancel").click();
    const job = await waitForJob(pg.page, ["cancelled", "failed", "done"], { jobId });
    expect(job.phase).toBe("cancelled");
    expect(pg.ff.calls.filter((c) => c.route === "cancel").length).toBe(1);
    const after = await activeDoc(pg.page);
    expect(after.layers).toEqual(before.layers);
    expect(after.history).toEqual(before.history);
    expect(errors).toEqual([]);
  });
});
