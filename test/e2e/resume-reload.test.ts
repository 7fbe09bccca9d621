// A job the broker accepted survives a page reload: the broker paces submits at 1 per window, so the
// second job is still queued at the broker when the page reloads. The new page takes it up from the
// result store, polls it with its stored broker job id until it runs, downloads the result and keeps
// it (the reloaded playground has new documents, so it is not placed), and says so. Nothing is lost.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { fillThenQueueOne, openPlayground, storedJobs, waitForJob } from "./support/playground";

jest.setTimeout(300000);

// One submit per 20 s window: the second job is still queued when the page reloads, without waiting a whole minute.
const pg = usePlaygroundSession({ env: { INFILL_RATE_PER_MINUTE: "1", INFILL_RATE_MINUTE_MS: "20000" } });

test("a queued job is taken up after a reload, finished at the broker, downloaded and kept", async () => {
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  const { first, queuedId } = await fillThenQueueOne(pg.page, panel);
  await pg.page.reload();
  const errors = collectErrors(pg.page);
  const panel2 = pg.page.frameLocator('[data-testid="panel-frame"]');
  const card = panel2.locator(`[data-job-id="${queuedId}"]`);
  await card.waitFor({ timeout: 60000 });

  const kept = await waitForJob(pg.page, ["kept", "failed", "done", "cancelled"], { jobId: queuedId, timeoutMs: 150000 });
  expect(kept.error?.message).toMatch(/reloaded while this job ran; its results were downloaded and kept/);
  expect(kept.phase).toBe("kept");
  expect(kept.variations).toHaveLength(1);
  const bytes = await pg.page.evaluate(async (id) => {
    const s = (window as unknown as { __infill: { store: { getBytes(j: string, k: string): Promise<Uint8Array | undefined> } } }).__infill.store;
    return (await s.getBytes(id, "result-0"))?.length ?? 0;
  }, queuedId);
  expect(bytes).toBeGreaterThan(100);
  await card.getByTestId("job-dismiss").waitFor();
  await card.scrollIntoViewIfNeeded();
  await screenshot(pg.page, "resumed-after-reload");

  await card.getByTestId("job-dismiss").click();
  await pg.page.waitForFunction(async (id) => {
    const s = (window as unknown as { __infill: { store: { getBytes(j: string, k: string): Promise<Uint8Array | undefined> } } }).__infill.store;
    return !(await s.getBytes(id, "result-0"));
  }, queuedId);
  expect((await storedJobs(pg.page)).find((j) => j.jobId === first.jobId)?.phase).toBe("done");
  expect(errors).toEqual([]);
});
