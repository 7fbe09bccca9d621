// JPEG codec bench: Infill's pure-TypeScript codec (src/common/imaging/jpeg) against jpeg-js on the
// fill bench's source window (2304×1792, gradients + grain), interleaved, medians of CPU time (the
// machine is shared; CPU time is steadier than wall time) with wall time alongside. Also sizes and
// PSNR against the original (decoded by sharp) per quality.
//
//   TS_NODE_TRANSPILE_ONLY=1 TS_NODE_COMPILER_OPTIONS='{"module":"commonjs","moduleResolution":"node","esModuleInterop":true}' node -r ts-node/register bench/fill/codec.ts [runs]

import * as jpeg from "jpeg-js";
import sharp from "sharp";
import { decodeJpegRGBA, encodeJpegRGBA } from "../../src/common/imaging/jpeg";
import { gradientGrain, psnrRGB as psnr } from "../../src/common/imaging/synthetic";

const W = 2304;
const H = 1792;

function pixels(): Uint8Array {
  return gradientGrain(W, H);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const d = pixels();
  console.log(`JPEG codec bench: ${W}×${H}, gradients and grain (σ ≈ 3)`);
  for (const q of [85, 90, 92]) {
    const ours = encodeJpegRGBA(d, W, H, { quality: q });
    const theirs = new Uint8Array(jpeg.encode({ width: W, height: H, data: d }, q).data);
    const dec = async (b: Uint8Array) => new Uint8Array(await sharp(b).ensureAlpha().raw().toBuffer());
    console.log(
      `  q${q}: ours (4:2:0) ${(ours.length / 2 ** 20).toFixed(3)} MiB, ${psnr(d, await dec(ours)).toFixed(2)} dB; jpeg-js (4:4:4) ${(theirs.length / 2 ** 20).toFixed(3)} MiB, ${psnr(d, await dec(theirs)).toFixed(2)} dB`,
    );
  }
  const file = encodeJpegRGBA(d, W, H, { quality: 90 });
  // The fill bench's layer region inside the result: about 1300×1000 of 2304×1792.
  const region = { left: 500, top: 380, right: 1800, bottom: 1400 };
  const cpu: Record<string, number[]> = {};
  const wall: Record<string, number[]> = {};
  const time = (k: string, f: () => void) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    (cpu[k] ??= []).push((c.user + c.system) / 1000);
    (wall[k] ??= []).push(t);
  };
  const cases: [string, () => void][] = [
    ["encode q90, ours", () => encodeJpegRGBA(d, W, H, { quality: 90 })],
    ["encode q90, jpeg-js", () => jpeg.encode({ width: W, height: H, data: d }, 90)],
    ["decode, ours", () => decodeJpegRGBA(file)],
    ["decode region, ours", () => decodeJpegRGBA(file, region)],
    ["decode, jpeg-js", () => jpeg.decode(file, { useTArray: true, formatAsRGBA: true })],
  ];
  for (const [k, f] of cases) time(k, f); // warm-up
  for (const k of Object.keys(cpu)) {
    cpu[k] = [];
    wall[k] = [];
  }
  for (let i = 0; i < runs; i++) for (const [k, f] of cases) time(k, f);
  const med = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  console.log(`  times (median of ${runs} interleaved runs): CPU ms / wall ms`);
  for (const k of Object.keys(cpu)) console.log(`    ${k.padEnd(22)} ${med(cpu[k]).toFixed(0).padStart(5)} / ${med(wall[k]).toFixed(0).padStart(5)}`);
  const r = (a: string, b: string) => (med(cpu[b]) / med(cpu[a])).toFixed(1);
  console.log(
    `  jpeg-js / ours (CPU): encode ${r("encode q90, ours", "encode q90, jpeg-js")}×, decode ${r("decode, ours", "decode, jpeg-js")}×, region decode ${r("decode region, ours", "decode, jpeg-js")}×`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
