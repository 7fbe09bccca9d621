// Photo bench: object removal and expand on real photographs with known originals, Infill against
// GIMP's Resynthesizer (heal selection) and OpenCV's Telea.
//
//   npm run bench:photos                          (all cases)
//   npm run bench:photos -- --only home-sky,apple-edge --seed 3
//   npm run bench:photos -- --options '{"baseScale":0}'   (engine options to try)
//   npm run bench:photos -- --no-resynth          (Infill and Telea only)
//
// Per case and method: time; seam (difference across the hole's edge over the band's own, as a
// ratio to the original's); gradient energy hole/band; patch distance from the band into the hole;
// the share of hole pixels with colours the band does not contain (measures.ts). The original's
// own figures are printed as the reference. Sheets (original | hole | Infill | Resynthesizer |
// Telea, and 1:1 crops around the hole) go to test-artifacts/engine/photos/.

import { promises as fs } from "fs";
import * as path from "path";
import sharp from "sharp";
import { expandImage, fillImage, maskBounds, type EngineOptions, type Rect } from "../../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../../src/broker/local/engine/types";
import { crop, grow, holed } from "../images";
import { writeSheet } from "../sheet";
import { loadOpenCv, telea } from "../telea";
import { PHOTO_CASES, PhotoCase, caseMask } from "./cases";
import { PhotoScores, holeGeometry, scorePhoto } from "./measures";
import { resynthesize, resynthesizerMissing } from "./resynth";

const OUT = path.join(__dirname, "../../../test-artifacts/engine/photos");
const IMAGES = path.join(__dirname, "images");
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg("--only")?.split(",");
const seed = Number(arg("--seed") ?? 1);
/** Engine options to try, as JSON: --options '{"baseScale":0}'. */
const extra: EngineOptions = JSON.parse(arg("--options") ?? "{}");

async function load(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path.join(IMAGES, file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Infill on the case: a fill of the blob, or an expand of the photo minus the strip back to full size. */
function infill(original: RgbaImage, mask: GrayImage, c: PhotoCase): RgbaImage {
  const { width: w, height: h } = original;
  if (c.hole.kind === "fill") return fillImage(holed(original, mask), mask, { ...extra, seed });
  const b = maskBounds(
    mask.data.map((v) => (v ? 0 : 255)),
    w,
    h,
  ) as Rect;
  const side = c.hole.side;
  const placement = {
    alignment: {
      horizontal: side === "right" ? "left" : side === "left" ? "right" : "center",
      vertical: side === "bottom" ? "top" : side === "top" ? "bottom" : "center",
    },
  } as const;
  return expandImage(crop(original, b), { width: w, height: h, placement }, { ...extra, seed });
}

interface Row {
  name: string;
  method: string;
  ms: number;
  s: PhotoScores;
}

const f2 = (v: number): string => v.toFixed(2);

async function main(): Promise<void> {
  await fs.mkdir(OUT, { recursive: true });
  await loadOpenCv();
  const missing = process.argv.includes("--no-resynth") ? "--no-resynth was given" : resynthesizerMissing();
  if (missing) console.log(`Resynthesizer skipped: ${missing}.`);
  console.log(
    `\nseed ${seed}; seam = (edge/band difference) ÷ the original's; gradient = hole/band (original in brackets); patch = RMS distance from band patches to their nearest hole patch; invented = % of hole pixels with colours absent from the band\n`,
  );
  console.log("| case | method | ms | seam ×orig | gradient | patch dist | invented % |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  const rows: Row[] = [];
  for (const c of PHOTO_CASES) {
    if (only && !only.includes(c.name)) continue;
    const original = await load(c.image);
    const mask = caseMask(original.width, original.height, c);
    const g = holeGeometry(mask);
    const orig = scorePhoto(original, g);
    const runs: { method: string; fn: () => RgbaImage | Promise<RgbaImage> }[] = [
      { method: "Infill", fn: () => infill(original, mask, c) },
      ...(missing ? [] : [{ method: "Resynthesizer", fn: () => resynthesize(holed(original, mask), mask) }]),
      { method: "Telea", fn: () => telea(holed(original, mask), mask) },
    ];
    const results: { method: string; image: RgbaImage; s: PhotoScores }[] = [];
    console.log(`| ${c.name} | original | | 1.00 | ${f2(orig.gradient)} | ${f2(orig.patch)} | ${(orig.invented * 100).toFixed(1)} |`);
    for (const r of runs) {
      const t = performance.now();
      const image = await r.fn();
      const ms = performance.now() - t;
      const s = scorePhoto(image, g);
      s.seam = s.seam / Math.max(1e-6, orig.seam);
      rows.push({ name: c.name, method: r.method, ms, s });
      results.push({ method: r.method, image, s });
      console.log(`| ${c.name} | ${r.method} | ${ms.toFixed(0)} | ${f2(s.seam)} | ${f2(s.gradient)} | ${f2(s.patch)} | ${(s.invented * 100).toFixed(1)} |`);
    }
    const panels = [
      { label: "original", image: original },
      { label: "hole", image: holed(original, mask) },
      ...results.map((r) => ({ label: `${r.method} seam ${f2(r.s.seam)}`, image: r.image })),
    ];
    await writeSheet(path.join(OUT, `${c.name}.png`), panels, 400);
    const z = grow(maskBounds(mask.data, original.width, original.height) as Rect, 32, original.width, original.height);
    await writeSheet(
      path.join(OUT, `${c.name}-zoom.png`),
      panels.map((p) => ({ label: p.label, image: crop(p.image, z) })),
      320,
    );
  }
  for (const method of ["Infill", "Resynthesizer", "Telea"]) {
    const mine = rows.filter((r) => r.method === method);
    if (!mine.length) continue;
    const seamOk = mine.filter((r) => r.s.seam <= 1.3).length;
    const inv = mine.filter((r) => r.s.invented <= 0.005).length;
    const mean = (k: keyof PhotoScores): string => f2(mine.reduce((a, r) => a + r.s[k], 0) / mine.length);
    console.log(
      `\n${method}: seam ≤ 1.3× the photo's own in ${seamOk}/${mine.length}; invented colours ≤ 0.5 % in ${inv}/${mine.length}; means: seam ${mean("seam")}, gradient ${mean("gradient")}, patch ${mean("patch")}; total ${(mine.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s`,
    );
  }
  console.log(`\nSheets: ${path.relative(process.cwd(), OUT)}/<case>.png and <case>-zoom.png`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
