// The built panel in Chromium against a scripted host: a job card shows the broker's request id of
// the job's submit as selectable text (to paste into a report), and a job without one shows none.

import * as F from "./fixtures";
import { useScriptedPanel } from "./session";

const p = useScriptedPanel(F.firefly);

test("the job card shows the request id, selectable; a job without one shows none", async () => {
  await p.host.send({ type: "job.state", job: F.job({ phase: "running" }) });
  await p.page.getByTestId("job-status").waitFor();
  expect(await p.page.getByTestId("job-request-id").count()).toBe(0);

  await p.host.send({ type: "job.state", job: F.job({ phase: "running", requestId: "3f1c9a2e-77b0-4d5e-9c1a-0b2d4e6f8a10" }) });
  const id = p.page.getByTestId("job-request-id");
  await id.waitFor();
  expect(await id.textContent()).toBe("Request id: 3f1c9a2e-77b0-4d5e-9c1a-0b2d4e6f8a10");
  expect(await id.evaluate((el) => getComputedStyle(el).userSelect)).toBe("text");
  // Still there once the job is done.
  await p.host.send({ type: "job.state", job: F.job({ phase: "done", requestId: "3f1c9a2e-77b0-4d5e-9c1a-0b2d4e6f8a10", finishedAt: Date.now() }) });
  await p.page.locator('[data-testid="job"][data-phase="done"]').getByTestId("job-request-id").waitFor();
  expect(p.errors).toEqual([]);
});
