// Generate with a style reference taken from a second open document, against the broker in Firefly
// mode pointed at the in-repo fake Firefly: the generate request carries the reference's upload id.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { activeDoc, openPlayground, openSample, setVariations, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession({ firefly: plainOutputFirefly(40, 120, 200) });

test("generate with a style reference from a second open document", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await openSample(pg.page, "tiles"); // the reference
  await openSample(pg.page, "beach"); // the target, now active
  const before = await activeDoc(pg.page);

  await panel.getByRole("tab", { name: "Generate" }).click();
  await panel.getByTestId("engine-status").getByText("Firefly").waitFor({ timeout: 60000 });
  await panel.getByRole("button", { name: /Style reference/ }).click();
  await panel.getByRole("option", { name: "Tiled wall (whole document)" }).click();
  await panel
    .getByTestId("style-reference")
    .getByText(/Tiled wall · 640 × 480 px/)
    .waitFor();
  await setVariations(panel, "generate", 1);
  const prompt = panel.getByRole("textbox", { name: /^Prompt/ });
  await prompt.fill("a lighthouse on the beach");
  await prompt.press("Enter");

  const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
  expect(job.error).toBeUndefined();
  expect(job.phase).toBe("done");

  const uploads = pg.ff.calls.filter((c) => c.route === "upload" && c.status === 200);
  const submits = pg.ff.calls.filter((c) => c.route === "submit" && c.endpoint === "generate");
  expect(submits).toHaveLength(1);
  const body = submits[0].body as { prompt: string; style?: { imageReference?: { source?: { uploadId?: string } }; strength?: number } };
  expect(body.prompt).toBe("a lighthouse on the beach");
  expect(typeof body.style?.imageReference?.source?.uploadId).toBe("string");
  expect(uploads.length).toBeGreaterThanOrEqual(1);
  expect(submits[0].status).toBe(202); // the fake refuses unknown upload ids: this one was uploaded first

  const after = await activeDoc(pg.page);
  expect(after.history).toEqual([...before.history, expect.stringMatching(/Generate/)]);
  expect(after.layers.length).toBeGreaterThan(before.layers.length);
  await panel.locator(`[data-job-id="${job.jobId}"]`).scrollIntoViewIfNeeded();
  await screenshot(pg.page, "generate-style-reference");
  expect(errors).toEqual([]);
});
