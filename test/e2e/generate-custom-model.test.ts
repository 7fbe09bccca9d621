// Generate with a custom model listed by the broker (Firefly mode, in-repo fake Firefly) and a style
// reference picked by its thumbnail: the list comes from GET /v3/custom-models through the broker,
// the thumbnails from the simulated document through the real host controller, and the generate
// request carries x-model-version image3_custom with the model's id. Local mode explains that custom
// models need Firefly.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { openPlayground, openSample, setVariations, waitForJob } from "./support/playground";

jest.setTimeout(300000);

const FAKE_MODEL_ID = "urn:aaid:sc:VA6C2:00000000-0000-4000-8000-000000000001";

describe("Firefly mode", () => {
  const pg = usePlaygroundSession({ firefly: plainOutputFirefly(200, 120, 40) });

  test("a custom model from the broker's listing and a reference picked by its thumbnail reach the generate request", async () => {
    const errors = collectErrors(pg.page);
    const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
    await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
    await openSample(pg.page, "tiles");
    await openSample(pg.page, "beach");

    await panel.getByRole("tab", { name: "Generate" }).click();
    await panel.locator('[data-testid="custom-models"][data-status="ready"]').waitFor({ timeout: 60000 });
    expect(pg.ff.calls.filter((c) => c.route === "custom-models" && c.status === 200).length).toBeGreaterThanOrEqual(1);
    await panel.getByRole("button", { name: /Custom model/ }).click();
    await panel.getByRole("option", { name: /Fake Style/ }).click();
    // The model version follows the custom model's base model.
    await panel.getByRole("button", { name: /^Image 3 custom model/ }).waitFor();

    // The reference list shows each document's thumbnail, made by the host from the simulated documents.
    await panel.getByRole("button", { name: /Style reference/ }).click();
    const tiles = panel.getByRole("option", { name: /Tiled wall \(whole document\)/ });
    await tiles.locator('img[src^="data:image/jpeg;base64,"]').waitFor({ timeout: 60000 });
    await screenshot(pg.page, "generate-custom-model-reference-list");
    await tiles.click();
    const preview = panel.getByTestId("style-reference").getByTestId("reference-thumbnail");
    await preview.waitFor();
    const before = await preview.getAttribute("src");
    expect(before).toMatch(/^data:image\/jpeg;base64,/);

    // Painting on the reference document makes its preview stale: the panel shows the new one.
    await pg.page.evaluate(async () => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      const tilesDoc = (await h.documents()).find((d: { title: string }) => d.title === "Tiled wall");
      const data = new Uint8Array(tilesDoc.width * tilesDoc.height * 4);
      for (let i = 0; i < data.length; i += 4) data.set([20, 200, 60, 255], i);
      h.addLayer(tilesDoc.id, "Green", { width: tilesDoc.width, height: tilesDoc.height, data }, 0, 0);
    });
    await panel.locator(`[data-testid="style-reference"] [data-testid="reference-thumbnail"]:not([src="${before}"])`).waitFor({ timeout: 60000 });

    await setVariations(panel, "generate", 1);
    const prompt = panel.getByRole("textbox", { name: /^Prompt/ });
    await prompt.fill("a tiled lighthouse");
    await prompt.press("Enter");
    const job = await waitForJob(pg.page, ["done", "failed", "kept"]);
    expect(job.error).toBeUndefined();
    expect(job.phase).toBe("done");

    const submits = pg.ff.calls.filter((c) => c.route === "submit" && c.endpoint === "generate");
    expect(submits).toHaveLength(1);
    expect(submits[0].status).toBe(202);
    expect(submits[0].modelVersion).toBe("image3_custom");
    const body = submits[0].body as { customModelId?: string; negativePrompt?: string; style?: { imageReference?: { source?: { uploadId?: string } } } };
    expect(body.customModelId).toBe(FAKE_MODEL_ID);
    expect(body.negativePrompt).toBeUndefined();
    expect(typeof body.style?.imageReference?.source?.uploadId).toBe("string");

    await pg.page.getByTestId("theme").selectOption("light");
    await panel.locator(".infill-light").waitFor();
    await panel.getByTestId("custom-models").scrollIntoViewIfNeeded();
    await screenshot(pg.page, "generate-custom-model-light");
    expect(errors).toEqual([]);
  });
});

describe("local mode", () => {
  const pg = usePlaygroundSession();

  test("the custom model picker says the broker needs Firefly credentials, without an error banner", async () => {
    const errors = collectErrors(pg.page);
    const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
    await panel.getByRole("tab", { name: "Generate" }).click();
    const problem = panel.locator('[data-testid="custom-models-error"][data-code="needs_firefly_credentials"]');
    await problem.waitFor({ timeout: 60000 });
    await problem.getByText(/needs Firefly credentials/).waitFor();
    expect(await panel.getByTestId("panel-error").count()).toBe(0);
    await problem.scrollIntoViewIfNeeded();
    await screenshot(pg.page, "generate-custom-model-local-mode");
    expect(errors).toEqual([]);
  });
});
