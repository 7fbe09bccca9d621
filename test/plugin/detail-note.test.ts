import { nativeDetailNote } from "../../src/plugin/workflows/kinds/detail-note";

const i = (x: number, y: number) => ({ x, y, max: Math.max(x, y) });

describe("what a job says about detail", () => {
  test("an upscale that matches the enlargement is placed 1:1 and says nothing more", () => {
    expect(nativeDetailNote(i(2, 2), 2)).toBe("Native detail: upscaled ×2. Generated at native size.");
    expect(nativeDetailNote(i(2.004, 2), 2)).toBe("Native detail: upscaled ×2. Generated at native size.");
  });

  test("an upscale larger than the enlargement says how far from 1:1 it is placed", () => {
    expect(nativeDetailNote(i(1.1, 1.1), 2)).toBe(
      "Native detail: upscaled ×2. Generated at 1.8× native size. The upscaled result is scaled to 55% when placed, not 1:1.",
    );
    expect(nativeDetailNote(i(2.7, 2.4), 3)).toBe(
      "Native detail: upscaled ×3. Generated at 1.1× native size. The upscaled result is scaled to 90% × 80% when placed, not 1:1.",
    );
  });

  test("without an upscale: the enlargement, the plan's note and why Native detail fell back", () => {
    expect(nativeDetailNote(i(2, 2), undefined)).toBe("Generated at 1/2 of native size.");
    expect(nativeDetailNote(i(1, 1), undefined, "Stretched.", "Fell back.")).toBe("Generated at native size. Stretched. Fell back.");
  });
});
