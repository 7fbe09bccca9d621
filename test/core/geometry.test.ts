import { FILL_SIZES, GENERATE_SIZES_IMAGE4 } from "../../src/common/firefly";
import {
  ANISOTROPY_LIMIT,
  anisotropyOf,
  baseWindow,
  containsRect,
  minimalContext,
  closestPreset,
  coverPlacement,
  expandCanvasOps,
  expandLayerRect,
  fitAround,
  planExpandGeometry,
  planFillGeometry,
} from "../../src/common/imaging";
import { rng } from "./helpers/images";

const D24 = { width: 6000, height: 4000 };
const center = { horizontal: "center", vertical: "center" } as const;

describe("fill context window and size choice", () => {
  test("a 300×200 selection on 6000×4000 goes out and comes back at 1:1 (native resolution)", () => {
    const g = planFillGeometry(D24, { left: 2000, top: 1500, right: 2300, bottom: 1700 }, FILL_SIZES);
    expect(g.sendSize).toEqual({ width: 1024, height: 1024 });
    expect(g.window).toEqual({ left: 1638, top: 1088, right: 2662, bottom: 2112 });
    expect([g.scaleX, g.scaleY]).toEqual([1, 1]);
  });

  test("a 5000×3000 selection is downscaled once, to the preset with the least distortion", () => {
    const g = planFillGeometry(D24, { left: 500, top: 500, right: 5500, bottom: 3500 }, FILL_SIZES);
    expect(g.sendSize).toEqual({ width: 2688, height: 1536 });
    expect(g.window).toEqual({ left: 0, top: 285, right: 6000, bottom: 3714 });
    expect(g.scaleX).toBeCloseTo(0.448, 6);
    expect(g.scaleY).toBeCloseTo(1536 / 3429, 9);
    // The window contains the selection.
    expect(g.window.top).toBeLessThanOrEqual(500);
    expect(g.window.bottom).toBeGreaterThanOrEqual(3500);
  });

  test("1200×900 selection: the 2304×1792 window at exactly 1:1", () => {
    const g = planFillGeometry(D24, { left: 2400, top: 1500, right: 3600, bottom: 2400 }, FILL_SIZES);
    expect(g.sendSize).toEqual({ width: 2304, height: 1792 });
    expect(g.window).toEqual({ left: 1848, top: 1054, right: 4152, bottom: 2846 });
  });

  test("an 8×8 selection on 24 MP still gets a 1024×1024 context at 1:1", () => {
    const g = planFillGeometry(D24, { left: 2996, top: 1996, right: 3004, bottom: 2004 }, FILL_SIZES);
    expect(g.window).toEqual({ left: 2488, top: 1488, right: 3512, bottom: 2512 });
    expect(g.sendSize).toEqual({ width: 1024, height: 1024 });
  });

  test("selections touching each canvas edge keep the window inside the canvas (odd 3001×1999)", () => {
    const doc = { width: 3001, height: 1999 };
    const cases = [
      [
        { left: 0, top: 900, right: 57, bottom: 1001 },
        { left: 0, top: 438, right: 1024, bottom: 1462 },
      ],
      [
        { left: 2944, top: 900, right: 3001, bottom: 1001 },
        { left: 1977, top: 438, right: 3001, bottom: 1462 },
      ],
      [
        { left: 1400, top: 0, right: 1501, bottom: 33 },
        { left: 938, top: 0, right: 1962, bottom: 1024 },
      ],
      [
        { left: 1400, top: 1966, right: 1501, bottom: 1999 },
        { left: 938, top: 975, right: 1962, bottom: 1999 },
      ],
    ] as const;
    for (const [sel, win] of cases) expect(planFillGeometry(doc, sel, FILL_SIZES).window).toEqual(win);
  });

  test("a selection larger than 2048 on a 3001×1999 document", () => {
    const g = planFillGeometry({ width: 3001, height: 1999 }, { left: 100, top: 50, right: 2901, bottom: 1949 }, FILL_SIZES);
    // Padding shrinks to a quarter sideways so the window stays as close to the preset's aspect as the canvas allows.
    expect(g.window).toEqual({ left: 12, top: 0, right: 2989, bottom: 1999 });
    expect(g.sendSize).toEqual({ width: 2304, height: 1792 });
    expect(g.scaleX).toBeCloseTo(2304 / 2977, 12);
    expect(g.scaleY).toBeCloseTo(1792 / 1999, 12);
    // No preset's shape can hold this selection inside the canvas: the least stretch of all presets, said.
    expect(g.anisotropy).toBeCloseTo(1792 / 1999 / (2304 / 2977) - 1, 12);
    expect(g.note).toMatch(/stretched 15\.8%/);
  });

  test("a small canvas: the window keeps the preset's shape (771×600 for 1152×896) and is scaled uniformly", () => {
    // The whole 800×600 canvas sent as 1152×896 would scale 1.44 × 1.493 (a 3.7% stretch).
    const g = planFillGeometry({ width: 800, height: 600 }, { left: 100, top: 100, right: 200, bottom: 200 }, FILL_SIZES);
    expect(g.window).toEqual({ left: 0, top: 0, right: 771, bottom: 600 });
    expect(g.sendSize).toEqual({ width: 1152, height: 896 });
    expect(g.scaleX).toBeCloseTo(1152 / 771, 12);
    expect(g.scaleY).toBeCloseTo(896 / 600, 12);
    expect(g.anisotropy).toBeCloseTo(1152 / 771 / (896 / 600) - 1, 12);
    expect(g.note).toBeUndefined();
  });

  test("selection bounds beyond the canvas are clamped", () => {
    const g = planFillGeometry({ width: 1000, height: 1000 }, { left: -50, top: -50, right: 100, bottom: 100 }, FILL_SIZES);
    expect(g.selection).toEqual({ left: 0, top: 0, right: 100, bottom: 100 });
    expect(g.window).toEqual({ left: 0, top: 0, right: 1000, bottom: 1000 });
    expect(() => planFillGeometry({ width: 100, height: 100 }, { left: 200, top: 0, right: 300, bottom: 50 }, FILL_SIZES)).toThrow(/outside/);
  });

  test("base window: padding 1/8 of the longest side, at least 512 of context", () => {
    expect(baseWindow(D24, { left: 1000, top: 1000, right: 1800, bottom: 1400 })).toEqual({ left: 900, top: 900, right: 1900, bottom: 1500 });
    expect(baseWindow(D24, { left: 10, top: 10, right: 20, bottom: 20 })).toEqual({ left: 0, top: 0, right: 512, bottom: 512 });
  });

  test("fitAround centres and shifts into bounds", () => {
    expect(fitAround({ left: 0, top: 0, right: 10, bottom: 10 }, 100, 50, { left: 0, top: 0, right: 200, bottom: 200 })).toEqual({
      left: 0,
      top: 0,
      right: 100,
      bottom: 50,
    });
    expect(fitAround({ left: 90, top: 90, right: 110, bottom: 110 }, 40, 40, { left: 0, top: 0, right: 200, bottom: 200 })).toEqual({
      left: 80,
      top: 80,
      right: 120,
      bottom: 120,
    });
  });
});

describe("fill context keeps the preset's shape", () => {
  test("960×640 document, 200×200 selection: an undistorted 823×640 window, not the whole canvas as 1152×896", () => {
    const g = planFillGeometry({ width: 960, height: 640 }, { left: 380, top: 220, right: 580, bottom: 420 }, FILL_SIZES);
    expect(g.window).toEqual({ left: 68, top: 0, right: 891, bottom: 640 });
    expect(g.sendSize).toEqual({ width: 1152, height: 896 });
    expect(g.scaleY).toBe(1.4);
    expect(g.scaleX).toBeCloseTo(1152 / 823, 12);
    expect(g.anisotropy).toBeLessThan(0.0002);
    expect(g.note).toBeUndefined();
  });

  test("a whole 3:2 document selected: no shape fits, the least stretch (16.7%) is chosen and said", () => {
    const g = planFillGeometry({ width: 960, height: 640 }, { left: 0, top: 0, right: 960, bottom: 640 }, FILL_SIZES);
    expect(g.window).toEqual({ left: 0, top: 0, right: 960, bottom: 640 });
    // 9:7 and 7:4 are equally far from 3:2 (both 1.4/1.2); the first in the list wins the tie.
    expect(g.sendSize).toEqual({ width: 1344, height: 768 });
    expect(g.anisotropy).toBeCloseTo(1 / 6, 12);
    expect(g.note).toBe(
      "No Firefly shape fits around this selection: its context (960×640) goes out as 1344×768, stretched 16.7%, and the result is stretched back when placed.",
    );
  });

  test("odd-shaped documents: a 5000×300 strip and a 300×300 square with a full-height column", () => {
    const strip = planFillGeometry({ width: 5000, height: 300 }, { left: 100, top: 50, right: 400, bottom: 250 }, FILL_SIZES);
    expect(strip.window).toEqual({ left: 0, top: 0, right: 525, bottom: 300 });
    expect(strip.sendSize).toEqual({ width: 1344, height: 768 });
    expect([strip.scaleX, strip.scaleY]).toEqual([2.56, 2.56]);
    const column = planFillGeometry({ width: 300, height: 300 }, { left: 0, top: 0, right: 50, bottom: 300 }, FILL_SIZES);
    expect(column.window).toEqual({ left: 0, top: 0, right: 300, bottom: 300 });
    expect(column.sendSize).toEqual({ width: 1024, height: 1024 });
    expect(column.anisotropy).toBe(0);
  });

  test("edge-touching selection on a 1001×777 document: window against the corner, shape kept", () => {
    const g = planFillGeometry({ width: 1001, height: 777 }, { left: 700, top: 500, right: 1001, bottom: 777 }, FILL_SIZES);
    expect(g.window.right).toBe(1001);
    expect(g.window.bottom).toBe(777);
    expect(containsRect(g.window, g.selection)).toBe(true);
    expect(g.anisotropy).toBeLessThanOrEqual(ANISOTROPY_LIMIT);
    expect(g.window).toEqual({ left: 2, top: 0, right: 1001, bottom: 777 }); // 999 = 777 × 9/7
    expect(g.sendSize).toEqual({ width: 1152, height: 896 });
  });

  test("property: for 2000 seeded random documents and selections the stretch stays within 3% whenever any preset's shape can hold the selection's minimal context, and is said otherwise", () => {
    const r = rng(16);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    let stretched = 0;
    for (let n = 0; n < 2000; n++) {
      const doc = { width: int(64, 8000), height: int(64, 8000) };
      const w = int(1, doc.width);
      const h = int(1, doc.height);
      const left = int(0, doc.width - w);
      const top = int(0, doc.height - h);
      const sel = { left, top, right: left + w, bottom: top + h };
      const g = planFillGeometry(doc, sel, FILL_SIZES);
      expect(containsRect(g.window, sel)).toBe(true);
      expect(containsRect({ left: 0, top: 0, right: doc.width, bottom: doc.height }, g.window)).toBe(true);
      expect(g.anisotropy).toBeCloseTo(anisotropyOf(g.scaleX, g.scaleY), 12);
      const tight = minimalContext(doc, sel);
      const tw = tight.right - tight.left;
      const th = tight.bottom - tight.top;
      const fits = FILL_SIZES.some((p) => Math.max(tw, (th * p.width) / p.height) <= Math.min(doc.width, (doc.height * p.width) / p.height));
      if (fits) {
        expect(g.anisotropy).toBeLessThanOrEqual(ANISOTROPY_LIMIT);
        expect(g.note).toBeUndefined();
      } else if (g.anisotropy > ANISOTROPY_LIMIT) {
        stretched++;
        expect(g.note).toMatch(/stretched/);
      }
    }
    // The generator reaches both kinds of case.
    expect(stretched).toBeGreaterThan(50);
  });
});

describe("expand geometry", () => {
  const doc = { width: 1000, height: 800 };
  test.each([
    ["left", { left: 200, top: 0, right: 0, bottom: 0 }, [{ op: "resizeCanvas", width: 1200, height: 800, anchor: "bottomRight" }]],
    ["top", { left: 0, top: 150, right: 0, bottom: 0 }, [{ op: "resizeCanvas", width: 1000, height: 950, anchor: "bottomRight" }]],
    ["right", { left: 0, top: 0, right: 333, bottom: 0 }, [{ op: "resizeCanvas", width: 1333, height: 800, anchor: "topLeft" }]],
    ["bottom", { left: 0, top: 0, right: 0, bottom: 77 }, [{ op: "resizeCanvas", width: 1000, height: 877, anchor: "topLeft" }]],
    [
      "all",
      { left: 10, top: 20, right: 30, bottom: 40 },
      [
        { op: "resizeCanvas", width: 1010, height: 820, anchor: "bottomRight" },
        { op: "resizeCanvas", width: 1040, height: 860, anchor: "topLeft" },
      ],
    ],
  ])("sides: %s", (_name, sides, ops) => {
    const g = planExpandGeometry(doc, { kind: "sides", ...sides });
    expect(g.insets).toEqual(sides);
    expect(expandCanvasOps(g)).toEqual(ops);
    expect(g.canvas).toEqual({ width: 1000 + sides.left + sides.right, height: 800 + sides.top + sides.bottom });
  });

  test("aspect 16:9 centred, and the layer rectangle of a one-sided expand", () => {
    const g = planExpandGeometry(doc, { kind: "aspect", aspect: "16:9", alignment: center });
    expect(g.canvas).toEqual({ width: 1422, height: 800 });
    expect(g.insets).toEqual({ left: 211, top: 0, right: 211, bottom: 0 });
    expect(g.scale).toBe(1);
    const right = planExpandGeometry(doc, { kind: "sides", left: 0, top: 0, right: 300, bottom: 0 });
    // Only the new area: a one-sided expand's layer is exactly the new strip, never a column of the original.
    expect(expandLayerRect(right)).toEqual({ left: 1000, top: 0, right: 1300, bottom: 800 });
    const sides = (left: number, top: number, r: number, bottom: number) => planExpandGeometry(doc, { kind: "sides", left, top, right: r, bottom });
    expect(expandLayerRect(sides(200, 0, 0, 0))).toEqual({ left: 0, top: 0, right: 200, bottom: 800 });
    expect(expandLayerRect(sides(0, 150, 0, 0))).toEqual({ left: 0, top: 0, right: 1000, bottom: 150 });
    expect(expandLayerRect(sides(0, 0, 0, 77))).toEqual({ left: 0, top: 800, right: 1000, bottom: 877 });
    // Two or more sides: the whole canvas (the layer mask hides the original).
    expect(expandLayerRect(g)).toEqual({ left: 0, top: 0, right: 1422, bottom: 800 });
  });

  test("aspect 9:16 grows the height; size with alignment", () => {
    expect(planExpandGeometry(doc, { kind: "aspect", aspect: "9:16", alignment: { horizontal: "center", vertical: "top" } }).insets).toEqual({
      left: 0,
      top: 0,
      right: 0,
      bottom: 978,
    });
    expect(planExpandGeometry(doc, { kind: "size", width: 1500, height: 1000, alignment: { horizontal: "right", vertical: "bottom" } }).insets).toEqual({
      left: 500,
      top: 200,
      right: 0,
      bottom: 0,
    });
  });

  test("big documents are scaled so the output is at most 3999 per side", () => {
    const g = planExpandGeometry(D24, { kind: "sides", left: 500, top: 0, right: 0, bottom: 0 });
    expect(g.scale).toBeCloseTo(3999 / 6500, 12);
    expect(g.outputSize).toEqual({ width: 3999, height: 2461 });
    expect(g.sourceSize).toEqual({ width: 3691, height: 2461 });
    expect(g.sendInsets).toEqual({ left: 308, top: 0, right: 0, bottom: 0 });
    const odd = planExpandGeometry(
      { width: 3001, height: 1999 },
      { kind: "size", width: 4001, height: 2999, alignment: { horizontal: "right", vertical: "bottom" } },
    );
    expect(odd.outputSize.width).toBeLessThanOrEqual(3999);
    expect(odd.outputSize).toEqual({ width: 3999, height: 2998 });
  });

  test("small documents are enlarged for the request", () => {
    const g = planExpandGeometry({ width: 300, height: 200 }, { kind: "sides", left: 0, top: 0, right: 100, bottom: 0 });
    expect(g.scale).toBeCloseTo(1024 / 400, 12);
    expect(g.outputSize).toEqual({ width: 1024, height: 512 });
    expect(g.sendInsets).toEqual({ left: 0, top: 0, right: 256, bottom: 0 });
  });

  test("targets that would crop or add nothing are refused", () => {
    expect(() => planExpandGeometry(doc, { kind: "size", width: 900, height: 900, alignment: center })).toThrow(/smaller/);
    expect(() => planExpandGeometry(doc, { kind: "sides", left: 0, top: 0, right: 0, bottom: 0 })).toThrow(/Nothing/);
    expect(() => planExpandGeometry({ width: 1600, height: 900 }, { kind: "aspect", aspect: "16:9", alignment: center })).toThrow(/Nothing/);
  });
});

describe("generate placement", () => {
  test("closest aspect preset, larger on ties", () => {
    expect(closestPreset({ width: 1920, height: 1080 }, GENERATE_SIZES_IMAGE4)).toEqual({ width: 2688, height: 1536 });
    expect(closestPreset({ width: 1080, height: 1920 }, GENERATE_SIZES_IMAGE4)).toEqual({ width: 1440, height: 2560 });
    expect(closestPreset({ width: 500, height: 500 }, FILL_SIZES)).toEqual({ width: 2048, height: 2048 });
  });

  test("the result covers the target, aspect kept, centred", () => {
    expect(coverPlacement({ width: 2304, height: 1792 }, { left: 10, top: 20, right: 310, bottom: 220 })).toEqual({
      scaledSize: { width: 300, height: 233 },
      left: 10,
      top: 4,
      target: { left: 10, top: 20, right: 310, bottom: 220 },
    });
    expect(coverPlacement({ width: 2048, height: 2048 }, { left: 0, top: 0, right: 3001, bottom: 1999 }).scaledSize).toEqual({ width: 3001, height: 3001 });
  });
});
