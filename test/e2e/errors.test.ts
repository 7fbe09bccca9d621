// What artists see when something is wrong: an unreachable broker, a wrong key, and a job that fails
// while being placed — each with the right message, and the document left exactly as it was.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import type { FrameLocator } from "playwright-core";
import {
  activeDoc,
  type DocInfo,
  compareWithKept,
  dragSelection,
  keepComposite,
  openPlayground,
  openSample,
  setVariations,
  waitForJob,
} from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession({ browserPerTest: true });

async function prepareFill() {
  await openSample(pg.page, "tiles");
  await dragSelection(pg.page, 100, 100, 220, 200);
  await keepComposite(pg.page, "before");
  return activeDoc(pg.page);
}

/** Runs a one-variation Fill on a fresh selection that must fail; returns the document before it and the job. */
async function failingFill(panel: FrameLocator) {
  const before = await prepareFill();
  await panel.getByRole("tab", { name: "Fill" }).click();
  await setVariations(panel, "fill", 1);
  await panel.getByTestId("run-fill").click();
  const job = await waitForJob(pg.page, ["failed", "done"]);
  expect(job.phase).toBe("failed");
  return { before, job };
}

/** The layers and the history are exactly as they were before the job. */
async function expectUnchanged(before: DocInfo): Promise<void> {
  const after = await activeDoc(pg.page);
  expect(after.layers).toEqual(before.layers);
  expect(after.history).toEqual(before.history);
}

test("broker unreachable: the connection test and the job both say so; the document is unchanged", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await panel.getByRole("tab", { name: "Settings" }).click();
  const url = panel.getByRole("textbox", { name: "Broker URL" });
  await url.fill("http://127.0.0.1:9");
  await panel.getByTestId("settings-save").click();
  await panel.getByTestId("broker-url").getByText("", { exact: false }).first().waitFor();
  await pg.page.waitForFunction(() => localStorage.getItem("infill.playground.prefs")?.includes("127.0.0.1:9"));
  await panel.getByTestId("connection-test").click();
  await panel.locator('[data-testid="connection-result"][data-diagnosis="unreachable"]').waitFor({ timeout: 60000 });
  await screenshot(pg.page, "broker-unreachable-settings");

  const { before, job } = await failingFill(panel);
  expect(job.error?.category).toBe("network");
  await panel.locator(`[data-job-id="${job.jobId}"]`).getByTestId("job-error").getByText(job.error!.message).waitFor();
  expect(job.error!.message).toMatch(/broker/i);
  await expectUnchanged(before);
  expect((await compareWithKept(pg.page, "before", null)).outside).toBe(0);
  await screenshot(pg.page, "broker-unreachable-job");
  expect(errors).toEqual([]);
});

test("wrong key: the connection test says the key was refused; a job fails with an auth message", async () => {
  const panel = await openPlayground(pg.page, pg.broker.url, "wrong-key-0123456789abcdef");
  await panel.getByRole("tab", { name: "Settings" }).click();
  await panel.getByTestId("connection-test").click();
  const result = panel.locator('[data-testid="connection-result"][data-diagnosis="wrong_key"]');
  await result.waitFor({ timeout: 60000 });
  expect(await result.textContent()).toMatch(/key/i);

  const { before, job } = await failingFill(panel);
  expect(job.error?.category).toBe("auth");
  await panel.locator(`[data-job-id="${job.jobId}"]`).getByTestId("job-error").waitFor();
  await panel.locator(`[data-job-id="${job.jobId}"]`).scrollIntoViewIfNeeded();
  await expectUnchanged(before);
  await screenshot(pg.page, "wrong-key");
});

test("a job that fails while placing leaves the document exactly as it was", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  const before = await prepareFill();
  // Photoshop fails half-way through placing the layers (after the group and the first layer).
  await pg.page.evaluate(() => {
    (window as unknown as { __infill: { host: { faults: { failApplyAtOp?: number } } } }).__infill.host.faults.failApplyAtOp = 2;
  });
  await setVariations(panel, "fill", 2);
  await panel.getByTestId("run-fill").click();
  const job = await waitForJob(pg.page, ["failed", "kept", "done"]);
  expect(job.phase).not.toBe("done");
  expect(job.error).toBeDefined();
  const card = panel.locator(`[data-job-id="${job.jobId}"]`);
  await card.getByTestId("job-error").waitFor();
  await expectUnchanged(before);
  const diff = await compareWithKept(pg.page, "before", null);
  expect(diff.outside).toBe(0);
  await screenshot(pg.page, "failed-job-document-unchanged");
  expect(errors).toEqual([]);
});
