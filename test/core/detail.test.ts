import { FILL_SIZES } from "../../src/common/firefly";
import type { Rect } from "../../src/common/host";
import {
  chooseUpscale,
  coverInterpolation,
  describeDetailPlan,
  describeInterpolation,
  estimateSeconds,
  expandInterpolation,
  fillInterpolation,
  planNativeDetail,
  planStandardDetail,
  tileRects,
  uniformUpscale,
} from "../../src/common/imaging/detail";
import { containsRect, planExpandGeometry, planFillGeometry } from "../../src/common/imaging";
import { rng } from "./helpers/images";

const D24 = { width: 6000, height: 4000 };
const input = (doc: { width: number; height: number }, selection: Rect, variations = 4) => ({ doc, selection, presets: FILL_SIZES, variations, bandPx: 16 });

describe("interpolation factor", () => {
  test("fill: window pixels per generated pixel, per axis, and the phrase", () => {
    const small = planFillGeometry(D24, { left: 2000, top: 1500, right: 2300, bottom: 1700 }, FILL_SIZES);
    expect(fillInterpolation(small)).toEqual({ x: 1, y: 1, max: 1 });
    expect(describeInterpolation(fillInterpolation(small))).toBe("generated at native size");
    const big = planFillGeometry(D24, { left: 1500, top: 1000, right: 4500, bottom: 3000 }, FILL_SIZES);
    expect(big.window).toEqual({ left: 1125, top: 541, right: 4875, bottom: 3458 });
    expect(fillInterpolation(big)).toEqual({ x: 3750 / 2304, y: 2917 / 1792, max: 2917 / 1792 });
    expect(describeInterpolation(fillInterpolation(big))).toBe("generated at 1/1.6 of native size");
    const tiny = planFillGeometry({ width: 800, height: 600 }, { left: 100, top: 100, right: 200, bottom: 200 }, FILL_SIZES);
    expect(describeInterpolation(fillInterpolation(tiny))).toBe("generated at 1.5× native size");
  });

  test("expand: the canvas over the output; generate into a selection: the cover scale", () => {
    const g = planExpandGeometry(D24, { kind: "sides", left: 500, top: 0, right: 0, bottom: 0 });
    expect(expandInterpolation(g)).toEqual({ x: 6500 / 3999, y: 4000 / 2461, max: 6500 / 3999 });
    expect(describeInterpolation(expandInterpolation(g))).toBe("generated at 1/1.6 of native size");
    // 2304×1792 covering a 3001×1999 target: scaled to 3001×2334.
    expect(coverInterpolation({ width: 2304, height: 1792 }, { left: 0, top: 0, right: 3001, bottom: 1999 })).toEqual({
      x: 3001 / 2304,
      y: 2334 / 1792,
      max: 3001 / 2304,
    });
  });

  test("uniform upscale for an expand or cover result: the smallest factor that reaches 1 within 6000 px", () => {
    expect(uniformUpscale({ x: 1, y: 1, max: 1 }, { width: 2000, height: 1000 })).toBeNull();
    expect(uniformUpscale({ x: 2.5, y: 2.5, max: 2.5 }, { width: 1500, height: 1000 })).toBe(3);
    expect(uniformUpscale({ x: 1.6, y: 1.6, max: 1.6 }, { width: 3999, height: 2461 })).toBeNull();
  });
});

describe("native detail plan", () => {
  test("3000×2000 on 24 MP: 1 fill + 4 upscales ×2 of the result's window only", () => {
    const standard = planStandardDetail(input(D24, { left: 1500, top: 1000, right: 4500, bottom: 3000 }));
    expect(standard.requests).toBe(1);
    expect(standard.interpolation.max).toBeCloseTo(2917 / 1792, 12);
    const plan = planNativeDetail(input(D24, { left: 1500, top: 1000, right: 4500, bottom: 3000 }));
    expect(plan.parts).toHaveLength(1);
    const [part] = plan.parts;
    expect(part.placeRect).toEqual({ left: 1484, top: 984, right: 4516, bottom: 3016 });
    // The selection plus band, in generated pixels (2304/3750 across, 1792/2917 down), rounded outward.
    expect(part.upscale).toEqual({ factor: 2, crop: { left: 220, top: 272, right: 2084, bottom: 1521 }, outputSize: { width: 3728, height: 2498 } });
    expect(plan.interpolation).toEqual({ x: 3750 / 2304 / 2, y: 2917 / 1792 / 2, max: 2917 / 1792 / 2 });
    expect([plan.fills, plan.upscales, plan.requests]).toEqual([1, 4, 5]);
    expect(describeDetailPlan(plan, 4)).toBe("Native detail: 1 fill + 4 upscales = 5 requests, about 75 s at 4/min");
    expect(describeDetailPlan(standard, 4)).toBe("Standard detail: 1 fill = 1 request, about 15 s at 4/min");
  });

  test("chooseUpscale: the smallest factor at or above the interpolation, none beyond the output limit", () => {
    const g = planFillGeometry(D24, { left: 500, top: 500, right: 5500, bottom: 3500 }, FILL_SIZES);
    const place = { left: 484, top: 484, right: 5516, bottom: 3516 };
    expect(fillInterpolation(g).max).toBeCloseTo(3429 / 1536, 12);
    expect(chooseUpscale(g, place, 10000)?.factor).toBe(3);
    // ×3 would give 6762 px across: past 6000, so this one fill cannot reach native detail.
    expect(chooseUpscale(g, place)).toBeNull();
  });

  test("5000×3000 on 24 MP: tiles, the fewest requests (8 tiles at 1:1 beat 2 tiles + 8 upscales for 4 variations)", () => {
    const sel = { left: 500, top: 500, right: 5500, bottom: 3500 };
    const four = planNativeDetail(input(D24, sel, 4));
    expect([four.fills, four.upscales, four.requests, four.overlapPx]).toEqual([8, 0, 8, 32]);
    expect(four.parts[0].geometry.selection).toEqual({ left: 500, top: 500, right: 1774, bottom: 2016 });
    expect(four.parts[1].geometry.selection).toEqual({ left: 1742, top: 500, right: 3016, bottom: 2016 });
    expect(four.interpolation.max).toBeLessThanOrEqual(1);
    expect(describeDetailPlan(four, 4)).toBe("Native detail: 8 tile fills = 8 requests, about 2 min at 4/min");
    const one = planNativeDetail(input(D24, sel, 1));
    expect([one.fills, one.upscales, one.requests]).toEqual([2, 2, 4]);
    expect(one.parts.map((p) => p.upscale?.factor)).toEqual([2, 2]);
  });

  test("a 4540×27 strip: tiles only along its length (3 tiles at 1:1 beat 2 tiles + 4 upscales)", () => {
    const plan = planNativeDetail(input({ width: 5612, height: 4031 }, { left: 307, top: 2469, right: 4847, bottom: 2496 }, 2));
    expect([plan.fills, plan.upscales, plan.requests]).toEqual([3, 0, 3]);
    expect(plan.parts.map((p) => p.geometry.selection)).toEqual([
      { left: 307, top: 2469, right: 1842, bottom: 2496 },
      { left: 1810, top: 2469, right: 3344, bottom: 2496 },
      { left: 3312, top: 2469, right: 4847, bottom: 2496 },
    ]);
    expect(plan.interpolation).toEqual({ x: 1, y: 1, max: 1 });
  });

  test("tiles split the extent with the overlap, ends exact", () => {
    expect(tileRects({ left: 0, top: 0, right: 1000, bottom: 100 }, 2, 1, 32)).toEqual([
      { left: 0, top: 0, right: 516, bottom: 100 },
      { left: 484, top: 0, right: 1000, bottom: 100 },
    ]);
    expect(tileRects({ left: 10, top: 20, right: 310, bottom: 920 }, 1, 3, 30).map((r) => [r.top, r.bottom])).toEqual([
      [20, 340],
      [310, 630],
      [600, 920],
    ]);
  });

  test("pace: the estimate and a bad pace", () => {
    const plan = planNativeDetail(input({ width: 8000, height: 6000 }, { left: 1000, top: 0, right: 7000, bottom: 6000 }));
    expect(plan.requests).toBe(16);
    expect(estimateSeconds(plan, 4)).toBe(240);
    expect(describeDetailPlan(plan, 4)).toBe("Native detail: 16 tile fills = 16 requests, about 4 min at 4/min");
    expect(() => estimateSeconds(plan, 0)).toThrow(/pace/);
  });

  test("property: 150 seeded documents (2000² to 8000×6000) and selections: native detail ≤ 1, tiles cover the selection", () => {
    const r = rng(1616);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let n = 0; n < 150; n++) {
      const doc = { width: int(2000, 8000), height: int(2000, 6000) };
      const w = int(16, Math.min(6000, doc.width));
      const h = r() < 0.3 ? int(16, 400) : int(16, Math.min(6000, doc.height));
      const left = int(0, doc.width - w);
      const top = int(0, doc.height - h);
      const sel = { left, top, right: left + w, bottom: top + h };
      const plan = planNativeDetail(input(doc, sel, int(1, 4)));
      expect(plan.interpolation.max).toBeLessThanOrEqual(1 + 1e-6);
      for (const p of plan.parts) {
        expect(containsRect(p.geometry.window, p.geometry.selection)).toBe(true);
        if (p.upscale) expect(Math.max(p.upscale.outputSize.width, p.upscale.outputSize.height)).toBeLessThanOrEqual(6000);
      }
      // Every selected pixel's row and column lie in some tile: the tiles' union is the selection.
      const u = plan.parts.map((p) => p.geometry.selection);
      expect(Math.min(...u.map((t) => t.left))).toBe(sel.left);
      expect(Math.max(...u.map((t) => t.right))).toBe(sel.right);
      expect(Math.min(...u.map((t) => t.top))).toBe(sel.top);
      expect(Math.max(...u.map((t) => t.bottom))).toBe(sel.bottom);
      expect(plan.requests).toBe(plan.fills + plan.upscales);
    }
  });
});
