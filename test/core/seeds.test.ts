import { chooseSeeds } from "../../src/plugin/workflows/capture";

/** Firefly's seed range: 0..2^31 - 2. */
const SEED_LIMIT = 2147483647;

function expectValidSeeds(seeds: number[], count: number) {
  expect(seeds).toHaveLength(count);
  expect(new Set(seeds).size).toBe(count);
  for (const s of seeds) {
    expect(Number.isInteger(s)).toBe(true);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThan(SEED_LIMIT);
  }
}

describe("chooseSeeds", () => {
  test("fixed seeds of the right count are kept", () => {
    expect(chooseSeeds({ kind: "fill", numVariations: 2, seeds: [7, 9] }, () => 0.1)).toEqual([7, 9]);
  });
  test("fixed seeds of the wrong count or repeated are replaced by fresh ones", () => {
    expectValidSeeds(
      chooseSeeds({ kind: "fill", numVariations: 3, seeds: [7, 9] }, () => 0.1),
      3,
    );
    const repeated = chooseSeeds({ kind: "fill", numVariations: 2, seeds: [7, 7] }, () => 0.1);
    expectValidSeeds(repeated, 2);
  });
  test("the ends of the random range give the ends of the seed range", () => {
    expect(chooseSeeds({ kind: "fill", numVariations: 1 }, () => 0)).toEqual([0]);
    expect(chooseSeeds({ kind: "fill", numVariations: 1 }, () => 1 - Number.EPSILON)).toEqual([SEED_LIMIT - 1]);
  });
  test("a random source that repeats itself still yields unique seeds (no endless loop)", () => {
    for (const r of [0, 0.5, 1 - Number.EPSILON])
      expectValidSeeds(
        chooseSeeds({ kind: "fill", numVariations: 4 }, () => r),
        4,
      );
  });
  test("different draws give different seeds, the same draws the same seeds", () => {
    const draws = (values: number[]) => {
      let i = 0;
      return () => values[i++ % values.length];
    };
    const a = chooseSeeds({ kind: "fill", numVariations: 4 }, draws([0.1, 0.2, 0.3, 0.4]));
    expectValidSeeds(a, 4);
    expect(chooseSeeds({ kind: "fill", numVariations: 4 }, draws([0.1, 0.2, 0.3, 0.4]))).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
  });
  test("the variation count is clamped to 1..4", () => {
    expectValidSeeds(chooseSeeds({ kind: "fill", numVariations: 9 }, Math.random), 4);
    expectValidSeeds(chooseSeeds({ kind: "fill", numVariations: 0 }, Math.random), 1);
  });
});
