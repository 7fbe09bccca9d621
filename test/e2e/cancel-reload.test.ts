// Cancel a job waiting in the broker's queue, and reload the page: the job history survives.
// The broker paces submits at 1 per minute, so the second job queues behind the first.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, fillThenQueueOne, openPlayground, storedJobs, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession({ env: { INFILL_RATE_PER_MINUTE: "1" } });

test("cancel a queued job; the document keeps only the finished job's layers; history survives a reload", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  const { first, afterFirst, queuedId } = await fillThenQueueOne(pg.page, panel);
  const card = panel.locator(`[data-job-id="${queuedId}"]`);
  await card
    .getByTestId("job-status")
    .getByText(/^Queued/)
    .waitFor();
  await screenshot(pg.page, "cancel-queued-before");
  await card.getByTestId("job-cancel").click();
  const cancelled = await waitForJob(pg.page, ["cancelled", "failed", "done"], { jobId: queuedId });
  expect(cancelled.phase).toBe("cancelled");
  await card.getByTestId("job-status").getByText("Cancelled").waitFor();
  const afterCancel = await activeDoc(pg.page);
  expect(afterCancel.layers).toEqual(afterFirst.layers);
  expect(afterCancel.history).toEqual(afterFirst.history);
  await screenshot(pg.page, "cancel-queued-after");

  // Reload the whole page: the jobs come back from the result store into the panel's history.
  await pg.page.reload();
  const panel2 = pg.page.frameLocator('[data-testid="panel-frame"]');
  await panel2
    .locator(`[data-job-id="${first.jobId}"]`)
    .getByText(/Done: 1 variation/)
    .waitFor({ timeout: 60000 });
  await panel2.locator(`[data-job-id="${queuedId}"]`).getByTestId("job-status").getByText("Cancelled").waitFor();
  const ids = (await storedJobs(pg.page)).map((j) => j.jobId);
  expect(ids).toEqual(expect.arrayContaining([first.jobId, queuedId]));
  await screenshot(pg.page, "reload-keeps-history");
  expect(errors).toEqual([]);
});
