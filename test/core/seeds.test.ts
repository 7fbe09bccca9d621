import { chooseSeeds } from "../../src/plugin/workflows/capture";

describe("chooseSeeds", () => {
  test("fixed seeds of the right count are kept", () => {
    expect(chooseSeeds({ kind: "fill", numVariations: 2, seeds: [7, 9] }, () => 0.1)).toEqual([7, 9]);
  });
  test("a random source that repeats itself still yields unique seeds (no endless loop)", () => {
    const seeds = chooseSeeds({ kind: "fill", numVariations: 4 }, () => 0.5);
    expect(new Set(seeds).size).toBe(4);
    expect(seeds[0]).toBe(Math.floor(0.5 * 2147483647));
    expect(seeds[1]).toBe(seeds[0] + 1);
  });
  test("seeds stay within 0..2147483646 even for random() close to 1", () => {
    const seeds = chooseSeeds({ kind: "fill", numVariations: 3 }, () => 0.9999999999);
    for (const s of seeds) expect(s >= 0 && s < 2147483647).toBe(true);
    expect(new Set(seeds).size).toBe(3);
  });
});
