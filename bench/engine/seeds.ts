// The bench's 128² fills over several texture seeds, with two bounds for each: the reference (the
// original's own structure under new grain: a completion that knew the hidden structure) and
// "another structure" (the same texture rendered with another structure seed pasted into the hole:
// a perfect texture that does not know what was hidden, the best any synthesis can do without
// predicting the hidden structure). Where Telea scores below "another structure", no completion
// that looks like the texture beats it without reproducing what was hidden.
//
//   npx ts-node --transpile-only --project bench/tsconfig.json bench/engine/seeds.ts
//   SEEDS=1,2,3 NAMES=grass,gradientNoise OPTS='{"adaptiveBase":false}' ... (engine options as JSON)

import { fillImage, type EngineOptions, type Rect } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { patchErrorMultiScale } from "./metrics";
import { loadOpenCv, telea } from "./telea";
import { TEXTURES } from "./textures";

const opts = JSON.parse(process.env.OPTS ?? "{}") as Partial<EngineOptions>;
const seeds = (process.env.SEEDS ?? "1,2,3,4,5,6,7").split(",").map(Number);
const names = (process.env.NAMES ?? Object.keys(TEXTURES).join(",")).split(",");
const size = 512;
const hole: Rect = { x: 200, y: 170, width: 128, height: 128 };

function withHole(original: RgbaImage, fill: RgbaImage | null): RgbaImage {
  const out = { ...original, data: original.data.slice() };
  for (let y = hole.y; y < hole.y + hole.height; y++)
    for (let x = hole.x; x < hole.x + hole.width; x++) {
      const i = (y * size + x) * 4;
      if (fill) out.data.set(fill.data.subarray(i, i + 4), i);
      else out.data.set([255, 0, 255], i);
    }
  return out;
}

(async () => {
  await loadOpenCv();
  const mask: GrayImage = { width: size, height: size, data: new Uint8Array(size * size) };
  for (let y = hole.y; y < hole.y + hole.height; y++) mask.data.fill(255, y * size + hole.x, y * size + hole.x + hole.width);
  console.log("| image | seed | ours | Telea | Telea/ours | reference | another structure |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const name of names) {
    const tex = TEXTURES[name];
    let so = 0,
      st = 0,
      sr = 0,
      sa = 0,
      wins = 0;
    for (const seed of seeds) {
      const original = tex(size, size, seed);
      const holed = withHole(original, null);
      const ours = patchErrorMultiScale(fillImage(holed, mask, { seed: 1, ...opts }), original, hole).multi;
      const tel = patchErrorMultiScale(await telea(holed, mask), original, hole).multi;
      const ref = patchErrorMultiScale(withHole(original, tex(size, size, seed, seed + 1000)), original, hole).multi;
      const other = patchErrorMultiScale(withHole(original, tex(size, size, seed + 100)), original, hole).multi;
      so += ours;
      st += tel;
      sr += ref;
      sa += other;
      if (ours < tel) wins++;
      console.log(`| ${name} | ${seed} | ${ours.toFixed(2)} | ${tel.toFixed(2)} | ${(tel / ours).toFixed(2)}× | ${ref.toFixed(2)} | ${other.toFixed(2)} |`);
    }
    const n = seeds.length;
    console.log(
      `| ${name} | mean (ours wins ${wins}/${n}) | ${(so / n).toFixed(2)} | ${(st / n).toFixed(2)} | ${(st / so).toFixed(2)}× | ${(sr / n).toFixed(2)} | ${(sa / n).toFixed(2)} |`,
    );
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
