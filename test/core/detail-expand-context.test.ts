// Expansion tiles that see their neighbours, planned: across the detail bench's matrix no tile of a
// tiled expansion has a window that holds neither the original nor the result of a tile sent before
// it; a far tile is sent once per variation, after the tiles it sees, and has new area left to
// generate. The levels of context and the tiles they make, with exact numbers.

import type { Rect } from "../../src/common/host";
import { contextLevels, type DetailPlan } from "../../src/common/imaging/detail";
import { originalRect, planExpandGeometry } from "../../src/common/imaging/expand";
import { intersectRect, isEmptyRect } from "../../src/common/imaging/rect";
import { nativeExpand } from "../../src/plugin/workflows/kinds/expand";
import { expandTileMask, fillTiles, tileSeeds, type FillTile } from "../../src/plugin/workflows/tiles-plan";
import { DOCS, EXPANSIONS } from "../../bench/detail/cases";
import { EXPAND_MAX_SIDE } from "../../src/common/firefly";

const overlaps = (a: Rect, b: Rect): boolean => !isEmptyRect(intersectRect(a, b));
const SEEDS = [11, 22, 33];

describe("expansion tiles across the bench's matrix", () => {
  const cases = DOCS.flatMap((doc) =>
    EXPANSIONS.map((e) => ({ name: `${doc.width}×${doc.height} ${e.label}`, g: planExpandGeometry(doc, { kind: "sides", ...e.sides(doc) }, EXPAND_MAX_SIDE) })),
  );
  const tiled = cases.flatMap(({ name, g }) => {
    const tiles = nativeExpand(g, SEEDS, 16).tiles;
    return tiles ? [{ name, g, tiles }] : [];
  });

  test("some expansions have far tiles (the check below is not empty)", () => {
    expect(tiled.length).toBeGreaterThan(0);
    expect(tiled.filter((c) => c.tiles.some((t) => t.dependsOn)).map((c) => c.name)).toEqual(["6000×4000 +100% round", "8000×6000 +100% right"]);
  });

  test("every tile's window holds the original or the result of a tile before it that it depends on, of its own variation", () => {
    const problems: string[] = [];
    for (const { name, g, tiles } of tiled) {
      const original = originalRect(g);
      let seenDependent = false;
      tiles.forEach((t: FillTile, i) => {
        const w = t.geometry.window;
        if (!t.dependsOn) {
          if (seenDependent) problems.push(`${name} tile ${i}: sent at once after a dependent tile`);
          if (!overlaps(w, original)) problems.push(`${name} tile ${i}: sees nothing`);
          return;
        }
        seenDependent = true;
        if (overlaps(w, original)) problems.push(`${name} tile ${i}: depends on tiles though it holds the original`);
        if (t.seeds.length !== 1 || t.variation === undefined) problems.push(`${name} tile ${i}: not one variation`);
        const seen = t.dependsOn.map((d) => tiles[d]);
        if (t.dependsOn.some((d) => d >= i)) problems.push(`${name} tile ${i}: depends on a later tile`);
        if (seen.length === 0 || !seen.every((d) => overlaps(d.placeRect, w))) problems.push(`${name} tile ${i}: depends on a tile it does not see`);
        if (seen.some((d) => d.variation !== undefined && d.variation !== t.variation)) problems.push(`${name} tile ${i}: sees another variation`);
        // What is left for it to generate: some of its own part.
        const mask = expandTileMask(
          g,
          t,
          seen.map((d) => d.placeRect),
        );
        if (!mask.data.some((m) => m === 255)) problems.push(`${name} tile ${i}: nothing left to generate`);
      });
    }
    expect(problems).toEqual([]);
  });
});

/** A part with its window and placed rectangle only, as contextLevels reads it. */
function part(window: Rect, placeRect: Rect) {
  return { geometry: { selection: placeRect, window, sendSize: { width: 64, height: 64 }, scaleX: 1, scaleY: 1, anisotropy: 0 }, placeRect };
}

describe("levels of context", () => {
  const original = { left: 0, top: 0, right: 100, bottom: 100 };
  test("0 holding the original, 1 holding a level-0 result, 2 holding only a level-1 result", () => {
    const near = part({ left: 80, top: 0, right: 200, bottom: 100 }, { left: 90, top: 0, right: 190, bottom: 100 });
    const mid = part({ left: 180, top: 0, right: 300, bottom: 100 }, { left: 190, top: 0, right: 290, bottom: 100 });
    const far = part({ left: 280, top: 0, right: 400, bottom: 100 }, { left: 290, top: 0, right: 400, bottom: 100 });
    expect(contextLevels(original, [far, near, mid])).toEqual([2, 0, 1]);
  });

  test("a window that holds neither the original nor any result is refused", () => {
    const near = part({ left: 80, top: 0, right: 200, bottom: 100 }, { left: 90, top: 0, right: 190, bottom: 100 });
    const lost = part({ left: 300, top: 0, right: 400, bottom: 100 }, { left: 300, top: 0, right: 400, bottom: 100 });
    expect(() => contextLevels(original, [near, lost])).toThrow("a tile of this expansion would see neither the original nor another tile");
  });

  test("a far part becomes one tile per variation, each seeing the near tiles' results of its variation", () => {
    const near = {
      ...part({ left: 80, top: 0, right: 200, bottom: 100 }, { left: 90, top: 0, right: 190, bottom: 100 }),
      upscale: null,
      interpolation: { x: 1, y: 1, max: 1 },
      level: 0,
    };
    const far = {
      ...part({ left: 180, top: 0, right: 300, bottom: 100 }, { left: 190, top: 0, right: 300, bottom: 100 }),
      upscale: null,
      interpolation: { x: 1, y: 1, max: 1 },
      level: 1,
    };
    const plan: DetailPlan = {
      mode: "native",
      parts: [near, far],
      interpolation: { x: 1, y: 1, max: 1 },
      fills: 3,
      upscales: 0,
      requests: 3,
      overlapPx: 32,
      dependentParts: 1,
    };
    const tiles = fillTiles(plan, [5, 6]);
    expect(tiles.map((t) => ({ seeds: t.seeds, variation: t.variation, dependsOn: t.dependsOn }))).toEqual([
      { seeds: tileSeeds([5, 6], 0), variation: undefined, dependsOn: undefined },
      { seeds: [tileSeeds([5, 6], 1)[0]], variation: 0, dependsOn: [0] },
      { seeds: [tileSeeds([5, 6], 1)[1]], variation: 1, dependsOn: [0] },
    ]);
  });
});
