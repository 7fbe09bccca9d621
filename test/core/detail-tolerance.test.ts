import { NATIVE_TOLERANCE, chooseUpscale, expandInterpolation, planExpandDetail, planNativeDetail } from "../../src/common/imaging/detail";
import { planExpandGeometry } from "../../src/common/imaging/expand";
import { planFillGeometry } from "../../src/common/imaging/context";
import { growRect, intersectRect } from "../../src/common/imaging/rect";

describe("native tolerance: up to 1 % of enlargement counts as native", () => {
  test("the tolerance is the stated 1 %", () => {
    expect(NATIVE_TOLERANCE).toBe(0.01);
  });

  test("a 4000 px canvas sent at 3999 px (×1.00025) asks for no upscale: 1 request", () => {
    const g = planExpandGeometry({ width: 3000, height: 2000 }, { kind: "sides", left: 1000, top: 0, right: 0, bottom: 0 });
    expect(g.canvas).toEqual({ width: 4000, height: 2000 });
    expect(g.outputSize.width).toBe(3999);
    expect(expandInterpolation(g).max).toBeCloseTo(4000 / 3999, 12);
    expect(planExpandDetail(g, 4)).toMatchObject({ upscale: null, short: false, requests: 1 });
  });

  test("a fill window 1 % larger than its preset is native; 1.5 % larger still asks for ×2", () => {
    const doc = { width: 2068, height: 2068 };
    const g = planFillGeometry(doc, { left: 50, top: 50, right: 2018, bottom: 2018 }, [{ width: 2048, height: 2048 }]);
    expect(g.window).toEqual({ left: 0, top: 0, right: 2068, bottom: 2068 });
    expect(chooseUpscale(g, intersectRect(growRect(g.selection, 16), g.window))).toBeNull();
    expect(planNativeDetail({ doc, selection: g.selection, presets: [{ width: 2048, height: 2048 }], variations: 4, bandPx: 16 })).toMatchObject({
      fills: 1,
      upscales: 0,
      requests: 1,
    });
    const wider = { width: 2079, height: 2079 };
    const g2 = planFillGeometry(wider, { left: 50, top: 50, right: 2029, bottom: 2029 }, [{ width: 2048, height: 2048 }]);
    expect(g2.window).toEqual({ left: 0, top: 0, right: 2079, bottom: 2079 });
    expect(chooseUpscale(g2, intersectRect(growRect(g2.selection, 16), g2.window))?.factor).toBe(2);
  });
});
