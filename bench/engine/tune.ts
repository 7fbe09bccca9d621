// Parameter sweep for the engine (speed vs quality), used to pick the defaults.
//   npx ts-node --transpile-only bench/engine/tune.ts
// Prints the best-of-3 CPU ms (less noisy than wall time on a shared machine) and the multi-scale
// patch error. Extra variants: VARIANTS='{"name":{"patchSize":5}}'; EXPAND=1 adds the expand strip.

import { fillImage, expandImage, type EngineOptions } from "../../src/broker/local/engine";
import { patchErrorMultiScale } from "./metrics";
import { bricks, grass, stripes, gradientNoise, wood } from "./textures";

const variants: Record<string, Partial<EngineOptions>> = {
  default: {},
  ...(JSON.parse(process.env.VARIANTS ?? "{}") as Record<string, Partial<EngineOptions>>),
};

function cpu<T>(fn: () => T): { ms: number; v: T } {
  const c = process.cpuUsage();
  const v = fn();
  const d = process.cpuUsage(c);
  return { ms: (d.user + d.system) / 1000, v };
}

const cases = [
  { name: "bricks 256/1024", img: bricks(1024, 1024, 9), hole: { x: 384, y: 384, width: 256, height: 256 } },
  { name: "grass 256/1024", img: grass(1024, 1024, 9), hole: { x: 384, y: 384, width: 256, height: 256 } },
  { name: "stripes 256/1024", img: stripes(1024, 1024, 9), hole: { x: 384, y: 384, width: 256, height: 256 } },
  { name: "gradient 256/1024", img: gradientNoise(1024, 1024, 9), hole: { x: 384, y: 384, width: 256, height: 256 } },
  { name: "wood 256/1024", img: wood(1024, 1024, 9), hole: { x: 384, y: 384, width: 256, height: 256 } },
];
for (const [vn, opts] of Object.entries(variants)) {
  const parts: string[] = [];
  let tot = 0;
  for (const c of cases) {
    const m = { width: 1024, height: 1024, data: new Uint8Array(1024 * 1024) };
    for (let y = c.hole.y; y < c.hole.y + c.hole.height; y++) m.data.fill(255, y * 1024 + c.hole.x, y * 1024 + c.hole.x + c.hole.width);
    // best of 3: on a shared machine the minimum is the least disturbed run
    let r = cpu(() => fillImage(c.img, m, { seed: 1, ...opts }));
    for (let k = 0; k < 2; k++) {
      const r2 = cpu(() => fillImage(c.img, m, { seed: 1, ...opts }));
      if (r2.ms < r.ms) r = r2;
    }
    tot += r.ms;
    parts.push(`${c.name}: ${r.ms.toFixed(0)} ms, err ${patchErrorMultiScale(r.v, c.img, c.hole).multi.toFixed(2)}`);
  }
  if (process.env.EXPAND) {
    const src = grass(1024, 1024, 3);
    const r = cpu(() => expandImage(src, { width: 1280, height: 1024, placement: { alignment: { horizontal: "left" } } }, { seed: 1, ...opts }));
    parts.push(`expand strip: ${r.ms.toFixed(0)} ms`);
  }
  console.log(`${vn.padEnd(14)} | ${parts.join(" | ")} | fills total ${tot.toFixed(0)} ms`);
}
