import type { Rect, RGBAImage } from "../../src/common/host";
import sharp from "sharp";
import { sniffFormat } from "../../src/common/imaging";
import { SimHost, MAX16 } from "../../src/playground/sim";
import { BrokerError } from "../../src/plugin/broker-client";
import { dismissKept, keepOnly, listKept, reapplyKept, selectVariation, startJob } from "../../src/plugin/workflows";
import { rig, run } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { px } from "../support/pixels";

// Exact-colour checks run without tone matching (it corrects the source's JPEG error by a level or so).
const fill = (extra: object = {}) => ({
  kind: "fill" as const,
  prompt: "a red door",
  numVariations: 2,
  seeds: [101, 202],
  blend: { bandPx: 4, toneMatch: false },
  ...extra,
});

/** One composite pixel, read through a 1×1 window (a whole-document composite is not needed for it). */
const pxAt = async (host: SimHost, id: number, x: number, y: number) =>
  px(await host.composite(id, { window: { left: x, top: y, right: x + 1, bottom: y + 1 } }), 0, 0);

/** Every pixel of `after` equals `before` except inside `rect` (document pixels). */
function changedOnlyInside(before: RGBAImage, after: RGBAImage, rect: Rect): boolean {
  for (let y = 0; y < before.height; y++)
    for (let x = 0; x < before.width; x++) {
      if (x >= rect.left && x < rect.right && y >= rect.top && y < rect.bottom) continue;
      const p = (y * before.width + x) * 4;
      for (let c = 0; c < 4; c++) if (before.data[p + c] !== after.data[p + c]) return false;
    }
  return true;
}

describe("fill", () => {
  test("odd 3001×1999 document: exact placement at 1:1, one history step, a group named after the prompt", async () => {
    const r = rig();
    const id = r.host.createDocument({ title: "odd.psd", width: 3001, height: 1999, pixels: coordImage(3001, 1999) });
    const sel = { left: 1501, top: 777, right: 1644, bottom: 860 };
    r.host.setSelection(id, sel);
    const before = await r.host.composite(id, { window: { left: 1400, top: 700, right: 1750, bottom: 950 } });
    const { final, states } = await run(r, fill());
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(states.map((s) => s.phase).filter((p, i, a) => a[i - 1] !== p)).toEqual(["capturing", "uploading", "running", "downloading", "placing", "done"]);
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill"]);
    const layers = await r.host.layers(id);
    expect(layers.map((l) => [l.name, l.kind, l.visible])).toEqual([
      ["a red door", "group", true],
      ["Fill 2 (seed 202)", "pixel", false],
      ["Fill 1 (seed 101)", "pixel", true],
      ["Background", "pixel", true],
    ]);
    expect(final.variations.map((v) => [v.seed, v.visible, v.layerId !== undefined, v.thumbnail!.startsWith("data:image/jpeg;base64,")])).toEqual([
      [101, true, true, true],
      [202, false, true, true],
    ]);
    // The request: JPEG source and single-channel PNG mask of the same size, at a fill preset.
    const job = r.broker.lastJob();
    const body = job.body as { size: { width: number; height: number }; image: { source: { uploadId: string } }; mask: { source: { uploadId: string } } };
    expect(body.size).toEqual({ width: 1024, height: 1024 });
    expect(sniffFormat(r.broker.uploads.get(body.image.source.uploadId)!.bytes)).toBe("jpeg");
    const maskBytes = r.broker.uploads.get(body.mask.source.uploadId)!.bytes;
    // Read by an independent decoder: one channel (grayscale, no alpha) at the size sent.
    expect(await sharp(Buffer.from(maskBytes)).metadata()).toMatchObject({ format: "png", channels: 1, width: 1024, height: 1024 });
    // Pixels: the selection's interior is the generated colour; outside is untouched.
    const after = await r.host.composite(id, { window: { left: 1400, top: 700, right: 1750, bottom: 950 } });
    expect(changedOnlyInside(before, after, { left: 101, top: 77, right: 244, bottom: 160 })).toBe(true);
    expect(px(after, 101 + 71, 77 + 41)).toEqual([...seedColour(101), 255]);
    expect(px(after, 101 + 10, 77 + 10)).toEqual([...seedColour(101), 255]); // band is 4 px here
    expect(final.target).toEqual({ left: 1497, top: 773, right: 1648, bottom: 864 });
    expect(r.store.byteCount(final.jobId)).toBe(0); // placed: bytes released, record kept
    expect((await r.store.getJob(final.jobId))!.state.phase).toBe("done");
  });

  test.each([
    ["left", { left: 0, top: 300, right: 60, bottom: 380 }, [0, 340]],
    ["right", { left: 1140, top: 300, right: 1200, bottom: 380 }, [1199, 340]],
    ["top", { left: 500, top: 0, right: 580, bottom: 40 }, [540, 0]],
    ["bottom", { left: 500, top: 860, right: 580, bottom: 900 }, [540, 899]],
  ])("selection touching the %s edge: full strength at the canvas edge, nothing outside changes", async (_n, sel, [ex, ey]) => {
    const r = rig();
    const id = r.host.createDocument({ width: 1200, height: 900, pixels: coordImage(1200, 900) });
    r.host.setSelection(id, sel);
    const before = await r.host.composite(id);
    const { final } = await run(r, fill({ numVariations: 1, seeds: [77] }));
    expect(final.phase).toBe("done");
    const after = await r.host.composite(id);
    expect(changedOnlyInside(before, after, sel)).toBe(true);
    expect(px(after, ex, ey)).toEqual([...seedColour(77), 255]);
  });

  test("an 8×8 selection on a 24 MP document lands on exactly those 64 pixels", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 6000, height: 4000, fill: [90, 90, 90] });
    r.host.setSelection(id, { left: 3001, top: 1999, right: 3009, bottom: 2007 });
    const { final } = await run(r, fill({ numVariations: 1, seeds: [5], blend: { bandPx: 0, toneMatch: false } }));
    expect(final.phase).toBe("done");
    const win = await r.host.composite(id, { window: { left: 2999, top: 1997, right: 3011, bottom: 2009 } });
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 12; x++) {
        const inside = x >= 2 && x < 10 && y >= 2 && y < 10;
        expect(px(win, x, y)).toEqual(inside ? [...seedColour(5), 255] : [90, 90, 90, 255]);
      }
    expect((r.broker.lastJob().body as { size: object }).size).toEqual({ width: 1024, height: 1024 });
    // Read once, at the size sent.
    expect(r.host.compositeLog.slice(0, 2)).toEqual([
      { docId: id, request: { window: { left: 2493, top: 1491, right: 3517, bottom: 2515 }, targetSize: { width: 1024, height: 1024 } } },
      { docId: id, request: { window: { left: 2999, top: 1997, right: 3011, bottom: 2009 } } }, // this test's own read
    ]);
  });

  test("a feathered ellipse keeps its feathering; unselected pixels never change", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 1100, height: 1000, fill: [0, 0, 0] });
    r.host.setEllipseSelection(id, { left: 400, top: 300, right: 700, bottom: 500 }, 20);
    const sel = (await r.host.selection(id))!;
    const before = await r.host.composite(id);
    const { final } = await run(r, fill({ numVariations: 1, seeds: [9], blend: { bandPx: 6, toneMatch: false } }));
    expect(final.phase).toBe("done");
    const after = await r.host.composite(id);
    const [cr] = seedColour(9);
    let partial = 0;
    let changedOutside = 0;
    let tooStrong = 0;
    for (let y = 0; y < 1000; y++)
      for (let x = 0; x < 1100; x++) {
        const inSel = x >= sel.bounds.left && x < sel.bounds.right && y >= sel.bounds.top && y < sel.bounds.bottom;
        const m = inSel ? sel.mask.data[(y - sel.bounds.top) * sel.mask.width + (x - sel.bounds.left)] : 0;
        const p = (y * 1100 + x) * 4;
        if (m === 0) {
          if (after.data[p] !== before.data[p] || after.data[p + 1] !== before.data[p + 1] || after.data[p + 2] !== before.data[p + 2]) changedOutside++;
        } else {
          // Never more than the selection's own value lets through.
          if (after.data[p] > Math.round((cr * m) / 255) + 1) tooStrong++;
          if (m < 255) partial++;
        }
      }
    expect(changedOutside).toBe(0);
    expect(tooStrong).toBe(0);
    expect(partial).toBeGreaterThan(1000);
    expect(px(after, 550, 400)).toEqual([...seedColour(9), 255]);
  });

  test("a selection larger than 2048 is read once at the preset size and placed back exactly", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 3001, height: 1999, fill: [30, 60, 90] });
    const sel = { left: 300, top: 200, right: 2700, bottom: 1700 };
    r.host.setSelection(id, sel);
    const { final } = await run(r, fill({ numVariations: 1, seeds: [33] }));
    expect(final.phase).toBe("done");
    expect(r.host.compositeLog.length).toBe(1);
    const { window, targetSize } = r.host.compositeLog[0].request;
    expect(targetSize).toEqual((r.broker.lastJob().body as { size: object }).size);
    expect(window!.right - window!.left).toBeGreaterThan(targetSize!.width);
    expect(await pxAt(r.host, id, 299, 900)).toEqual([30, 60, 90, 255]);
    expect(await pxAt(r.host, id, 2700, 900)).toEqual([30, 60, 90, 255]);
    expect(await pxAt(r.host, id, 1500, 199)).toEqual([30, 60, 90, 255]);
    expect(await pxAt(r.host, id, 1500, 1700)).toEqual([30, 60, 90, 255]);
    expect(await pxAt(r.host, id, 1500, 900)).toEqual([...seedColour(33), 255]);
    expect(await pxAt(r.host, id, 340, 240)).toEqual([...seedColour(33), 255]);
    expect(await pxAt(r.host, id, 2660, 1660)).toEqual([...seedColour(33), 255]);
  });

  test("results at another size than requested are scaled by the exact factors", async () => {
    const r = rig({ outputScale: 0.5 });
    const id = r.host.createDocument({ width: 2000, height: 1500, fill: [10, 10, 10] });
    r.host.setSelection(id, { left: 800, top: 600, right: 1000, bottom: 700 });
    const { final } = await run(r, fill({ numVariations: 1, seeds: [3], blend: { bandPx: 0, toneMatch: false } }));
    expect(final.phase).toBe("done");
    expect(await pxAt(r.host, id, 799, 650)).toEqual([10, 10, 10, 255]);
    expect(await pxAt(r.host, id, 1000, 650)).toEqual([10, 10, 10, 255]);
    expect(await pxAt(r.host, id, 900, 650)).toEqual([...seedColour(3), 255]);
  });
});

describe("property: every pixel outside the selection is identical to the original", () => {
  test("random documents, selections, feathering, bands and transparency", async () => {
    let s = 987654321;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const ri = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
    for (let iter = 0; iter < 6; iter++) {
      const W = ri(40, 260);
      const H = ri(40, 260);
      const r = rig({ format: iter % 4 === 1 ? "jpeg" : "png", drift: [ri(-20, 20), ri(-20, 20), ri(-20, 20)] });
      const transparent = iter % 3 === 0;
      const base = coordImage(W, H);
      if (transparent) for (let p = 3; p < base.data.length; p += 4) base.data[p] = (p >> 2) % 3 === 0 ? 0 : 200;
      const id = r.host.createDocument({ width: W, height: H, pixels: base, background: !transparent });
      const bounds = { left: ri(-30, W - 5), top: ri(-30, H - 5), right: 0, bottom: 0 };
      bounds.right = bounds.left + ri(5, W);
      bounds.bottom = bounds.top + ri(5, H);
      if (iter % 2) r.host.setEllipseSelection(id, bounds, ri(0, 12));
      else r.host.setSelection(id, bounds);
      const sel = await r.host.selection(id);
      if (!sel) continue;
      const before = await r.host.composite(id);
      const { final } = await run(r, fill({ numVariations: ri(1, 2), seeds: undefined, blend: { bandPx: ri(0, 10), toneMatch: iter % 4 !== 1 } }));
      expect(final.error).toBeUndefined();
      const after = await r.host.composite(id);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const inB = x >= sel.bounds.left && x < sel.bounds.right && y >= sel.bounds.top && y < sel.bounds.bottom;
          const m = inB ? sel.mask.data[(y - sel.bounds.top) * sel.mask.width + (x - sel.bounds.left)] : 0;
          const p = (y * W + x) * 4;
          const same =
            after.data[p] === before.data[p] &&
            after.data[p + 1] === before.data[p + 1] &&
            after.data[p + 2] === before.data[p + 2] &&
            after.data[p + 3] === before.data[p + 3];
          if (m === 0 && !same) throw new Error(`iteration ${iter}: pixel ${x},${y} changed outside the selection`);
        }
    }
  });
});

describe("document binding, failures and cancellation", () => {
  test("a failed apply rolls back completely and keeps the results; re-apply places them", async () => {
    const r = smallRig();
    const id = r.host.createDocument({ title: "a.psd", width: 1200, height: 1000, pixels: coordImage(1200, 1000) });
    r.host.setSelection(id, { left: 100, top: 100, right: 200, bottom: 200 });
    const state = r.host.stateOf(id);
    r.host.faults.failApplyAtOp = 3;
    const { final } = await run(r, fill());
    expect(final.phase).toBe("kept");
    expect(final.error!.detail).toMatch(/injected failure/);
    expect(r.host.stateOf(id)).toBe(state);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
    expect(r.store.byteCount(final.jobId)).toBeGreaterThan(0);
    const again = await reapplyKept(final.jobId, r.deps, () => undefined);
    expect(again.phase).toBe("done");
    expect(px(await r.host.composite(id, { window: { left: 150, top: 150, right: 151, bottom: 151 } }), 0, 0)).toEqual([...seedColour(101), 255]);
  });

  test("canvas resized during the job: refuses to place, keeps results; after undo, re-apply works", async () => {
    const r = smallRig({ script: ["running", "running"] });
    const id = r.host.createDocument({ title: "b.psd", width: 1200, height: 1000, fill: [1, 2, 3] });
    r.host.setSelection(id, { left: 100, top: 100, right: 200, bottom: 200 });
    const job = startJob(fill(), r.deps, (s) => {
      if (s.phase === "running" && r.host.stateOf(id).width === 1200) r.host.resizeCanvasByHand(id, 1300, 1000);
    });
    const final = await job.done;
    expect(final.phase).toBe("kept");
    expect(final.error!.category).toBe("document");
    expect(final.error!.message).toMatch(/changed size/);
    expect(r.host.historyNames(id)).toEqual(["Open", "Canvas Size"]);
    r.host.undo(id);
    const placed = await reapplyKept(job.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(await pxAt(r.host, id, 150, 150)).toEqual([...seedColour(101), 255]);
  });

  test("document closed during the job: results kept; re-applied into the reopened document (same title and size)", async () => {
    const r = smallRig({ script: ["running"] });
    const id = r.host.createDocument({ title: "c.psd", width: 1100, height: 1000, fill: [5, 5, 5] });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const job = startJob(fill(), r.deps, (s) => {
      if (s.phase === "running") r.host.closeDocument(id);
    });
    const final = await job.done;
    expect(final.phase).toBe("kept");
    expect(final.error!.message).toMatch(/was closed/);
    expect(final.variations.length).toBe(2);
    // After a panel reload the kept job is listed from the store alone.
    expect((await listKept(r.deps)).map((s) => [s.jobId, s.phase])).toEqual([[job.jobId, "kept"]]);
    const reopened = r.host.createDocument({ title: "c.psd", width: 1100, height: 1000, fill: [5, 5, 5] });
    const placed = await reapplyKept(job.jobId, r.deps, () => undefined);
    expect(placed.phase).toBe("done");
    expect(placed.docId).toBe(reopened);
    expect(await pxAt(r.host, reopened, 30, 30)).toEqual([...seedColour(101), 255]);
    expect(await listKept(r.deps)).toEqual([]);
    await dismissKept(job.jobId, r.deps);
    expect(await r.store.getJob(job.jobId)).toBeNull();
  });

  test("cancel while queued: PUT cancel sent, document untouched, bytes dropped", async () => {
    const r = smallRig({ script: ["queued", "queued", "queued", "queued"] });
    const id = r.host.createDocument({ width: 1100, height: 1000 });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const state = r.host.stateOf(id);
    const seen: (number | undefined)[] = [];
    const job = startJob(fill(), r.deps, (s) => {
      if (s.phase === "queued") {
        seen.push(s.queuePosition);
        if (s.queuePosition === 3) job.cancel();
      }
    });
    const final = await job.done;
    expect(final.phase).toBe("cancelled");
    expect(seen).toEqual([4, 3]);
    expect(r.broker.cancelCalls.length).toBe(1);
    expect(r.host.stateOf(id)).toBe(state);
    expect(r.store.byteCount(job.jobId)).toBe(0);
  });

  test("a job refused by the content policy fails with that category and leaves the document alone", async () => {
    const r = smallRig({ finalStatus: "failed", errorCode: "output_media_unsafe" });
    const id = r.host.createDocument({ width: 1100, height: 1000 });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const state = r.host.stateOf(id);
    const { final } = await run(r, fill());
    expect(final.phase).toBe("failed");
    expect(final.error!.category).toBe("content_policy");
    expect(r.host.stateOf(id)).toBe(state);
  });

  test("rate limits: the submit is retried after retry-after; the status poll honours it too", async () => {
    const r = smallRig({ submitError: new BrokerError("rate_limited", "slow down", "HTTP 429", 429, "rate_limited", 7000) });
    const id = r.host.createDocument({ width: 1100, height: 1000 });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const { final } = await run(r, fill());
    expect(final.phase).toBe("done");
    expect(r.sleeps[0]).toBe(7000);
    expect(r.sleeps.slice(1).every((ms) => ms === 1500)).toBe(true);
  });

  test.each([
    ["cmyk", /CMYK/],
    ["grayscale", /Grayscale/],
    ["lab", /Lab/],
    ["indexed", /Indexed Color/],
  ] as const)("%s documents are refused with what to do", async (mode, name) => {
    const r = rig();
    const id = r.host.createDocument({ width: 100, height: 100, mode });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const { final } = await run(r, fill());
    expect(final.phase).toBe("failed");
    expect(final.error!.category).toBe("document");
    expect(final.error!.message).toMatch(name);
    expect(final.error!.message).toMatch(/RGB Color/);
    expect(r.broker.uploads.size).toBe(0);
  });

  test("no selection and no document give clear messages", async () => {
    const r = rig();
    expect((await run(r, fill())).final.error!.message).toMatch(/Open a document/);
    r.host.createDocument({ width: 100, height: 100 });
    expect((await run(r, fill())).final.error!.message).toMatch(/Make a selection/);
  });

  test("16-bit documents are written back in 16-bit values", async () => {
    const host = new SimHost();
    const r = smallRig({}, host);
    const samples = new Uint16Array(1100 * 1000 * 4).fill(MAX16);
    const id = host.createDocument({ width: 1100, height: 1000, bitDepth: 16, samples });
    host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const { final } = await run(r, fill({ numVariations: 1, seeds: [11] }));
    expect(final.phase).toBe("done");
    const layer = host.layerSamples(id, final.variations[0].layerId!);
    const [cr, cg, cb] = seedColour(11);
    const mid = ((35 - layer.top) * layer.width + (35 - layer.left)) * 4;
    expect(Array.from(layer.data.subarray(mid, mid + 4))).toEqual([cr, cg, cb, 255].map((v) => Math.round((v * MAX16) / 255)));
    expect(await pxAt(host, id, 5, 5)).toEqual([255, 255, 255, 255]);
  });
});

describe("variations", () => {
  test("select shows one and hides the others; keep-only deletes the others", async () => {
    const r = smallRig();
    const id = r.host.createDocument({ width: 1100, height: 1000, fill: [0, 0, 0] });
    r.host.setSelection(id, { left: 10, top: 10, right: 60, bottom: 60 });
    const { final } = await run(r, fill({ numVariations: 3, seeds: [1, 2, 3] }));
    const shown = await selectVariation(final, 2, r.deps);
    expect(shown.variations.map((v) => v.visible)).toEqual([false, false, true]);
    expect(await pxAt(r.host, id, 30, 30)).toEqual([...seedColour(3), 255]);
    const kept = await keepOnly(shown, 2, r.deps);
    expect(kept.variations.map((v) => v.seed)).toEqual([3]);
    expect((await r.host.layers(id)).map((l) => l.name)).toEqual(["a red door", "Fill 3 (seed 3)", "Background"]);
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Fill", "Infill: Show Variation", "Infill: Keep Variation"]);
  });
});
