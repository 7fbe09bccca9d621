// Expand to 16:9 in the playground (local engine): the canvas gets the new size and every original
// pixel is unchanged at its new offset.

import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, compareWithKept, keepComposite, openPlayground, openSample, setVariations, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession();

test("expand to 16:9: new canvas size, original pixels untouched", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await openSample(pg.page, "beach"); // 960 × 640
  const kept = await keepComposite(pg.page, "original");
  expect(kept).toEqual({ width: 960, height: 640 });

  await panel.getByRole("tab", { name: "Expand" }).click();
  await panel.getByTestId("expand-canvas").getByText("New canvas: 1138 × 640 px").waitFor();
  await setVariations(panel, "expand", 1);
  await panel.getByTestId("run-expand").click();
  const job = await waitForJob(pg.page, ["done", "failed"]);
  expect(job.error).toBeUndefined();
  expect(job.phase).toBe("done");

  const doc = await activeDoc(pg.page);
  expect([doc.width, doc.height]).toEqual([1138, 640]);
  expect(doc.history).toEqual(["Open", expect.stringMatching(/Expand/)]);
  await pg.page.getByTestId("doc-status").getByText("1138 × 640 px").waitFor();
  await screenshot(pg.page, "expand-16-9");

  // The panel follows the host's interface brightness.
  await pg.page.getByTestId("theme").selectOption("light");
  await panel.locator(".infill-light").waitFor();
  await screenshot(pg.page, "playground-light-theme");
  expect(errors).toEqual([]);

  // Every original pixel, at its new offset (89 px added on the left), is exactly as it was.
  const diff = await compareWithKept(pg.page, "original", null, { x: 89, y: 0 });
  expect(diff.compared).toBe(960 * 640);
  expect(diff.outside).toBe(0);
});
