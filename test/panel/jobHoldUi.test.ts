// The built panel in Chromium against a scripted host: a queued job with its preview says what
// holds it — the queue's rate-limit pause, then today's used-up limit — and says nothing once the
// job runs on.

import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { QuotaView } from "../../src/common/protocol";
import { clockTime } from "../../src/common/clock-time";
import { PREVIEW_NOTE } from "../../src/common/preview-words";

const p = useScriptedPanel(F.firefly);

const quota = (over: Partial<QuotaView> = {}): QuotaView => F.quotaView(Date.now(), [20_000, 50_000, 100_000, 160_000], over);

test("a queued job with its preview says a pause or today's limit holds it, and that the preview stays", async () => {
  const hold = p.page.getByTestId("job-hold");
  const pausedUntil = Date.now() + 10 * 60_000;
  await p.host.send({ type: "quota", quota: quota({ pausedUntil }) });
  await p.host.send({ type: "job.state", job: F.job({ phase: "queued", queuePosition: 3, note: PREVIEW_NOTE }) });
  await hold.filter({ hasText: `Paused by Firefly's rate limit until ${clockTime(pausedUntil)} — the preview stays` }).waitFor();

  const resetsAt = Date.now() + 5 * 3_600_000;
  await p.host.send({ type: "quota", quota: quota({ day: { used: 9000, limit: 9000, resetsAt }, waits: [null, null, null, null] }) });
  await hold.filter({ hasText: `Today's Firefly limit is used up: waiting until ${clockTime(resetsAt)} — the preview stays` }).waitFor();

  await p.host.send({ type: "job.state", job: F.job({ phase: "running", note: PREVIEW_NOTE }) });
  await hold.waitFor({ state: "detached" });
  expect(p.errors).toEqual([]);
});
