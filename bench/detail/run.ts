// Detail bench: for a matrix of documents (2000² to 8000×6000) and selections (256 to 6000 px,
// square and long), the Standard and Native-detail fill plans side by side: requests, interpolation
// factor (max over axes and parts; ≤ 1 is native), the largest context stretch (anisotropy), bytes up
// and down (estimated from bytes per pixel measured in this run) and the plugin-side planning time.
// "run req" and "run ×" are what the Fill job itself decides for the selection (one fill, one fill
// and its upscales, or tiles): the requests it sends and the factor it places. Then the same for
// expansions (one side, both sides and every side grown; "seeing" counts the tiles whose window holds
// none of the original and that are sent with earlier tiles' results). Ends with the targets: Native detail ≤ 1.0 (within the
// planner's 1 % tolerance) everywhere as run, no stretch above the limit anywhere.
//
//   npm run bench:detail -- [--variations 4] [--pace 4] [--runs 20]

import { FILL_SIZES } from "../../src/common/firefly";
import type { Rect, Size } from "../../src/common/host";
import { ANISOTROPY_LIMIT } from "../../src/common/imaging/context";
import { EXPAND_MAX_SIDE } from "../../src/common/firefly";
import {
  NATIVE_TOLERANCE,
  describeDetailPlan,
  expandInterpolation,
  fillInterpolation,
  planExpandDetail,
  planNativeDetail,
  planStandardDetail,
  type DetailInput,
  type DetailPlan,
} from "../../src/common/imaging/detail";
import { planFillGeometry } from "../../src/common/imaging/context";
import { planExpandGeometry } from "../../src/common/imaging/expand";
import { nativeExpand } from "../../src/plugin/workflows/kinds/expand";
import { nativeDetailPart } from "../../src/plugin/workflows/kinds/fill";
import { tileUpscales } from "../../src/plugin/workflows/tiles-plan";
import { arg, quantile } from "../support/procs";
import { measureBytesPerPixel, planTraffic } from "./bytes";
import { DOCS, EXPANSIONS } from "./cases";

const SIDES = [256, 1000, 2000, 3000, 4000, 6000];
const BAND_PX = 16;

function selections(doc: Size): { label: string; rect: Rect }[] {
  const out: { label: string; rect: Rect }[] = [];
  const centred = (w: number, h: number): Rect => {
    const left = Math.floor((doc.width - w) / 2);
    const top = Math.floor((doc.height - h) / 2);
    return { left, top, right: left + w, bottom: top + h };
  };
  for (const s of SIDES) {
    const long = Math.max(64, Math.round(s / 8));
    const shapes: [string, number, number][] = [
      [`${s}²`, s, s],
      [`${s}×${long}`, s, long],
      [`${long}×${s}`, long, s],
    ];
    for (const [label, w, h] of shapes) if (w <= doc.width && h <= doc.height) out.push({ label, rect: centred(w, h) });
  }
  return out;
}

function stretch(plan: DetailPlan): number {
  return Math.max(...plan.parts.map((p) => p.geometry.anisotropy));
}

/** Median milliseconds of `runs` calls of `fn`. */
function time(fn: () => void, runs: number): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return quantile(
    t.sort((a, b) => a - b),
    0.5,
  );
}

/** What a Native-detail Fill job runs for this selection (the job's own decision): requests and the factor it places. */
function asRun(doc: Size, selection: Rect, variations: number): { requests: number; factor: number } {
  const g = planFillGeometry(doc, selection, FILL_SIZES);
  const seeds = Array.from({ length: variations }, (_, i) => i + 1);
  const native = nativeDetailPart(doc, g, BAND_PX, seeds);
  if (native.tiles) {
    const upscaled = native.tiles.filter((t) => t.upscale).length;
    const factor = Math.max(...native.tiles.map((t) => fillInterpolation(t.geometry).max / (t.upscale?.factor ?? 1)));
    return { requests: native.tiles.length + upscaled * variations, factor };
  }
  const base = fillInterpolation(g).max;
  return native.upscale ? { requests: 1 + variations, factor: base / native.upscale.factor } : { requests: 1, factor: base };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const mb = (b: number) => (b / 1e6).toFixed(1);

function main(): void {
  const variations = arg("variations", 4);
  const pace = arg("pace", 4);
  const runs = arg("runs", 20);
  const bpp = measureBytesPerPixel();
  console.log(`bytes per pixel measured: source JPEG ${bpp.source.toFixed(3)}, mask PNG ${bpp.mask.toFixed(4)}, result JPEG ${bpp.result.toFixed(3)}`);
  console.log(`${variations} variations, pace ${pace}/min, planning time = median of ${runs} runs (Native plan)\n`);
  console.log(
    [
      pad("document", 10),
      pad("selection", 11),
      pad("std req", 8),
      pad("std ×", 6),
      pad("nat req", 8),
      pad("fills", 6),
      pad("ups", 4),
      pad("nat ×", 6),
      pad("run req", 8),
      pad("run ×", 6),
      pad("stretch", 8),
      pad("std MB up/down", 15),
      pad("nat MB up/down", 15),
      pad("plan ms", 8),
    ].join(" "),
  );
  let worstNative = 0;
  let worstRun = 0;
  let tiledRows = 0;
  let mismatched = 0;
  let rows = 0;
  let worstStretch = 0;
  let worstCase = "";
  const examples: string[] = [];
  for (const doc of DOCS) {
    for (const sel of selections(doc)) {
      const input: DetailInput = { doc, selection: sel.rect, presets: FILL_SIZES, variations, bandPx: BAND_PX };
      const std = planStandardDetail(input);
      const nat = planNativeDetail(input);
      const ms = time(() => planNativeDetail(input), runs);
      const s = Math.max(stretch(std), stretch(nat));
      const ts = planTraffic(std, variations, bpp);
      const tn = planTraffic(nat, variations, bpp);
      const placed = asRun(doc, sel.rect, variations);
      rows++;
      if (nat.fills > 1) tiledRows++;
      if (placed.requests !== nat.requests) mismatched++;
      if (nat.interpolation.max > worstNative) worstNative = nat.interpolation.max;
      if (placed.factor > worstRun) worstRun = placed.factor;
      if (s > worstStretch) {
        worstStretch = s;
        worstCase = `${doc.width}×${doc.height} ${sel.label}`;
      }
      if (examples.length < 3 && nat.requests > 1) examples.push(`${doc.width}×${doc.height} ${sel.label}: ${describeDetailPlan(nat, pace)}`);
      console.log(
        [
          pad(`${doc.width}×${doc.height}`, 10),
          pad(sel.label, 11),
          pad(std.requests, 8),
          pad(std.interpolation.max.toFixed(2), 6),
          pad(nat.requests, 8),
          pad(nat.fills, 6),
          pad(nat.upscales, 4),
          pad(nat.interpolation.max.toFixed(2), 6),
          pad(placed.requests, 8),
          pad(placed.factor.toFixed(2), 6),
          pad(`${(s * 100).toFixed(2)}%`, 8),
          pad(`${mb(ts.up)}/${mb(ts.down)}`, 15),
          pad(`${mb(tn.up)}/${mb(tn.down)}`, 15),
          pad(ms.toFixed(3), 8),
        ].join(" "),
      );
    }
  }
  console.log("");
  for (const e of examples) console.log(e);
  const expand = expandRows(variations);
  const ok = (x: number) => (x <= 1 + NATIVE_TOLERANCE ? "met" : "NOT met");
  const target = `target ≤ ${(1 + NATIVE_TOLERANCE).toFixed(3)}`;
  console.log(`\nNative detail fill, largest interpolation factor as planned (tiles included): ${worstNative.toFixed(3)} (${target}): ${ok(worstNative)}`);
  console.log(
    `Native detail fill, largest interpolation factor as run: ${worstRun.toFixed(3)} (${target}): ${ok(worstRun)}; ${tiledRows} of ${rows} selections run as tiles; requests as run differ from the plan in ${mismatched}`,
  );
  console.log(
    `Native detail expand, largest interpolation factor as run: ${expand.worstRun.toFixed(3)} (${target}): ${ok(expand.worstRun)}; ${expand.tiled} of ${expand.rows} expansions run as tiles along the new strips, ${expand.dependent} of them with tiles that see earlier tiles' results ("seeing": tiles sent once per variation after their neighbours); requests as run differ from the plan in ${expand.mismatched}`,
  );
  console.log(
    `Largest context stretch: ${(worstStretch * 100).toFixed(2)}% at ${worstCase} (limit ${(ANISOTROPY_LIMIT * 100).toFixed(0)}%): ${worstStretch <= ANISOTROPY_LIMIT ? "met" : "NOT met"}`,
  );
}

/** Standard and Native detail for expansions of each document: requests and interpolation as the job runs them (its own decision). */
function expandRows(variations: number): { worstRun: number; tiled: number; dependent: number; mismatched: number; rows: number } {
  const seeds = Array.from({ length: variations }, (_, i) => i + 1);
  console.log(
    `\n${[pad("document", 10), pad("expansion", 12), pad("canvas", 11), pad("std ×", 6), pad("run req", 8), pad("tiles", 6), pad("seeing", 6), pad("run ×", 6)].join(" ")}`,
  );
  let worstRun = 0;
  let tiled = 0;
  let dependent = 0;
  let mismatched = 0;
  let rows = 0;
  for (const doc of DOCS) {
    for (const e of EXPANSIONS) {
      const g = planExpandGeometry(doc, { kind: "sides", ...e.sides(doc) }, EXPAND_MAX_SIDE);
      const std = expandInterpolation(g);
      const nat = planExpandDetail(g, variations);
      const run = nativeExpand(g, seeds, BAND_PX);
      const factor = run.tiles
        ? Math.max(...run.tiles.map((t) => fillInterpolation(t.geometry).max / (t.upscale?.factor ?? 1)))
        : std.max / (run.upscale?.factor ?? 1);
      const requests = run.tiles ? run.tiles.length + tileUpscales(run.tiles) : run.upscale ? 1 + variations : 1;
      // Tiles whose window holds none of the original and that are sent with their neighbours' results.
      const seeing = run.tiles?.filter((t) => t.dependsOn).length ?? 0;
      rows++;
      if (run.tiles) tiled++;
      if (seeing > 0) dependent++;
      if (requests !== nat.requests) mismatched++;
      if (factor > worstRun) worstRun = factor;
      console.log(
        [
          pad(`${doc.width}×${doc.height}`, 10),
          pad(e.label, 12),
          pad(`${g.canvas.width}×${g.canvas.height}`, 11),
          pad(std.max.toFixed(2), 6),
          pad(requests, 8),
          pad(run.tiles?.length ?? 0, 6),
          pad(seeing, 6),
          pad(factor.toFixed(2), 6),
        ].join(" "),
      );
    }
  }
  return { worstRun, tiled, dependent, mismatched, rows };
}

main();
