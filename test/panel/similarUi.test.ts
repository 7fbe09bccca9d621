// More like this in the built panel against a scripted host: on each placed variation (seeds shown,
// a chosen count) and in Generate on the selection or the whole document.

import { screenshot } from "../e2e/support/browser";
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";

const p = useScriptedPanel(F.firefly);

test("each placed variation shows its seed and asks for more like itself", async () => {
  await p.host.send(F.doc());
  const variations = [
    { index: 0, seed: 5, layerId: 11, visible: true },
    { index: 1, seed: 6, layerId: 12, visible: false },
  ];
  await p.host.send({
    type: "jobs",
    jobs: [
      F.job({ jobId: "d", kind: "generate", params: { kind: "generate", prompt: "a fox", numVariations: 2 }, phase: "done", variations }),
      F.job({ jobId: "k", phase: "kept", variations: [{ index: 0, seed: 7 }] }),
    ],
  });
  const done = p.page.locator('[data-job-id="d"]');
  await done.getByTestId("variation-seed-1").getByText("Seed 6").waitFor();
  expect(await done.getByTestId("variation-seed-0").textContent()).toBe("Seed 5");
  const kept = p.page.locator('[data-job-id="k"]');
  expect(await kept.getByTestId("variation-seed-0").textContent()).toBe("Seed 7");
  expect(await kept.getByTestId("more-like-0").count()).toBe(0);

  const count = done.getByRole("textbox", { name: "How many more" });
  await count.fill("3");
  await count.press("Tab");
  await done.getByRole("button", { name: "More like this: 3 like variation 2 (seed 6)" }).click();
  const cmd = (await p.host.waitForCommand("variation.similar")) as CommandOf<"variation.similar">;
  expect([cmd.jobId, cmd.index, cmd.numVariations]).toEqual(["d", 1, 3]);
  expect(p.host.commands.filter((c) => c.type === "job.run" || c.type === "variation.keep")).toEqual([]);
  await done.scrollIntoViewIfNeeded();
  await screenshot(p.page, "panel-more-like-this-variation");
  expect(p.errors).toEqual([]);
});

test("Generate's More like this runs on the selection, or on the whole document when asked", async () => {
  await p.page.getByRole("tab", { name: "Generate" }).click();
  await p.host.send(F.doc());
  const tab = p.page.getByTestId("more-like-this");
  await tab.getByRole("button", { name: /Like/ }).click();
  await p.page.getByRole("option", { name: "The selection" }).click();
  await tab.getByText("Make a selection first, or choose the whole document.").waitFor();
  expect(await p.page.getByTestId("run-similar").isDisabled()).toBe(true);
  await p.host.send(F.doc({}, { left: 10, top: 20, right: 110, bottom: 70 }));
  await p.page.waitForFunction(() => !(document.querySelector('[data-testid="run-similar"]') as HTMLButtonElement).disabled);
  const many = tab.getByRole("textbox", { name: "How many" });
  await many.fill("4");
  await many.press("Tab");
  await p.page.getByTestId("run-similar").click();
  const first = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(first.params).toEqual({ kind: "similar", source: "selection", numVariations: 4 });

  p.host.commands.splice(0); // the next job.run waited for is the second one
  await tab.getByRole("button", { name: /Like/ }).click();
  await p.page.getByRole("option", { name: "The whole document" }).click();
  await p.page.getByTestId("run-similar").click();
  const second = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(second.params).toEqual({ kind: "similar", source: "document", numVariations: 4 });
  await tab.scrollIntoViewIfNeeded();
  await screenshot(p.page, "panel-more-like-this-generate");
  expect(p.errors).toEqual([]);
});
