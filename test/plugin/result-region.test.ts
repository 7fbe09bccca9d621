// The part of an output the panel downloads: an expand that grew one side reads only that strip and
// the ring of the original along it (in send-size pixels); one that grew several sides reads all.

import { planExpandGeometry } from "../../src/common/imaging/expand";
import { expandRegion } from "../../src/plugin/workflows/result-region";

const plan = (sides: { left: number; top: number; right: number; bottom: number }) =>
  planExpandGeometry({ width: 3000, height: 2000 }, { kind: "sides", ...sides });

test.each([
  ["right", { left: 0, top: 0, right: 1000, bottom: 0 }],
  ["left", { left: 1000, top: 0, right: 0, bottom: 0 }],
  ["top", { left: 0, top: 600, right: 0, bottom: 0 }],
  ["bottom", { left: 0, top: 0, right: 0, bottom: 600 }],
])("one side grown (%s): the strip and 34 px of the original along it", (side, sides) => {
  const g = plan(sides);
  const send = g.outputSize;
  const r = expandRegion(g, send)!;
  expect(r.of).toEqual(send);
  const o = { left: g.sendInsets.left, top: g.sendInsets.top, right: g.sendInsets.left + g.sourceSize.width, bottom: g.sendInsets.top + g.sourceSize.height };
  const whole = { left: 0, top: 0, right: send.width, bottom: send.height };
  // The strip reaches the output's edges and goes 34 px (± 1 for rounding) into the original.
  const expected = {
    right: { ...whole, left: o.right - 34 },
    left: { ...whole, right: o.left + 34 },
    top: { ...whole, bottom: o.top + 34 },
    bottom: { ...whole, top: o.bottom - 34 },
  }[side as "right" | "left" | "top" | "bottom"];
  for (const k of ["left", "top", "right", "bottom"] as const) expect(Math.abs(r.rect[k] - expected[k])).toBeLessThanOrEqual(1);
  const area = (r.rect.right - r.rect.left) * (r.rect.bottom - r.rect.top);
  expect(area / (send.width * send.height)).toBeLessThan(0.3);
});

test("several sides grown: the whole output", () => {
  expect(expandRegion(plan({ left: 100, top: 0, right: 100, bottom: 0 }), plan({ left: 100, top: 0, right: 100, bottom: 0 }).outputSize)).toBeUndefined();
  expect(expandRegion(plan({ left: 0, top: 50, right: 80, bottom: 0 }), plan({ left: 0, top: 50, right: 80, bottom: 0 }).outputSize)).toBeUndefined();
});
