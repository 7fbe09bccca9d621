// Driving the playground like an artist: open samples, draw selections, use the panel in its iframe,
// and read the simulated document back through the page's test hook (window.__infill).

import type { FrameLocator, Page } from "playwright-core";
import type { JobState } from "../../../src/common/jobs";

export interface DocInfo {
  id: number;
  width: number;
  height: number;
  layers: { id: number; name: string; kind: string; visible: boolean; parentId: number | null; hasMask: boolean }[];
  history: string[];
}

export async function openPlayground(page: Page, url: string, key?: string): Promise<FrameLocator> {
  await page.goto(key ? `${url}/#key=${encodeURIComponent(key)}` : `${url}/`);
  const panel = page.frameLocator('[data-testid="panel-frame"]');
  await panel.getByRole("tab", { name: "Fill" }).waitFor({ timeout: 60000 });
  return panel;
}

export async function openSample(page: Page, id: "beach" | "hills" | "tiles"): Promise<void> {
  const before = await page.getByTestId("doc-tab").count();
  await page.getByTestId("open-sample").selectOption(id);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="doc-tab"]').length === n + 1, before);
  await page.getByTestId("doc-canvas").waitFor();
}

/** Drags a selection from document pixel (x0, y0) to (x1, y1) with the current tool. */
export async function dragSelection(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<void> {
  const canvas = page.getByTestId("doc-canvas");
  const box = (await canvas.boundingBox())!;
  const scale = Number(await canvas.getAttribute("data-scale"));
  await page.mouse.move(box.x + x0 * scale, box.y + y0 * scale);
  await page.mouse.down();
  await page.mouse.move(box.x + ((x0 + x1) / 2) * scale, box.y + ((y0 + y1) / 2) * scale, { steps: 3 });
  await page.mouse.move(box.x + x1 * scale, box.y + y1 * scale, { steps: 3 });
  await page.mouse.up();
  await page
    .getByTestId("doc-status")
    .getByText(/selection \d+ × \d+/)
    .waitFor();
}

export async function activeDoc(page: Page): Promise<DocInfo> {
  return page.evaluate(async () => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const a = await h.activeDocument();
    const s = h.stateOf(a.id);
    return {
      id: a.id,
      width: s.width,
      height: s.height,
      layers: s.layers.map((l: any) => ({ id: l.id, name: l.name, kind: l.kind, visible: l.visible, parentId: l.parentId, hasMask: !!l.mask })),
      history: h.historyNames(a.id),
    };
  });
}

type R = { left: number; top: number; right: number; bottom: number };

/** Keeps the active document's composite in the page under `name` (pixels stay in the page). */
export async function keepComposite(page: Page, name: string): Promise<{ width: number; height: number }> {
  return page.evaluate(async (n) => {
    const w = window as unknown as { __infill: { host: any }; __kept?: Record<string, { width: number; height: number; data: Uint8Array }> };
    const a = await w.__infill.host.activeDocument();
    const img = await w.__infill.host.composite(a.id);
    (w.__kept ??= {})[n] = img;
    return { width: img.width, height: img.height };
  }, name);
}

/**
 * Compares the kept composite `name` with the active document now: pixels that differ outside
 * `exclude`, and inside it. `offset` places the kept image in the current canvas (after an expand).
 */
export async function compareWithKept(
  page: Page,
  name: string,
  exclude: R | null,
  offset = { x: 0, y: 0 },
): Promise<{ outside: number; inside: number; compared: number }> {
  return page.evaluate(
    async ([n, ex, off]) => {
      const w = window as unknown as { __infill: { host: any }; __kept: Record<string, { width: number; height: number; data: Uint8Array }> };
      const old = w.__kept[n];
      const a = await w.__infill.host.activeDocument();
      const cur = await w.__infill.host.composite(a.id);
      let outside = 0;
      let inside = 0;
      let compared = 0;
      for (let y = 0; y < old.height; y++) {
        for (let x = 0; x < old.width; x++) {
          const cx = x + off.x;
          const cy = y + off.y;
          if (cx < 0 || cy < 0 || cx >= cur.width || cy >= cur.height) continue;
          const i = (y * old.width + x) * 4;
          const j = (cy * cur.width + cx) * 4;
          const same =
            old.data[i] === cur.data[j] && old.data[i + 1] === cur.data[j + 1] && old.data[i + 2] === cur.data[j + 2] && old.data[i + 3] === cur.data[j + 3];
          compared++;
          const inEx = ex && x >= ex.left && x < ex.right && y >= ex.top && y < ex.bottom;
          if (!same) inEx ? inside++ : outside++;
        }
      }
      return { outside, inside, compared };
    },
    [name, exclude, offset] as const,
  );
}

/** Every job the page's result store knows, newest first. */
export async function storedJobs(page: Page): Promise<JobState[]> {
  return page.evaluate(async () => {
    const c = (window as unknown as { __infill: { store: { listJobs(): Promise<{ state: JobState }[]> } } }).__infill;
    const list = await c.store.listJobs();
    return list.map((r) => r.state).sort((a, b) => b.startedAt - a.startedAt);
  });
}

/** A job as the panel shows it: its card's phase and text (the panel knows jobs the store may not hold yet). */
export interface PanelJob {
  jobId: string;
  phase: string;
  text: string;
}

/** The panel's job cards and its error banner, read from the page (empty while the panel is not loaded). */
export async function panelView(page: Page): Promise<{ jobs: PanelJob[]; error: string | null }> {
  const panel = page.frameLocator('[data-testid="panel-frame"]');
  const jobs = await panel
    .locator('[data-testid="job"]')
    .evaluateAll((els) =>
      els.map((e) => ({
        jobId: e.getAttribute("data-job-id") ?? "",
        phase: e.getAttribute("data-phase") ?? "",
        text: (e as HTMLElement).innerText.replace(/\s+/g, " ").trim().slice(0, 300),
      })),
    )
    .catch(() => [] as PanelJob[]);
  const banner = panel.locator('[data-testid="panel-error"]');
  const error =
    (await banner.count().catch(() => 0)) > 0
      ? await banner
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => null)
      : null;
  return { jobs, error };
}

const FINAL_PHASES: readonly string[] = ["done", "failed", "cancelled", "kept"];

/** One line per stored job and per panel card, and the panel's error banner: where a wait was stuck. */
function describeWait(stored: JobState[], view: { jobs: PanelJob[]; error: string | null }): string {
  const storedText = stored.length
    ? stored.map((j) => `${j.jobId} ${j.phase}${j.error ? ` (${j.error.category}: ${j.error.message})` : ""}`).join("; ")
    : "none";
  const panelText = view.jobs.length ? view.jobs.map((j) => `${j.jobId} ${j.phase}: ${j.text}`).join("; ") : "none";
  return `stored jobs: ${storedText}. Panel jobs: ${panelText}. Panel error: ${view.error ?? "none"}.`;
}

/**
 * Waits until a job reaches one of the phases: the job with this id, or else the newest job not in
 * `ignore`. Polls the page's result store, and the panel for jobs that ended before they were ever
 * stored (a capture that failed): those end the wait at once, with what their card says. No fixed sleeps.
 */
export async function waitForJob(
  page: Page,
  phases: JobState["phase"][],
  opts: { jobId?: string; ignore?: string[]; timeoutMs?: number } = {},
): Promise<JobState> {
  const timeoutMs = opts.timeoutMs ?? 180000;
  const deadline = Date.now() + timeoutMs;
  const wanted = (id: string) => (opts.jobId ? id === opts.jobId : !(opts.ignore ?? []).includes(id));
  // A job the panel showed as ended on the previous look and the store still lacks.
  let endedUnstored: string | undefined;
  for (;;) {
    // The panel first, then the store: a job stored at any point before its card showed it ended is
    // then in the store's answer, so only a job that ended before it was ever stored is missing.
    const view = await panelView(page);
    const jobs = await storedJobs(page);
    const last = opts.jobId ? jobs.find((j) => j.jobId === opts.jobId) : jobs.find((j) => wanted(j.jobId));
    if (last && phases.includes(last.phase)) return last;
    const unstored = view.jobs.find((j) => wanted(j.jobId) && FINAL_PHASES.includes(j.phase) && !jobs.some((s) => s.jobId === j.jobId));
    // Said only when a second look agrees, so a store write still under way is not mistaken for none.
    if (unstored && unstored.jobId === endedUnstored)
      throw new Error(`job ${unstored.jobId} ended ${unstored.phase} before it was stored: ${describeWait(jobs, view)}`);
    endedUnstored = unstored?.jobId;
    if (Date.now() > deadline) {
      throw new Error(
        `no job reached ${phases.join("/")} in ${timeoutMs / 1000} s; last state: ${JSON.stringify(last)?.slice(0, 2000)}; ${describeWait(jobs, view)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the panel shows a job (not in `ignore`) in one of the phases; returns its id. */
export async function waitForPanelJob(panel: FrameLocator, phases: JobState["phase"][], ignore: string[] = [], timeoutMs = 180000): Promise<string> {
  const sel = phases.map((p) => `[data-testid="job"][data-phase="${p}"]`).join(", ");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = await panel.locator(sel).evaluateAll((els) => els.map((e) => e.getAttribute("data-job-id") ?? ""));
    const id = ids.find((i) => i && !ignore.includes(i));
    if (id) return id;
    if (Date.now() > deadline) throw new Error(`no job reached ${phases.join("/")} in the panel`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function setVariations(panel: FrameLocator, tab: "fill" | "expand" | "generate", n: number): Promise<void> {
  const field = panel.getByTestId(`${tab}-tab`).getByRole("textbox", { name: "Variations" });
  await field.fill(String(n));
  await field.press("Tab");
}

/**
 * With the broker pacing submits at 1 per minute: a one-variation fill on the "hills" sample that
 * finishes, then a second that waits in the broker's queue. Returns both, and the document after the first.
 */
export async function fillThenQueueOne(page: Page, panel: FrameLocator): Promise<{ first: JobState; afterFirst: DocInfo; queuedId: string }> {
  await openSample(page, "hills");
  await dragSelection(page, 300, 300, 420, 400);
  await setVariations(panel, "fill", 1);
  await panel.getByTestId("run-fill").click();
  const first = await waitForJob(page, ["done", "failed"]);
  if (first.phase !== "done") throw new Error(`the first fill ended ${first.phase}: ${JSON.stringify(first.error)}`);
  const afterFirst = await activeDoc(page);
  await panel.getByTestId("run-fill").click();
  const queuedId = await waitForPanelJob(panel, ["queued"], [first.jobId]);
  return { first, afterFirst, queuedId };
}
