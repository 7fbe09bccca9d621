// Property: expand never changes an original pixel. For random documents (size, depth, Background or
// transparent, content), random targets (exact size, aspect preset, per-side pixels; every alignment)
// and random blend settings, every pixel of the original is identical, at its new offset, after the
// result is placed in the simulated host — whatever the generated image holds.

import type { RGBAImage } from "../../src/common/host";
import type { Alignment, AspectPreset, BlendSettings, ExpandTarget } from "../../src/common/jobs";
import { expandCanvasOps, planExpandGeometry } from "../../src/common/imaging/expand";
import { placementPlan } from "../../src/common/imaging/plans";
import { EXPAND_MAX_SIDE } from "../../src/common/firefly";
import { composeVariation, toneFor } from "../../src/plugin/workflows/place";
import type { JobRequest } from "../../src/plugin/workflows/types";
import { SimHost } from "../../src/playground/sim";
import { rig, run } from "./helpers/deps";
import { rng } from "./helpers/images";

const ASPECTS: AspectPreset[] = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "4:5", "5:4"];
const H_ALIGN = ["left", "center", "right"] as const;
const V_ALIGN = ["top", "center", "bottom"] as const;

function noise(width: number, height: number, r: () => number, opaque: boolean): RGBAImage {
  const data = new Uint8Array(width * height * 4);
  let s = Math.floor(r() * 2 ** 31) | 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 255;
  }
  if (opaque) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data };
}

function randomCase(seed: number) {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const width = int(1, 140);
  const height = int(1, 140);
  const alignment: Alignment = { horizontal: pick(H_ALIGN), vertical: pick(V_ALIGN) };
  let target: ExpandTarget;
  for (;;) {
    const kind = pick(["size", "aspect", "sides"] as const);
    if (kind === "sides") {
      const side = () => (r() < 0.4 ? 0 : int(1, 90));
      target = { kind, left: side(), top: side(), right: side(), bottom: side() };
    } else if (kind === "size") target = { kind, width: width + int(0, 120), height: height + int(0, 120), alignment };
    else target = { kind, aspect: pick(ASPECTS), alignment };
    try {
      planExpandGeometry({ width, height }, target, EXPAND_MAX_SIDE);
      break;
    } catch {
      // nothing to expand (already that size or aspect): draw another target
    }
  }
  const blend: BlendSettings = { bandPx: int(0, 48), toneMatch: r() < 0.6 };
  return { r, width, height, target, blend, depth: pick([8, 8, 16] as const), background: r() < 0.7 };
}

function originalUnchanged(before: RGBAImage, after: RGBAImage, left: number, top: number): string[] {
  const bad: string[] = [];
  for (let y = 0; y < before.height && bad.length < 5; y++)
    for (let x = 0; x < before.width && bad.length < 5; x++) {
      const p = (y * before.width + x) * 4;
      const q = ((y + top) * after.width + x + left) * 4;
      for (let k = 0; k < 4; k++)
        if (before.data[p + k] !== after.data[q + k]) {
          bad.push(`(${x},${y}) ${Array.from(before.data.subarray(p, p + 4))} → ${Array.from(after.data.subarray(q, q + 4))}`);
          break;
        }
    }
  return bad;
}

describe("expand leaves every original pixel identical", () => {
  test.each(Array.from({ length: 30 }, (_, i) => 1000 + i))("random document, target and blend (seed %i): compose + apply", async (seed) => {
    const c = randomCase(seed);
    const host = new SimHost();
    const id = host.createDocument({
      width: c.width,
      height: c.height,
      pixels: noise(c.width, c.height, c.r, c.background),
      bitDepth: c.depth,
      background: c.background,
      backgroundColor: [200, 30, 90],
    });
    const before = await host.composite(id);
    const g = planExpandGeometry({ width: c.width, height: c.height }, c.target, EXPAND_MAX_SIDE);
    // What was sent (the original at send scale) and a generated image that differs everywhere.
    const source = await host.composite(id, { targetSize: g.sourceSize });
    const result = noise(g.outputSize.width, g.outputSize.height, c.r, true);
    const req = { kind: "expand", sendSize: g.outputSize, blend: c.blend, expand: { geometry: g } } as unknown as JobRequest;
    const tone = toneFor(req, { source }, result);
    const content = composeVariation(req, null, { seed: 1, image: result, tone });
    const plan = placementPlan({
      historyName: "Infill: Expand",
      documentSize: { width: c.width, height: c.height },
      canvasOps: expandCanvasOps(g),
      groupName: "Expand",
      variations: [{ name: "v", content }],
    });
    await host.apply(id, plan);
    const after = await host.composite(id);
    expect([after.width, after.height]).toEqual([g.canvas.width, g.canvas.height]);
    expect(originalUnchanged(before, after, g.insets.left, g.insets.top)).toEqual([]);
    // The layer never covers the original unmasked: its mask is 0 over the original's whole area.
    const o = { left: g.insets.left - content.rect.left, top: g.insets.top - content.rect.top };
    const m = content.mask!;
    const unmasked: string[] = [];
    for (let y = Math.max(0, o.top); y < Math.min(m.height, o.top + c.height); y++)
      for (let x = Math.max(0, o.left); x < Math.min(m.width, o.left + c.width); x++) {
        const v = m.data[y * m.width + x];
        if (v !== 0 && unmasked.length < 5) unmasked.push(`(${x},${y}) ${v}`);
      }
    expect(unmasked).toEqual([]);
  });

  test.each(Array.from({ length: 3 }, (_, i) => 2000 + i))("random document, target and blend (seed %i): the whole job against the broker", async (seed) => {
    const c = randomCase(seed);
    const r = rig();
    const id = r.host.createDocument({
      width: c.width,
      height: c.height,
      pixels: noise(c.width, c.height, c.r, c.background),
      bitDepth: c.depth,
      background: c.background,
    });
    const before = await r.host.composite(id);
    const { final } = await run(r, { kind: "expand", target: c.target, numVariations: 1, seeds: [3], blend: c.blend });
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    const g = planExpandGeometry({ width: c.width, height: c.height }, c.target, EXPAND_MAX_SIDE);
    const after = await r.host.composite(id);
    expect(originalUnchanged(before, after, g.insets.left, g.insets.top)).toEqual([]);
  });
});
