// CPU of each fill in a fresh process: the first ones pay for V8 compiling the engine (a worker
// thread of the pool starts the same way), the later ones show the warm cost. Prints the figures per
// fill and the first fill's ratio to the warm median.
//
//   npx ts-node --transpile-only --project bench/tsconfig.json bench/engine/warmup.ts [W×H] [fills]

import { fillImage } from "../../src/broker/local/engine";
import { grass } from "./textures";

const [w, h] = (process.argv[2] ?? "192x144").split(/[x×]/).map(Number);
const fills = Number(process.argv[3] ?? 6);
const image = grass(w, h, 3);
// The middle half of each side: the hole the engine tests and benches use.
const mask = { width: w, height: h, data: new Uint8Array(w * h) };
for (let y = Math.floor(h / 4); y < Math.floor((3 * h) / 4); y++) mask.data.fill(255, y * w + Math.floor(w / 4), y * w + Math.floor((3 * w) / 4));

const ms: number[] = [];
for (let k = 0; k < fills; k++) {
  const start = process.cpuUsage();
  fillImage(image, mask, { seed: 1 + k });
  const used = process.cpuUsage(start);
  ms.push((used.user + used.system) / 1000);
}
const warm = ms.slice(2).sort((a, b) => a - b);
const median = warm.length > 0 ? warm[warm.length >> 1] : NaN;
console.log(`${w}×${h}: CPU per fill (ms, all threads) ${ms.map((t) => t.toFixed(0)).join(" ")}`);
console.log(`first fill ${(ms[0] / median).toFixed(2)}× and second ${(ms[1] / median).toFixed(2)}× the warm median (${median.toFixed(0)} ms)`);
