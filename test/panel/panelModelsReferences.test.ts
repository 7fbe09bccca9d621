// The built panel in Chromium against a scripted host: the custom model picker fed by models.list
// (loading, list, empty, error with retry) and reference thumbnails in the style/structure pickers
// (asked for while shown, asked again when the host says they went stale), in dark and light themes.

import { screenshot } from "../e2e/support/browser";
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { Command, CommandOf } from "../../src/common/protocol/commands";
import { base64Encode, encodeJpeg } from "../../src/common/imaging/codecs";

jest.setTimeout(120000);

const p = useScriptedPanel(F.firefly, async () => {
  await p.host.send(F.doc());
  await p.host.send(F.documents);
  await p.host.send({ type: "layers", docId: 1, layers: [] });
  await p.host.send({
    type: "layers",
    docId: 2,
    layers: [{ id: 7, name: "Paint", kind: "pixel", visible: true, bounds: { left: 0, top: 0, right: 400, bottom: 200 }, parentId: null }],
  });
});

/** Waits until the panel has sent `n` commands matching `pick`; returns them. */
async function commandsOf<K extends Command["type"]>(type: K, n: number, pick: (c: CommandOf<K>) => boolean = () => true): Promise<CommandOf<K>[]> {
  for (let i = 0; i < 600; i++) {
    const found = p.host.commands.filter((c): c is CommandOf<K> => c.type === type && pick(c as CommandOf<K>));
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} ${type} commands: ${JSON.stringify(p.host.commands.filter((c) => c.type === type))}`);
}

function jpeg(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): string {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  return `data:image/jpeg;base64,${base64Encode(encodeJpeg({ width, height, data }, 80))}`;
}

const status = () => p.page.getByTestId("custom-models").getAttribute("data-status");
async function statusIs(want: string) {
  await p.page.waitForFunction((w) => document.querySelector('[data-testid="custom-models"]')?.getAttribute("data-status") === w, want, { timeout: 30000 });
}

const models = [
  {
    id: "urn:aaid:sc:VA6C2:warm",
    name: "Warm Street",
    trainingMode: "style" as const,
    baseModel: { name: "clio_v2", version: "2.0.0" },
    modelVersion: "image3_custom" as const,
  },
  { id: "urn:aaid:sc:VA6C2:mascot", name: "Mascot", trainingMode: "subject" as const, modelVersion: "image4_custom" as const, conceptId: "mascot_x" },
];

test("custom models: listed when Generate opens; picking one sets the custom model version and id", async () => {
  await p.page.getByRole("tab", { name: "Generate" }).click();
  const [list] = await commandsOf("models.list", 1);
  expect(await status()).toBe("loading");
  await p.page.getByText("Loading the custom models the broker lists…").waitFor();
  await p.host.send({ type: "models", replyTo: list.id, models });
  await statusIs("ready");
  await p.page.getByRole("button", { name: /Custom model/ }).click();
  await p.page.getByRole("option", { name: /Mascot/ }).waitFor();
  await screenshot(p.page, "panel-custom-models-open-dark");
  await p.page.getByRole("option", { name: /Mascot/ }).click();
  await p.page.getByText("Subject model: put “mascot_x” in the prompt to bring its subject in.").waitFor();
  expect(await p.page.getByRole("button", { name: /Model/ }).first().textContent()).toContain("Image 4 custom model");
  await screenshot(p.page, "panel-custom-model-chosen-dark");
  await p.host.send({ type: "theme", theme: "light", scheme: "light" });
  await p.page.locator(".infill-light").waitFor();
  await screenshot(p.page, "panel-custom-model-chosen-light");
  const prompt = p.page.getByRole("textbox", { name: /^Prompt/ });
  await prompt.fill("mascot_x surfing");
  await prompt.press("Enter");
  const run = await commandsOf("job.run", 1);
  expect(run[0].params).toMatchObject({ kind: "generate", modelVersion: "image4_custom", customModelId: "urn:aaid:sc:VA6C2:mascot" });
  expect(run[0].params).not.toHaveProperty("visualIntensity"); // not with image4_custom
  expect(await p.page.getByTestId("panel-error").count()).toBe(0);

  // The broker is tested again (maybe another account): listed again; the chosen model is gone.
  await p.host.send(F.firefly);
  const lists = await commandsOf("models.list", 2);
  await p.host.send({ type: "models", replyTo: lists[1].id, models: [models[0]] });
  await p.page.getByText("The chosen custom model is no longer listed: pick another, or None.").waitFor();
  expect(await p.page.getByTestId("run-generate").isDisabled()).toBe(true);

  // Back to "None": a standard model again, and no custom model id.
  await p.page.getByRole("button", { name: /Custom model/ }).click();
  await p.page.getByRole("option", { name: "None (standard model)" }).click();
  await prompt.press("Enter");
  const again = await commandsOf("job.run", 2);
  expect(again[1].params).toMatchObject({ modelVersion: "image4_standard" });
  expect(again[1].params).not.toHaveProperty("customModelId");
  expect(p.errors).toEqual([]);
});

test("custom models: a refusal explains itself in the picker (not as a banner), Retry lists again, an empty list says so", async () => {
  await p.page.getByRole("tab", { name: "Generate" }).click();
  const [first] = await commandsOf("models.list", 1);
  await p.host.send({
    type: "error",
    replyTo: first.id,
    category: "auth",
    code: "http_403",
    message: "Firefly refused access for the broker's credential. Ask your admin to check its entitlements.",
    hint: "Custom models need a credential entitled to Firefly Custom Models; until then, use a standard model.",
  });
  await statusIs("error");
  await p.page
    .getByTestId("custom-models-error")
    .getByText(/entitled to Firefly Custom Models/)
    .waitFor();
  expect(await p.page.getByTestId("panel-error").count()).toBe(0);
  expect(await p.page.getByRole("button", { name: /Custom model/ }).isDisabled()).toBe(true);
  await screenshot(p.page, "panel-custom-models-error-dark");
  await p.host.send({ type: "theme", theme: "light", scheme: "light" });
  await p.page.locator(".infill-light").waitFor();
  await screenshot(p.page, "panel-custom-models-error-light");

  await p.page.getByTestId("custom-models-retry").click();
  const lists = await commandsOf("models.list", 2);
  await p.host.send({ type: "models", replyTo: lists[1].id, models: [] });
  await statusIs("ready");
  await p.page.getByText(/The broker lists no custom models for this account/).waitFor();
  expect(await p.page.getByTestId("custom-models-error").count()).toBe(0);
  // An unrelated error still reaches the banner.
  await p.host.send({ type: "error", category: "network", code: "x", message: "Can't reach the Infill broker.", hint: "Check it." });
  await p.page.getByTestId("panel-error").waitFor();
});

test("reference thumbnails: asked for while the list is open, shown in the items and the preview, asked again when stale", async () => {
  await p.page.getByRole("tab", { name: "Generate" }).click();
  await commandsOf("models.list", 1);
  expect(p.host.commands.filter((c) => c.type === "thumbnail.get")).toEqual([]); // nothing on screen needs one yet

  await p.page.getByRole("button", { name: /Style reference/ }).click();
  const asked = await commandsOf("thumbnail.get", 3);
  expect(asked.map((c) => [c.docId, c.layerId])).toEqual([
    [1, undefined],
    [2, undefined],
    [2, 7],
  ]);
  const orange = jpeg(96, 72, (x) => [230, 120 + x, 40]);
  const blue = jpeg(96, 96, (_x, y) => [30, 80 + y, 200]);
  const paint = jpeg(96, 48, (x) => [x * 2, 200, 90]);
  await p.host.send({ type: "thumbnail", replyTo: asked[0].id, docId: 1, dataUrl: orange, width: 96, height: 72 });
  await p.host.send({ type: "thumbnail", replyTo: asked[1].id, docId: 2, dataUrl: blue, width: 96, height: 96 });
  await p.host.send({ type: "thumbnail", replyTo: asked[2].id, docId: 2, layerId: 7, dataUrl: paint, width: 96, height: 48 });
  const option = p.page.getByRole("option", { name: "Style.png (whole document)" });
  await p.page.waitForFunction((src) => [...document.querySelectorAll('[role="option"] img')].some((i) => (i as HTMLImageElement).src === src), blue, {
    timeout: 30000,
  });
  expect(await option.locator("img").getAttribute("src")).toBe(blue);
  expect(await p.page.getByRole("option", { name: "Style.png › Paint" }).locator("img").getAttribute("src")).toBe(paint);
  await screenshot(p.page, "panel-reference-list-dark");
  await option.click();

  const preview = p.page.getByTestId("style-reference").getByTestId("reference-thumbnail");
  await preview.waitFor();
  expect(await preview.getAttribute("src")).toBe(blue);
  expect(await preview.getAttribute("alt")).toBe("Preview of Style.png");
  // The list is closed: no more requests than the three.
  expect(p.host.commands.filter((c) => c.type === "thumbnail.get")).toHaveLength(3);
  await screenshot(p.page, "panel-reference-preview-dark");

  // The host says document 2 changed: the chosen reference's preview is asked for again (only that one is on screen).
  await p.host.send({ type: "thumbnail.stale", docId: 2 });
  const again = await commandsOf("thumbnail.get", 4);
  expect([again[3].docId, again[3].layerId]).toEqual([2, undefined]);
  const green = jpeg(96, 96, () => [40, 200, 60]);
  await p.host.send({ type: "thumbnail", replyTo: again[3].id, docId: 2, dataUrl: green, width: 96, height: 96 });
  await p.page.waitForFunction((src) => (document.querySelector('[data-testid="reference-thumbnail"]') as HTMLImageElement | null)?.src === src, green, {
    timeout: 30000,
  });

  await p.host.send({ type: "theme", theme: "light", scheme: "light" });
  await p.page.locator(".infill-light").waitFor();
  await screenshot(p.page, "panel-reference-preview-light");
  await p.page.getByRole("button", { name: /Style reference/ }).click();
  await p.page.getByRole("option", { name: "Style.png › Paint" }).waitFor();
  await screenshot(p.page, "panel-reference-list-light");
  expect(p.errors).toEqual([]);
});

test("a reference whose preview the host refuses says why, and the refusal is no banner", async () => {
  await p.page.getByRole("tab", { name: "Generate" }).click();
  await p.page.getByRole("button", { name: /Structure reference/ }).click();
  await p.page.getByRole("option", { name: "Style.png › Paint" }).click();
  const asked = await commandsOf("thumbnail.get", 1, (c) => c.layerId === 7);
  await p.host.send({
    type: "error",
    replyTo: asked[asked.length - 1].id,
    category: "document",
    code: "layer_empty",
    message: "That layer is empty.",
    hint: "Pick a layer with pixels.",
  });
  await p.page.getByTestId("structure-reference").getByTestId("reference-thumbnail-problem").getByText("That layer is empty.").waitFor();
  expect(await p.page.getByTestId("panel-error").count()).toBe(0);
});
