// 32-bit documents hold linear floats: the workflows read them as 8-bit sRGB and the result layers
// are written back as linear floats, so the composite shows the generated colours unchanged.

import { SimHost } from "../../src/playground/sim";
import { unsupportedReason } from "../../src/plugin/controller";
import { run } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";
import { seedColour } from "./helpers/fake-broker";
import { px } from "../support/pixels";

const linear = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : Math.pow((v / 255 + 0.055) / 1.055, 2.4));

test("32-bit RGB is supported; other modes are still refused with what to do", () => {
  expect(unsupportedReason({ mode: "rgb", bitDepth: 32 })).toBeNull();
  expect(unsupportedReason({ mode: "cmyk", bitDepth: 8 })).toMatch(/RGB Color/);
});

test("a fill on a 32-bit document is written back as linear floats; pixels outside stay as they were", async () => {
  const host = new SimHost();
  const r = smallRig({}, host);
  const W = 300,
    H = 200;
  // A mid grey in linear light (0.2158605 = sRGB 128), opaque.
  const samples = new Float32Array(W * H * 4).map((_, i) => ((i & 3) === 3 ? 1 : 0.2158605));
  const id = host.createDocument({ width: W, height: H, bitDepth: 32, samples });
  host.setSelection(id, { left: 100, top: 60, right: 160, bottom: 110 });
  const before = await host.composite(id);
  const { final } = await run(r, { kind: "fill" as const, prompt: "a door", numVariations: 1, seeds: [11], blend: { bandPx: 4, toneMatch: false } });
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");

  const layer = host.layerSamples(id, final.variations[0].layerId!);
  expect(layer.data).toBeInstanceOf(Float32Array);
  const [cr, cg, cb] = seedColour(11);
  const mid = ((85 - layer.top) * layer.width + (130 - layer.left)) * 4;
  const got = Array.from(layer.data.subarray(mid, mid + 4));
  [cr, cg, cb].forEach((c, i) => expect(got[i]).toBeCloseTo(linear(c), 5));
  expect(got[3]).toBe(1);

  const after = await host.composite(id);
  expect(px(after, 130, 85)).toEqual([cr, cg, cb, 255]);
  for (const [x, y] of [
    [5, 5],
    [99, 85],
    [161, 85],
    [130, 59],
    [130, 111],
    [299, 199],
  ])
    expect(px(after, x, y)).toEqual(px(before, x, y));
});
