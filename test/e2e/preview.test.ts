// The instant preview in the playground, with the broker in Firefly mode against the fake Firefly at
// one submit a minute: a fill with the switch off takes the minute's slot (no preview asked); the next
// fill waits in the queue, and its preview layer is in the document while it is still queued; the
// Firefly result replaces it in one step (history: preview, then result), undo brings the preview
// back; a fill cancelled while queued takes its preview with it. Pixels outside the selection never change.

import { collectErrors, screenshot } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import {
  activeDoc,
  compareWithKept,
  keepComposite,
  openPlayground,
  openSample,
  dragSelection,
  setVariations,
  storedJobs,
  waitForJob,
  waitForPanelJob,
} from "./support/playground";
import type { Page } from "playwright-core";

jest.setTimeout(400000);

const pg = usePlaygroundSession({ firefly: plainOutputFirefly(40, 120, 200), env: { INFILL_RATE_PER_MINUTE: "1", INFILL_PREVIEWS: "on" } });

const SEL = { left: 300, top: 300, right: 420, bottom: 400 };
const AROUND = { left: SEL.left - 32, top: SEL.top - 32, right: SEL.right + 32, bottom: SEL.bottom + 32 };
const PREVIEW = /^Preview — waiting for Firefly/;

/** Waits until the active document has a preview layer; returns its name. */
async function previewLayer(page: Page): Promise<string> {
  for (let i = 0; i < 1200; i++) {
    const name = (await activeDoc(page)).layers.map((l) => l.name).find((n) => PREVIEW.test(n));
    if (name) return name;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no preview layer appeared");
}

async function undoRedo(page: Page, what: "undo" | "redo"): Promise<void> {
  await page.evaluate(async (w) => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const a = await h.activeDocument();
    h[w](a.id);
  }, what);
}

test("the preview stands in while the job is queued, the result replaces it, cancel removes it", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await openSample(pg.page, "hills");
  await dragSelection(pg.page, SEL.left, SEL.top, SEL.right, SEL.bottom);
  await keepComposite(pg.page, "before");
  await setVariations(panel, "fill", 1);

  // The first fill, switch off, takes this minute's slot and asks for no preview.
  const toggle = panel.getByTestId("fill-instant-preview");
  await toggle.click();
  await panel.getByTestId("run-fill").click();
  const first = await waitForJob(pg.page, ["done", "failed"]);
  expect(first.phase).toBe("done");
  expect(pg.ff.calls.filter((c) => c.route === "submit")).toHaveLength(1);
  const afterFirst = await activeDoc(pg.page);
  expect(afterFirst.history).toEqual(["Open", "Infill: Fill"]);

  // The second waits for the next minute: its preview is placed while it is still queued.
  await toggle.click();
  await panel.getByTestId("run-fill").click();
  const queuedId = await waitForPanelJob(panel, ["queued"], [first.jobId]);
  const name = await previewLayer(pg.page);
  // Still waiting in the broker's queue: Firefly has seen only the first job (the panel may not have polled yet).
  expect(pg.ff.calls.filter((c) => c.route === "submit")).toHaveLength(1);
  expect(["running", "queued"]).toContain((await storedJobs(pg.page)).find((j) => j.jobId === queuedId)!.phase);
  expect((await activeDoc(pg.page)).history).toEqual(["Open", "Infill: Fill", "Infill: Preview"]);
  await panel
    .locator(`[data-job-id="${queuedId}"]`)
    .getByTestId("job-note")
    .getByText(/the prompt is used only by Firefly/)
    .waitFor();
  const withPreview = await compareWithKept(pg.page, "before", AROUND);
  expect(withPreview.outside).toBe(0);
  await screenshot(pg.page, "preview-while-queued");

  // The Firefly result replaces it in one step.
  const second = await waitForJob(pg.page, ["done", "failed", "kept"], { jobId: queuedId });
  expect(second.phase).toBe("done");
  const done = await activeDoc(pg.page);
  expect(done.history).toEqual(["Open", "Infill: Fill", "Infill: Preview", "Infill: Fill"]);
  expect(done.layers.map((l) => l.name).filter((n) => PREVIEW.test(n))).toEqual([]);
  expect((await compareWithKept(pg.page, "before", AROUND)).outside).toBe(0);
  await screenshot(pg.page, "preview-replaced");

  // Undo of the result brings the preview back; redo puts the result again.
  await undoRedo(pg.page, "undo");
  expect((await activeDoc(pg.page)).layers.map((l) => l.name)).toContain(name);
  await undoRedo(pg.page, "redo");
  expect((await activeDoc(pg.page)).history).toEqual(done.history);

  // A third fill waits for the next slot; cancelling it removes its preview.
  await panel.getByTestId("run-fill").click();
  const thirdId = await waitForPanelJob(panel, ["queued"], [first.jobId, queuedId]);
  await previewLayer(pg.page);
  expect(pg.ff.calls.filter((c) => c.route === "submit")).toHaveLength(2);
  await panel.locator(`[data-job-id="${thirdId}"]`).getByTestId("job-cancel").click();
  const cancelled = await waitForJob(pg.page, ["cancelled", "failed", "done"], { jobId: thirdId });
  expect(cancelled.phase).toBe("cancelled");
  const end = await activeDoc(pg.page);
  expect(end.layers.map((l) => l.name).filter((n) => PREVIEW.test(n))).toEqual([]);
  expect(end.layers.map((l) => l.id)).toEqual(done.layers.map((l) => l.id));
  expect(end.history).toEqual([...done.history, "Infill: Preview", "Infill: Remove Preview"]);
  expect((await compareWithKept(pg.page, "before", AROUND)).outside).toBe(0);
  expect(pg.ff.calls.filter((c) => c.route === "submit")).toHaveLength(2);
  await screenshot(pg.page, "preview-cancelled");
  expect(errors).toEqual([]);
});
