// The built panel in Chromium against a scripted host: the run button says what a run spends and
// where it would wait, a queued job shows its place and wait and follows the queue as the host
// passes on new reads, and Settings shows the organisation's usage against the daily limit.

import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { QuotaView } from "../../src/common/protocol";

const p = useScriptedPanel(F.firefly);

/** Wait until the element with `testId` reads `text`. */
const shows = (testId: string, text: string) => p.page.getByTestId(testId).filter({ hasText: text }).first().waitFor();

const quota = (over: Partial<QuotaView> = {}): QuotaView => F.quotaView(Date.now(), [20_000, 50_000, 100_000, 160_000], over);

test("the run button, a queued job and Settings follow the host's quota reads", async () => {
  await p.host.send(F.doc({}, { left: 10, top: 20, right: 110, bottom: 70 }));
  await p.page.getByTestId("run-fill-reason").waitFor({ state: "detached" });
  // Nothing to say until the broker shares its quota.
  expect(await p.page.getByTestId("run-fill-wait").count()).toBe(0);

  await p.host.send({ type: "quota", quota: quota() });
  await shows("run-fill-wait", "Uses 1 Firefly request. If run now: #4 — about 3 min.");
  await p.host.send({ type: "job.state", job: F.job({ phase: "queued", queuePosition: 3 }) });
  await shows("job-wait", "#3 — about 2 min");

  // The queue moves: the host's next read and the job's next status.
  await p.host.send({ type: "quota", quota: quota({ depth: 1, waits: [40_000, 70_000] }) });
  await p.host.send({ type: "job.state", job: F.job({ phase: "queued", queuePosition: 1 }) });
  await shows("job-wait", "#1 — under a minute");
  await shows("run-fill-wait", "If run now: #2 — about 2 min.");

  // Once the job is sent, it has no place any more.
  await p.host.send({ type: "job.state", job: F.job({ phase: "running" }) });
  await p.page.getByTestId("job-wait").waitFor({ state: "detached" });

  await p.host.send({ type: "quota", quota: quota({ depth: 0, waits: [0], pausedUntil: Date.now() + 90_000 }) });
  await shows("run-fill-wait", "Uses 1 Firefly request. No queue: it goes at once.");
  await p.page.getByRole("tab", { name: "Settings" }).click();
  await shows("quota-section", "Today: 1,234 of 9,000 requests.");
  await shows("quota-section", "This minute: 4 of 4.");
  await shows("quota-section", "sending resumes in about 2 min");
  expect(p.errors).toEqual([]);
});
