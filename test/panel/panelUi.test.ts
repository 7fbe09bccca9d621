// The built panel (dist/plugin/ui) in headless Chromium against a scripted host: disabled states
// explain themselves, Enter runs, jobs show live state and errors, settings keep the key write-only,
// the theme follows the host, every control has a label.

import { screenshot } from "../e2e/support/browser";
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";

const p = useScriptedPanel(F.local);

const byTestId = (id: string) => p.page.getByTestId(id);

test("asks for everything the panel sends on start", async () => {
  for (const t of ["hello", "settings.get", "documents.list", "jobs.list", "connection.test"] as const) await p.host.waitForCommand(t);
  await expectText("engine-banner", /prompts are ignored/);
});

test("Fill says why it is disabled, then Enter in the prompt runs it", async () => {
  await p.host.send(F.doc({ bitDepth: 16 }));
  await expectText("run-fill-reason", "Make a selection first: Fill generates inside it.");
  expect(await byTestId("run-fill").isDisabled()).toBe(true);
  await p.host.send(F.doc({ bitDepth: 16 }, { left: 10, top: 20, right: 110, bottom: 70 }));
  await expectText("selection-info", "Selection: 100 × 50 px at (10, 20)");
  await p.page.waitForFunction(() => !(document.querySelector('[data-testid="run-fill"]') as HTMLButtonElement).disabled);
  await expectText("run-fill-note", /Document is 16-bit: it will be converted to 8-bit for generation\./);
  const prompt = p.page.getByRole("textbox", { name: "Prompt (optional)" });
  await prompt.fill("a wooden boat");
  await prompt.press("Enter");
  const run = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(run.params).toMatchObject({ kind: "fill", prompt: "a wooden boat", numVariations: 2 });
  // The default blend is not sent: the fill's band then follows the selection.
  expect(run.params.blend).toBeUndefined();
  await screenshot(p.page, "panel-fill-ready");
});

test("Generate is unavailable in local mode and carries a style reference in Firefly mode", async () => {
  await p.host.send(F.doc());
  await p.host.send(F.documents);
  await p.page.getByRole("tab", { name: "Generate" }).click();
  await expectText("run-generate-reason", /Generate needs Firefly/);
  await p.host.send(F.firefly);
  await expectText("run-generate-reason", "Type a prompt first: Generate needs one.");
  await p.host.send({
    type: "layers",
    docId: 2,
    layers: [{ id: 7, name: "Paint", kind: "pixel", visible: true, bounds: { left: 0, top: 0, right: 400, bottom: 400 }, parentId: null }],
  });
  await p.page.getByRole("button", { name: /Style reference/ }).click();
  await p.page.getByRole("option", { name: "Style.png (whole document)" }).click();
  await expectText("style-reference", /Style\.png · 400 × 400 px/);
  const prompt = p.page.getByRole("textbox", { name: /Prompt/ }).first();
  await prompt.fill("a lighthouse");
  await prompt.press("Enter");
  const run = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(run.params).toMatchObject({ kind: "generate", prompt: "a lighthouse", styleReference: { docId: 2, strength: 50 } });
  await screenshot(p.page, "panel-generate-style-reference");
});

test("Expand shows the new canvas size and the alignment picker moves the original", async () => {
  await p.host.send(F.doc());
  await p.page.getByRole("tab", { name: "Expand" }).click();
  await expectText("expand-canvas", "New canvas: 1067 × 600 px");
  await byTestId("align-center-left").click();
  await p.page.getByText("Adds 0 left, 0 top, 267 right, 0 bottom.").waitFor();
  await byTestId("run-expand").click();
  const run = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(run.params).toMatchObject({ kind: "expand", target: { kind: "aspect", aspect: "16:9", alignment: { horizontal: "left", vertical: "center" } } });
});

test("jobs: queue position, cancel, errors with detail, pick a variation, keep one", async () => {
  await p.host.send(F.doc());
  await p.host.send({
    type: "jobs",
    jobs: [
      F.job({ jobId: "q", phase: "queued", queuePosition: 2 }),
      F.job({
        jobId: "f",
        phase: "failed",
        startedAt: Date.now() - 60000,
        finishedAt: Date.now() - 50000,
        error: { category: "auth", message: "The broker refused the key. Check the broker key in Settings.", detail: "401 key_invalid" },
      }),
      F.job({
        jobId: "d",
        phase: "done",
        startedAt: Date.now() - 90000,
        finishedAt: Date.now() - 80000,
        variations: [
          { index: 0, seed: 5, layerId: 11, visible: true },
          { index: 1, seed: 6, layerId: 12, visible: false },
        ],
      }),
    ],
  });
  const queued = p.page.locator('[data-job-id="q"]');
  await queued.getByText("Queued (position 2)").waitFor();
  await queued.getByTestId("job-cancel").click();
  expect(((await p.host.waitForCommand("job.cancel")) as CommandOf<"job.cancel">).jobId).toBe("q");
  const failed = p.page.locator('[data-job-id="f"]');
  await failed.getByText("The broker refused the key. Check the broker key in Settings.").waitFor();
  expect(await failed.getByTestId("job-error-detail").count()).toBe(0);
  await failed.getByRole("button", { name: "Technical detail" }).click();
  await expectText("job-error-detail", "401 key_invalid");
  const done = p.page.locator('[data-job-id="d"]');
  await done.getByTestId("variation-1").click();
  const sel = (await p.host.waitForCommand("variation.select")) as CommandOf<"variation.select">;
  expect([sel.jobId, sel.index]).toEqual(["d", 1]);
  await done.getByTestId("job-keep-one").click();
  const keep = (await p.host.waitForCommand("variation.keep")) as CommandOf<"variation.keep">;
  expect([keep.jobId, keep.index]).toEqual(["d", 0]);
  await done.getByTestId("job-rerun").click();
  const rerun = (await p.host.waitForCommand("job.run")) as CommandOf<"job.run">;
  expect(rerun.params.seeds).toEqual([5, 6]);
  await screenshot(p.page, "panel-jobs");
});

test("settings: the key is write-only, the connection test shows the diagnosis", async () => {
  await p.page.getByRole("tab", { name: "Settings" }).click();
  const key = p.page.getByLabel("Broker key");
  expect(await key.getAttribute("type")).toBe("password");
  expect(await key.inputValue()).toBe("");
  await key.fill("secret-key-123456789");
  await byTestId("settings-save").click();
  const set = (await p.host.waitForCommand("settings.set")) as CommandOf<"settings.set">;
  expect(set.settings.brokerKey).toBe("secret-key-123456789");
  expect(await key.inputValue()).toBe("");
  await p.host.send({
    type: "connection.result",
    result: {
      ok: false,
      diagnosis: "wrong_key",
      message: "The broker refused this key.",
      hint: "Paste the key the broker printed when it started.",
      detail: "401 key_invalid",
    },
  });
  await p.page.getByTestId("connection-result").getByText("The broker refused this key.").waitFor();
  await p.page.getByText("Paste the key the broker printed when it started.").waitFor();
});

test("follows the host's light theme and labels every control", async () => {
  await p.host.send(F.doc({}, { left: 0, top: 0, right: 10, bottom: 10 }));
  await p.host.send({ type: "theme", theme: "light", scheme: "light" });
  await p.page.locator(".infill-light").waitFor();
  for (const tab of ["Fill", "Expand", "Generate", "Settings"]) {
    await p.page.getByRole("tab", { name: tab }).click();
    const unlabelled = await p.page.evaluate(() => {
      const visible = (el: Element) => !!(el as HTMLElement).offsetParent;
      return [...document.querySelectorAll("input, textarea, select, button, [role=slider], [role=radio]")]
        .filter(visible)
        .filter((el) => {
          const e = el as HTMLInputElement;
          if (e.type === "hidden") return false;
          const name = e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || (e.labels && e.labels.length) || (e.textContent ?? "").trim();
          return !name;
        })
        .map((el) => el.outerHTML.slice(0, 120));
    });
    expect(unlabelled).toEqual([]);
  }
  await p.page.getByRole("tab", { name: "Fill" }).click();
  await screenshot(p.page, "panel-light");
  expect(p.errors).toEqual([]);
});

async function expectText(testId: string, text: string | RegExp) {
  const loc = p.page.getByTestId(testId).first();
  await loc.waitFor();
  await p.page.waitForFunction(
    ([id, src, isRe]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const t = el?.textContent ?? "";
      return isRe ? new RegExp(src).test(t) : t.includes(src);
    },
    [testId, typeof text === "string" ? text : text.source, typeof text !== "string"] as const,
    { timeout: 30000 },
  );
}

test("recent prompts from the host's history go back into the prompt", async () => {
  const s2 = F.settings();
  s2.settings.prefs.history = [
    { at: 2, kind: "fill", prompt: "a red boat" },
    { at: 1, kind: "generate", prompt: "a lighthouse" },
  ];
  await p.host.send(s2);
  await p.host.send(F.doc({}, { left: 0, top: 0, right: 10, bottom: 10 }));
  await p.page.getByTestId("fill-tab").getByRole("button", { name: "Recent prompts" }).click();
  await p.page.getByRole("menuitem", { name: "a lighthouse" }).click();
  expect(await p.page.getByRole("textbox", { name: "Prompt (optional)" }).inputValue()).toBe("a lighthouse");
});
