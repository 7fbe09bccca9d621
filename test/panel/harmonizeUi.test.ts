// Harmonize in the built panel against a scripted host: the object layer picker, the background
// below it, the adaptive/precise settings, the run it sends, and the local engine's refusal.

import { screenshot } from "../e2e/support/browser";
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";

const p = useScriptedPanel(F.firefly);

const box = (left: number, top: number, right: number, bottom: number) => ({ left, top, right, bottom });
const LAYERS = {
  type: "layers" as const,
  docId: 1,
  layers: [
    { id: 9, name: "Cat", kind: "pixel" as const, visible: true, bounds: box(300, 200, 420, 290), parentId: null },
    { id: 8, name: "Empty", kind: "pixel" as const, visible: true, bounds: box(0, 0, 0, 0), parentId: null },
    { id: 1, name: "Background", kind: "pixel" as const, visible: true, bounds: box(0, 0, 800, 600), parentId: null },
  ],
};

test("picks the object layer, shows the background below it and sends the adaptive settings", async () => {
  await p.host.send(F.doc());
  await p.page.getByRole("tab", { name: "Harmonize" }).click();
  const ask = (await p.host.waitForCommand("layers.list")) as CommandOf<"layers.list">;
  expect(ask.docId).toBe(1);
  await p.host.send(LAYERS);
  await p.page.getByTestId("run-harmonize-reason").getByText("Pick the object's layer first.").waitFor();
  // An edit in the document (the host reports its state again): the layers are asked for again.
  const asked = () => p.host.commands.filter((c) => c.type === "layers.list").length;
  const n = asked();
  await p.host.send(F.doc());
  for (let i = 0; i < 200 && asked() === n; i++) await p.page.waitForTimeout(25);
  expect(asked()).toBe(n + 1);
  await p.page.getByRole("button", { name: /Object layer/ }).click();
  // Only layers with pixels are offered.
  expect(await p.page.getByRole("option").allTextContents()).toEqual(["Cat", "Background"]);
  await p.page.getByRole("option", { name: "Cat" }).click();
  await p.page.getByTestId("harmonize-background").getByText("Background: “Background”, composited as they show now.").waitFor();
  const variations = p.page.getByRole("textbox", { name: "Variations" });
  await variations.fill("5");
  await variations.press("Tab");
  expect(await variations.inputValue()).toBe("3");
  await p.page.getByTestId("harmonize-keep-background").click();
  await screenshot(p.page, "panel-harmonize");
  await p.page.getByTestId("run-harmonize").click();
  const run = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(run.params).toEqual({
    kind: "harmonize",
    layerId: 9,
    method: "adaptive",
    strength: 0.6,
    numVariations: 3,
    shadows: true,
    shadowIntensity: 0.7,
    keepBackground: false,
  });
  expect(p.errors).toEqual([]);
});

test("precise sends blend only; with nothing below, it says why it cannot run", async () => {
  await p.host.send(F.doc());
  await p.page.getByRole("tab", { name: "Harmonize" }).click();
  await p.host.send(LAYERS);
  await p.page.getByRole("button", { name: /Object layer/ }).click();
  await p.page.getByRole("option", { name: "Background" }).click();
  await p.page
    .getByTestId("run-harmonize-reason")
    .getByText(/Nothing visible lies below/)
    .waitFor();
  expect(await p.page.getByTestId("run-harmonize").isDisabled()).toBe(true);
  await p.page.getByRole("button", { name: /Object layer/ }).click();
  await p.page.getByRole("option", { name: "Cat" }).click();
  await p.page.getByRole("button", { name: /Method/ }).click();
  await p.page.getByRole("option", { name: /Precise/ }).click();
  expect(await p.page.getByTestId("harmonize-shadows").count()).toBe(0);
  await p.page.getByTestId("run-harmonize").click();
  const run = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(run.params).toEqual({ kind: "harmonize", layerId: 9, method: "precise", strength: 0.6, numVariations: 2 });
});

test("with the local engine it says Harmonize needs Firefly", async () => {
  await p.host.send(F.local);
  await p.host.send(F.doc());
  await p.page.getByRole("tab", { name: "Harmonize" }).click();
  await p.host.send(LAYERS);
  await p.page
    .getByTestId("harmonize-local")
    .getByText(/Harmonize needs Firefly/)
    .waitFor();
  await p.page
    .getByTestId("run-harmonize-reason")
    .getByText(/Harmonize needs Firefly/)
    .waitFor();
  expect(await p.page.getByTestId("run-harmonize").isDisabled()).toBe(true);
  await screenshot(p.page, "panel-harmonize-local");
});
