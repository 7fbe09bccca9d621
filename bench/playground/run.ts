// Playground bench: time from the click on Fill in the panel to the layers placed in the simulated
// document, through the whole stack (panel iframe → uxpHost stand-in → host controller → workflows →
// real broker with its local engine → placement as one history step).
//
//   npm run -s build && npm run bench:playground -- [--runs 3]
//
// Both ends are stamped inside the browser on one clock (the click in the panel's frame, the
// "documentEdited" that adds the history step on the page), so CDP round trips do not count.
// Baseline, measured in the same run: 1 variation on a 120 × 100 selection; the figures for 4
// variations and for a 4× larger selection are printed as ratios to it. Figures only: the machine
// is shared, expect noise.

import { openBrowser } from "../../test/e2e/support/browser";
import { startBroker } from "../../test/e2e/support/broker";
import { dragSelection, openPlayground, openSample, setVariations, waitForJob } from "../../test/e2e/support/playground";
import type { Page, FrameLocator } from "playwright-core";
import { arg } from "../support/procs";

const RUNS = arg("runs", 3);

async function instrument(page: Page, panel: FrameLocator): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as { __infill: { host: any }; __bench: { placed: number[] } };
    w.__bench = { placed: [] };
    const a = await w.__infill.host.activeDocument();
    let last: number = w.__infill.host.historyNames(a.id).length;
    w.__infill.host.subscribe((e: { type: string; docId?: number }) => {
      if (e.type !== "documentEdited" || e.docId === undefined) return;
      const t = performance.timeOrigin + performance.now();
      const n = w.__infill.host.historyNames(e.docId).length;
      if (n > last) w.__bench.placed.push(t);
      last = n;
    });
  });
  await panel.locator("body").evaluate(() => {
    const w = window as unknown as { __clicks: number[] };
    w.__clicks = [];
    document.addEventListener(
      "click",
      (e) => {
        if ((e.target as HTMLElement).closest('[data-testid="run-fill"]')) w.__clicks.push(performance.timeOrigin + performance.now());
      },
      true,
    );
  });
}

async function once(page: Page, panel: FrameLocator, seen: string[], sel: number[]): Promise<number> {
  await dragSelection(page, sel[0], sel[1], sel[2], sel[3]);
  const placedBefore = await page.evaluate(() => (window as unknown as { __bench: { placed: number[] } }).__bench.placed.length);
  await panel.getByTestId("run-fill").click();
  const job = await waitForJob(page, ["done", "failed"], { ignore: seen });
  if (job.phase !== "done") throw new Error(`job failed: ${JSON.stringify(job.error)}`);
  seen.push(job.jobId);
  await page.waitForFunction((n) => (window as unknown as { __bench: { placed: number[] } }).__bench.placed.length > n, placedBefore);
  const placed = await page.evaluate(() => (window as unknown as { __bench: { placed: number[] } }).__bench.placed.at(-1)!);
  const click = await panel.locator("body").evaluate(() => (window as unknown as { __clicks: number[] }).__clicks.at(-1)!);
  // Undo so every run fills the same pixels (the simulated history also restores the selection).
  await page.getByTestId("undo").click();
  return placed - click;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const broker = await startBroker();
  const s = await openBrowser();
  try {
    const panel = await openPlayground(s.page, broker.url, broker.key);
    await openSample(s.page, "beach");
    await instrument(s.page, panel);
    const seen: string[] = [];
    const cases = [
      { name: "1 variation, 120 × 100 selection", variations: 1, sel: [300, 200, 420, 300] },
      { name: "4 variations, 120 × 100 selection", variations: 4, sel: [300, 200, 420, 300] },
      { name: "1 variation, 240 × 200 selection", variations: 1, sel: [240, 150, 480, 350] },
    ];
    const results: { name: string; ms: number[] }[] = [];
    for (const c of cases) {
      await setVariations(panel, "fill", c.variations);
      await once(s.page, panel, seen, c.sel); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) ms.push(await once(s.page, panel, seen, c.sel));
      results.push({ name: c.name, ms });
    }
    const base = median(results[0].ms);
    console.log(`\nPlayground: click on Fill → layers placed (local engine, ${RUNS} runs each, median)`);
    for (const r of results) {
      const m = median(r.ms);
      console.log(
        `  ${r.name.padEnd(36)} ${m.toFixed(0).padStart(6)} ms   ×${(m / base).toFixed(2)} of baseline   [${r.ms.map((x) => x.toFixed(0)).join(", ")}]`,
      );
    }
  } finally {
    await s.close();
    await broker.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
