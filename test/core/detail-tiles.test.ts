// The tiles of a Native-detail fill, pure parts: the plan's tile rectangles, overlaps and context
// windows with exact numbers, every tile at native size, the tile seeds and masks, and the feathered
// blend across overlaps.

import { FILL_SIZES } from "../../src/common/firefly";
import type { Rect } from "../../src/common/host";
import { NATIVE_TOLERANCE, expandStrips, planExpandTiles, planNativeDetail } from "../../src/common/imaging/detail";
import { planExpandGeometry } from "../../src/common/imaging/expand";
import { containsRect } from "../../src/common/imaging";
import { axisWeight, blendTiles, feathers, fillTiles, tileSeeds, tileSendMask } from "../../src/plugin/workflows/tiles-plan";
import { createGray, createRGBA } from "../../src/common/imaging/image";

const inside = (doc: { width: number; height: number }, r: Rect) => r.left >= 0 && r.top >= 0 && r.right <= doc.width && r.bottom <= doc.height;

describe("tile plan", () => {
  test("the small test document: 2 tiles overlapping by 32 px, each a 256² window sent at 64² and upscaled ×4 to exactly 1:1", () => {
    const doc = { width: 448, height: 256 };
    const plan = planNativeDetail({
      doc,
      selection: { left: 32, top: 32, right: 416, bottom: 224 },
      presets: [{ width: 64, height: 64 }],
      variations: 2,
      bandPx: 4,
      context: { minContext: 64 },
      maxUpscaleSide: 300,
    });
    expect([plan.fills, plan.upscales, plan.requests, plan.overlapPx]).toEqual([2, 4, 6, 32]);
    expect(plan.parts.map((p) => [p.geometry.selection, p.geometry.window, p.placeRect, p.upscale, p.interpolation.max])).toEqual([
      [
        { left: 32, top: 32, right: 240, bottom: 224 },
        { left: 8, top: 0, right: 264, bottom: 256 },
        { left: 28, top: 28, right: 244, bottom: 228 },
        { factor: 4, crop: { left: 5, top: 7, right: 59, bottom: 57 }, outputSize: { width: 216, height: 200 } },
        1,
      ],
      [
        { left: 208, top: 32, right: 416, bottom: 224 },
        { left: 184, top: 0, right: 440, bottom: 256 },
        { left: 204, top: 28, right: 420, bottom: 228 },
        { factor: 4, crop: { left: 5, top: 7, right: 59, bottom: 57 }, outputSize: { width: 216, height: 200 } },
        1,
      ],
    ]);
  });

  test("6000×6000 on 8000×6000: 4×4 tiles of 1524 px overlapping by 32, each window 2048² at 1:1, no upscale", () => {
    const doc = { width: 8000, height: 6000 };
    const selection = { left: 1000, top: 0, right: 7000, bottom: 6000 };
    const plan = planNativeDetail({ doc, selection, presets: FILL_SIZES, variations: 4, bandPx: 16 });
    expect([plan.fills, plan.upscales, plan.requests, plan.overlapPx]).toEqual([16, 0, 16, 32]);
    const cuts = [
      [1000, 2524],
      [2492, 4016],
      [3984, 5508],
      [5476, 7000],
    ];
    const rows = [
      [0, 1524],
      [1492, 3016],
      [2984, 4508],
      [4476, 6000],
    ];
    expect(plan.parts.map((p) => p.geometry.selection)).toEqual(rows.flatMap(([top, bottom]) => cuts.map(([left, right]) => ({ left, top, right, bottom }))));
    expect(plan.parts[0].geometry.window).toEqual({ left: 738, top: 0, right: 2786, bottom: 2048 });
    expect(plan.parts[15].geometry.window).toEqual({ left: 5214, top: 3952, right: 7262, bottom: 6000 });
    for (const p of plan.parts) {
      expect(p.geometry.sendSize).toEqual({ width: 2048, height: 2048 });
      expect(p.interpolation.max).toBe(1);
    }
  });

  test("property: every tile's window lies inside the document and holds its tile, every factor ≤ 1 + tolerance, neighbours overlap", () => {
    const cases = [
      { doc: { width: 8000, height: 6000 }, selection: { left: 100, top: 100, right: 7900, bottom: 5900 } },
      { doc: { width: 8000, height: 6000 }, selection: { left: 0, top: 2000, right: 8000, bottom: 2600 } },
      { doc: { width: 6000, height: 4000 }, selection: { left: 0, top: 0, right: 6000, bottom: 4000 } },
      { doc: { width: 4000, height: 3000 }, selection: { left: 13, top: 7, right: 3987, bottom: 2991 } },
    ];
    for (const { doc, selection } of cases) {
      for (const variations of [1, 4]) {
        const plan = planNativeDetail({ doc, selection, presets: FILL_SIZES, variations, bandPx: 16 });
        for (const p of plan.parts) {
          expect(inside(doc, p.geometry.window)).toBe(true);
          expect(containsRect(p.geometry.window, p.geometry.selection)).toBe(true);
          expect(containsRect(p.geometry.window, p.placeRect)).toBe(true);
          expect(p.interpolation.max).toBeLessThanOrEqual(1 + NATIVE_TOLERANCE);
        }
        const tiles = plan.parts.map((p) => p.geometry.selection);
        if (tiles.length > 1)
          tiles.forEach((_t, i) => {
            const f = feathers(tiles, i);
            // Every tile overlaps a neighbour on at least one side, by the plan's overlap (±1 for rounding).
            const sides = [f.left, f.top, f.right, f.bottom].filter((v) => v > 0);
            expect(sides.length).toBeGreaterThan(0);
            for (const v of sides) expect(Math.abs(v - plan.overlapPx)).toBeLessThanOrEqual(1);
          });
      }
    }
  });

  test("tile seeds: tile 0 keeps the job's, the others are shifted, all distinct and the same on a re-run", () => {
    const seeds = [1, 2, 3, 4];
    expect(tileSeeds(seeds, 0)).toEqual(seeds);
    expect(tileSeeds(seeds, 1)).toEqual([7919112, 7919113, 7919114, 7919115]);
    const all = [0, 1, 2, 3, 4, 5].flatMap((t) => tileSeeds(seeds, t));
    expect(new Set(all).size).toBe(all.length);
    expect(tileSeeds([2147483646], 1)).toEqual([(2147483646 + 7919111) % 2147483647]);
  });

  test("a tile's mask is the selection inside the tile only, in its window at its send size", () => {
    const doc = { width: 448, height: 256 };
    const selBounds = { left: 32, top: 32, right: 416, bottom: 224 };
    const plan = planNativeDetail({
      doc,
      selection: selBounds,
      presets: [{ width: 64, height: 64 }],
      variations: 1,
      bandPx: 4,
      context: { minContext: 64 },
      maxUpscaleSide: 300,
    });
    const tiles = fillTiles(plan, [9]);
    const mask = createGray(384, 192, 255);
    const m = tileSendMask({ bounds: selBounds, mask }, tiles[0]);
    expect([m.width, m.height]).toEqual([64, 64]);
    // Window [8, 264) × [0, 256) at ¼: the tile [32, 240) × [32, 224) is [6, 60) × [8, 56).
    const at = (x: number, y: number) => m.data[y * 64 + x];
    expect([at(10, 30), at(56, 30), at(30, 10), at(30, 54)]).toEqual([255, 255, 255, 255]);
    expect([at(3, 30), at(62, 30), at(30, 4), at(30, 60)]).toEqual([0, 0, 0, 0]);
  });
});

describe("expansion strips", () => {
  const ring = planExpandGeometry({ width: 4000, height: 3000 }, { kind: "sides", left: 1000, top: 500, right: 1000, bottom: 500 }, 3999);

  test("four sides grown: full-width top and bottom, left and right between them reaching 32 px into both", () => {
    expect(ring.canvas).toEqual({ width: 6000, height: 4000 });
    expect(expandStrips(ring, 32)).toEqual([
      { left: 0, top: 0, right: 6000, bottom: 500 },
      { left: 0, top: 3500, right: 6000, bottom: 4000 },
      { left: 0, top: 468, right: 1000, bottom: 3532 },
      { left: 5000, top: 468, right: 6000, bottom: 3532 },
    ]);
    const oneSide = planExpandGeometry({ width: 4000, height: 3000 }, { kind: "sides", left: 0, top: 0, right: 2000, bottom: 0 }, 3999);
    expect(expandStrips(oneSide, 32)).toEqual([{ left: 4000, top: 0, right: 6000, bottom: 3000 }]);
  });

  test("the strips' tiles cover the new area at native size, and the side strips' tiles feather into the top and bottom ones", () => {
    const plan = planExpandTiles(ring, { presets: FILL_SIZES, variations: 2, bandPx: 16 });
    const tiles = plan.parts.map((p) => p.geometry.selection);
    for (const p of plan.parts) {
      expect(inside(ring.canvas, p.geometry.window)).toBe(true);
      expect(p.interpolation.max).toBeLessThanOrEqual(1 + NATIVE_TOLERANCE);
    }
    const side = tiles.findIndex((t) => t.left === 0 && t.top === 468);
    expect(side).toBeGreaterThanOrEqual(0);
    expect(feathers(tiles, side).top).toBe(32);
    const top = tiles.findIndex((t) => t.left === 0 && t.top === 0);
    expect(feathers(tiles, top).bottom).toBe(32);
  });
});

describe("tile blend", () => {
  test("feathers: each side as deep as the overlap with the tile across it; outer sides none", () => {
    const tiles = [
      { left: 0, top: 0, right: 100, bottom: 50 },
      { left: 68, top: 0, right: 168, bottom: 50 },
    ];
    expect(feathers(tiles, 0)).toEqual({ left: 0, top: 0, right: 32, bottom: 0 });
    expect(feathers(tiles, 1)).toEqual({ left: 32, top: 0, right: 0, bottom: 0 });
    // Tiles that only touch do not feather.
    expect(feathers([tiles[0], { left: 100, top: 0, right: 200, bottom: 50 }], 0)).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
  });

  test("axis weight: a linear ramp across the overlap, 1 on an outer side even past the tile", () => {
    expect([67, 68, 84, 99, 100].map((x) => axisWeight(x, 0, 100, 0, 32))).toEqual([1, 31.5 / 32, 15.5 / 32, 0.5 / 32, 0]);
    expect(axisWeight(-3, 0, 100, 0, 32)).toBe(1);
    expect(axisWeight(68, 68, 168, 32, 0) + axisWeight(68, 0, 100, 0, 32)).toBe(1);
  });

  test("two flat tiles blend to an exact ramp across their overlap; a pixel no tile covers stays transparent", () => {
    const a = {
      rect: { left: 0, top: 0, right: 100, bottom: 4 },
      placeRect: { left: 0, top: 0, right: 100, bottom: 4 },
      pixels: createRGBA(100, 4, [0, 0, 0, 255]),
    };
    const b = {
      rect: { left: 68, top: 0, right: 168, bottom: 4 },
      placeRect: { left: 68, top: 0, right: 168, bottom: 4 },
      pixels: createRGBA(100, 4, [200, 100, 50, 255]),
    };
    const frame = { left: 0, top: 0, right: 170, bottom: 4 };
    const out = blendTiles(frame, [a, b]);
    const px = (x: number) => Array.from(out.data.subarray((170 + x) * 4, (170 + x) * 4 + 4));
    expect(px(67)).toEqual([0, 0, 0, 255]);
    expect(px(68)).toEqual([Math.round((200 * 0.5) / 32), Math.round((100 * 0.5) / 32), Math.round((50 * 0.5) / 32), 255]);
    expect(px(83)).toEqual([Math.round((200 * 15.5) / 32), Math.round((100 * 15.5) / 32), Math.round((50 * 15.5) / 32), 255]);
    expect(px(84)).toEqual([Math.round((200 * 16.5) / 32), Math.round((100 * 16.5) / 32), Math.round((50 * 16.5) / 32), 255]);
    expect(px(100)).toEqual([200, 100, 50, 255]);
    expect(px(169)).toEqual([0, 0, 0, 0]);
  });
});
