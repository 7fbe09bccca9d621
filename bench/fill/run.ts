// Fill bench: a 6000×4000 document with a 1200×900 selection, Infill's pipeline (default: 1:1, and
// with the work-weighted window policy) against a naive one, each in its own child process (for an
// honest peak memory), in the same run. Prints per-phase
// times, bytes up and down, peak memory and the ratios. Service time is excluded (see service.ts).
//
//   TS_NODE_TRANSPILE_ONLY=1 TS_NODE_COMPILER_OPTIONS='{"module":"commonjs","moduleResolution":"node"}' node -r ts-node/register bench/fill/run.ts [variations] [rounds]

import { execFileSync } from "child_process";
import { gradientGrain } from "../../src/common/imaging/synthetic";
import { SimHost } from "../../src/playground/sim";
import { MemoryResultStore } from "../../src/plugin/store";
import { startJob } from "../../src/plugin/workflows";
import { naiveFill } from "./naive";
import { BenchService } from "./service";

const W = 6000;
const H = 4000;
const SEL = { left: 2400, top: 1500, right: 3600, bottom: 2400 };

function documentPixels(): Uint8Array {
  // The kind of image the project's codec measurements used, so JPEG and PNG sizes are realistic.
  return gradientGrain(W, H);
}

type Mode = "infill" | "infill-fast" | "naive";

async function child(mode: Mode, variations: number): Promise<void> {
  const host = new SimHost();
  const id = host.createDocument({ width: W, height: H, pixels: { width: W, height: H, data: documentPixels() } });
  host.setSelection(id, SEL);
  const seeds = Array.from({ length: variations }, (_, i) => 1000 + i);
  const service = new BenchService(mode === "naive" ? "png" : "jpeg");
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  let phases: Record<string, number>;
  let bytesUp: number;
  let bytesDown: number;
  if (mode !== "naive") {
    const now = () => performance.now();
    const fillContext = mode === "infill-fast" ? { workWeight: 0.5 } : undefined;
    const job = startJob(
      { kind: "fill", numVariations: variations, seeds },
      { host, broker: service, store: new MemoryResultStore(), now, sleep: async () => undefined, fillContext },
      () => undefined,
    );
    const final = await job.done;
    if (final.phase !== "done") throw new Error(`job ended ${final.phase}: ${JSON.stringify(final.error)}`);
    ({ phases, bytesUp, bytesDown } = job.metrics);
  } else {
    ({ phases, bytesUp, bytesDown } = await naiveFill(host, service, id, seeds));
  }
  const total = performance.now() - t0;
  const plugin = total - service.serviceMs;
  // The stand-in does its generating inside submit: take it out of that phase.
  if (phases.submit !== undefined) phases.submit = Math.max(0, phases.submit - (service.serviceMs - service.cropMs));
  // …and its cropping (as the broker's output route does) inside download.
  if (phases.download !== undefined) phases.download = Math.max(0, phases.download - service.cropMs);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const sent = (host.compositeLog[0]?.request.targetSize ?? null) as { width: number; height: number } | null;
  process.stdout.write(
    JSON.stringify({ mode, sent, phases, plugin, serviceMs: service.serviceMs, bytesUp, bytesDown, maxRssMb, baseRssMb: rssBefore / 2 ** 20 }) + "\n",
  );
}

function main(): void {
  const variations = Number(process.argv[2] ?? 1);
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs", moduleResolution: "node" }) };
  const run = (mode: string) =>
    JSON.parse(
      execFileSync(process.execPath, ["-r", "ts-node/register", __filename, "--child", mode, String(variations)], { encoding: "utf8", env, maxBuffer: 1 << 20 })
        .trim()
        .split("\n")
        .pop()!,
    );
  // The machine is shared and its load swings: run the three interleaved, `rounds` times, and report
  // each one's median run (by plugin-side time), with every run listed.
  const rounds = Number(process.argv[3] ?? 3);
  const all: Record<string, ReturnType<typeof run>[]> = { infill: [], "infill-fast": [], naive: [] };
  for (let i = 0; i < rounds; i++) for (const m of Object.keys(all)) all[m].push(run(m));
  const median = (rs: ReturnType<typeof run>[]) => rs.slice().sort((a, b) => a.plugin - b.plugin)[(rs.length - 1) >> 1];
  const infill = median(all.infill);
  const fast = median(all["infill-fast"]);
  const naive = median(all.naive);
  const f = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  console.log(
    `Fill bench: ${W}×${H} document, ${SEL.right - SEL.left}×${SEL.bottom - SEL.top} selection, ${variations} variation(s); service time excluded; median of ${rounds} interleaved runs`,
  );
  console.log(
    "  codec: JPEG by src/common/imaging/jpeg (baseline 4:2:0 encoder, source at q85; decoder that decodes only the layer's region of a fill result); naive: PNG (fflate) both ways, whole document and whole canvas",
  );
  console.log(
    "  download: infill asks for the fill result cropped to its layer and tone ring (the broker's output crop, src/broker/output-crop.ts, run by the stand-in; counted as service time)",
  );
  for (const [m, rs] of Object.entries(all)) console.log(`  ${m}: plugin-side runs ${rs.map((r) => r.plugin.toFixed(0)).join(", ")} ms`);
  for (const r of [infill, fast, naive]) {
    console.log(`\n${r.mode}${r.sent ? ` (sent ${r.sent.width}×${r.sent.height})` : ""}:`);
    for (const [k, v] of Object.entries(r.phases as Record<string, number>)) console.log(`  ${k.padEnd(14)} ${f(v)}`);
    console.log(`  ${"plugin total".padEnd(14)} ${f(r.plugin)}   (service ${f(r.serviceMs)})`);
    console.log(`  bytes up ${mb(r.bytesUp)}, down ${mb(r.bytesDown)}; peak RSS ${r.maxRssMb.toFixed(0)} MiB (document alone ${r.baseRssMb.toFixed(0)} MiB)`);
  }
  console.log("");
  for (const r of [infill, fast]) {
    console.log(
      `ratios naive / ${r.mode}: time ${(naive.plugin / r.plugin).toFixed(1)}× (target ≥ 5×), bytes ${((naive.bytesUp + naive.bytesDown) / (r.bytesUp + r.bytesDown)).toFixed(1)}× (target ≥ 10×), peak memory above the document ${((naive.maxRssMb - naive.baseRssMb) / Math.max(1, r.maxRssMb - r.baseRssMb)).toFixed(1)}×; plugin-side ${r.plugin.toFixed(0)} ms (target < 1000 ms)`,
    );
  }
}

if (process.argv[2] === "--child")
  child(process.argv[3] as Mode, Number(process.argv[4])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else main();
