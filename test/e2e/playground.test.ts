// The simulated Photoshop itself: open an image from disk, several documents, selection tools with
// feather, layer visibility as a history step, undo/redo, export of the composite as PNG.

import fs from "fs";
import os from "os";
import path from "path";
import sharp from "sharp";
import { screenshot, collectErrors } from "./support/browser";
import { usePlaygroundSession } from "./support/session";
import { activeDoc, openPlayground, openSample } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-pg-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function selection(): Promise<{ bounds: { left: number; top: number; right: number; bottom: number }; values: number[] } | null> {
  return pg.page.evaluate(async () => {
    const h = (window as unknown as { __infill: { host: any } }).__infill.host;
    const a = await h.activeDocument();
    const sel = await h.selection(a.id);
    if (!sel) return null;
    return { bounds: sel.bounds, values: Array.from(new Set<number>(sel.mask.data as Uint8Array)).sort((x, y) => x - y) };
  });
}

test("open from disk, select with feather, toggle a layer, undo/redo, export PNG", async () => {
  const errors = collectErrors(pg.page);
  const file = path.join(dir, "gradient.png");
  const raw = Buffer.alloc(300 * 200 * 3);
  for (let i = 0; i < 300 * 200; i++) raw.set([i % 300, Math.floor(i / 300), 128], i * 3);
  await sharp(raw, { raw: { width: 300, height: 200, channels: 3 } })
    .png()
    .toFile(file);

  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("open-file").setInputFiles(file);
  await pg.page.getByTestId("doc-tab").getByText("gradient.png").waitFor();
  await openSample(pg.page, "hills");
  expect(await pg.page.getByTestId("doc-tab").count()).toBe(2);
  await pg.page.getByTestId("doc-tab").getByText("gradient.png").click();
  let doc = await activeDoc(pg.page);
  expect([doc.width, doc.height]).toEqual([300, 200]);
  await panel
    .getByTestId("selection-info")
    .getByText(/No selection/)
    .waitFor();

  // Ellipse with a feather: a soft-edged mask (values between 0 and 255).
  await pg.page.getByTestId("tool-ellipse").click();
  await pg.page.getByTestId("feather").fill("6");
  const canvas = pg.page.getByTestId("doc-canvas");
  const box = (await canvas.boundingBox())!;
  const k = Number(await canvas.getAttribute("data-scale"));
  await pg.page.mouse.move(box.x + 60 * k, box.y + 40 * k);
  await pg.page.mouse.down();
  await pg.page.mouse.move(box.x + 200 * k, box.y + 150 * k, { steps: 4 });
  await pg.page.mouse.up();
  const soft = await selection();
  expect(soft).not.toBeNull();
  expect(soft!.values.some((v) => v > 0 && v < 255)).toBe(true);
  expect(soft!.values).toContain(255);
  await panel
    .getByTestId("selection-info")
    .getByText(/^Selection: /)
    .waitFor();

  // Lasso without feather: a hard-edged triangle-ish region.
  await pg.page.getByTestId("tool-lasso").click();
  await pg.page.getByTestId("feather").fill("0");
  await pg.page.mouse.move(box.x + 20 * k, box.y + 20 * k);
  await pg.page.mouse.down();
  for (const [x, y] of [
    [150, 30],
    [120, 160],
    [30, 120],
    [20, 20],
  ])
    await pg.page.mouse.move(box.x + x * k, box.y + y * k, { steps: 3 });
  await pg.page.mouse.up();
  const lasso = await selection();
  expect(lasso!.bounds.left).toBeLessThanOrEqual(21);
  expect(lasso!.bounds.right).toBeGreaterThanOrEqual(149);
  await screenshot(pg.page, "playground-lasso-selection");

  // Layer visibility is one history step; undo and redo move through it.
  await pg.page.getByRole("button", { name: "Hide Background" }).click();
  await pg.page.getByTestId("history").getByText("Hide Layer").waitFor();
  doc = await activeDoc(pg.page);
  expect(doc.layers[0].visible).toBe(false);
  await pg.page.getByTestId("undo").click();
  await pg.page.getByRole("button", { name: "Hide Background" }).waitFor();
  expect((await activeDoc(pg.page)).layers[0].visible).toBe(true);
  await pg.page.getByTestId("redo").click();
  await pg.page.getByRole("button", { name: "Show Background" }).waitFor();
  await pg.page.getByTestId("undo").click();
  await pg.page.getByRole("button", { name: "Hide Background" }).waitFor();

  // Export: a PNG of the composite at the document's size.
  const [download] = await Promise.all([pg.page.waitForEvent("download"), pg.page.getByTestId("export").click()]);
  const out = path.join(dir, "export.png");
  await download.saveAs(out);
  const meta = await sharp(out).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(["png", 300, 200]);
  const px = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => Array.from(px.data.subarray((y * 300 + x) * px.info.channels, (y * 300 + x) * px.info.channels + 3));
  expect(at(10, 20)).toEqual([10, 20, 128]);
  expect(at(299, 199)).toEqual([299 & 255, 199, 128]); // the source wrote bytes: 299 stored as 43
  expect(errors).toEqual([]);
});
