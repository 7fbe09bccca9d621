// GIMP's Resynthesizer "Heal selection", run headless through script-fu, as the peer to compare
// with. Skipped (null) when gimp or the plug-in is missing.
//
// Installing it: Debian's gimp-plugin-registry (9.20200928) no longer ships Resynthesizer, so build
// the engine plug-in from Lloyd Konneker's sources (github.com/bootchk/resynthesizer, release
// v2.0.3, the last one for GIMP 2.10) against libgimp2.0-dev with the usual autotools steps
// (autoconf, automake, libtool, intltool), and copy the resulting `resynthesizer` binary into
// ~/.config/GIMP/2.10/plug-ins. Heal selection itself is a Python plug-in in that release, and
// GIMP 2.10 on Debian 12 has no Python support, so the bench does what it does in script-fu below:
// grow the selection by the sampling width, cut the hole out of the grown ring, crop a duplicate
// image to the ring, and call the engine plug-in-resynthesizer with the ring as the corpus and
// heal selection's parameters (random fill order, map weight 0, autism 0.117, neighbourhood 16,
// 500 tries).

import { execFile } from "child_process";
import { existsSync, promises as fs, readdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import type { GrayImage, RgbaImage } from "../../../src/broker/local/engine/types";

const PLUGIN_DIRS = ["/usr/lib/gimp/2.0/plug-ins", "/usr/lib/x86_64-linux-gnu/gimp/2.0/plug-ins", path.join(os.homedir(), ".config/GIMP/2.10/plug-ins")];

/** Why Resynthesizer cannot run here, or null when it can. */
export function resynthesizerMissing(): string | null {
  if (!existsSync("/usr/bin/gimp")) return "gimp is not installed (Debian: apt-get install gimp)";
  for (const dir of PLUGIN_DIRS) {
    if (!existsSync(dir)) continue;
    if (readdirSync(dir, { recursive: true }).some((f) => path.basename(String(f)).toLowerCase() === "resynthesizer")) return null;
  }
  return `the Resynthesizer plug-in is not installed in ${PLUGIN_DIRS.join(", ")} (build release v2.0.3 against libgimp2.0-dev, see bench/engine/photos/resynth.ts)`;
}

const scheme = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** Sampling width of heal selection: how far around the hole the corpus ring reaches, in pixels. */
const SAMPLING_WIDTH = 50;

/** Script-fu that loads the photo and mask, heals the mask's white pixels as heal selection does, and saves. */
function healScript(inFile: string, maskFile: string, outFile: string): string {
  return `(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE ${scheme(inFile)} ${scheme(inFile)})))
       (drw (car (gimp-image-get-active-drawable img)))
       (ml (car (gimp-file-load-layer RUN-NONINTERACTIVE img ${scheme(maskFile)}))))
  (gimp-image-insert-layer img ml 0 -1)
  (gimp-context-set-sample-threshold 0.5)
  (gimp-image-select-color img CHANNEL-OP-REPLACE ml '(255 255 255))
  (gimp-image-remove-layer img ml)
  (let* ((corpus (car (gimp-image-duplicate img)))
         (cdrw (car (gimp-image-get-active-drawable corpus)))
         (hole (car (gimp-selection-save corpus))))
    (gimp-selection-grow corpus ${SAMPLING_WIDTH})
    (let* ((b (cdr (gimp-selection-bounds corpus)))
           (x1 (car b)) (y1 (cadr b)) (x2 (caddr b)) (y2 (cadddr b)))
      (gimp-image-select-item corpus CHANNEL-OP-SUBTRACT hole)
      (gimp-image-crop corpus (- x2 x1) (- y2 y1) x1 y1))
    (plug-in-resynthesizer RUN-NONINTERACTIVE img drw 0 0 1 cdrw -1 -1 0.0 0.117 16 500))
  (gimp-file-save RUN-NONINTERACTIVE img drw ${scheme(outFile)} ${scheme(outFile)}))`;
}

/** Heal the mask's nonzero pixels as heal selection does (sampling width 50, all around, random order). */
export async function resynthesize(image: RgbaImage, mask: GrayImage): Promise<RgbaImage> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "infill-resynth-"));
  try {
    const inFile = path.join(dir, "in.png"),
      maskFile = path.join(dir, "mask.png"),
      outFile = path.join(dir, "out.png");
    const { width: w, height: h } = image;
    await sharp(Buffer.from(image.data), { raw: { width: w, height: h, channels: 4 } })
      .removeAlpha()
      .png()
      .toFile(inFile);
    await sharp(Buffer.from(mask.data), { raw: { width: w, height: h, channels: 1 } })
      .png()
      .toFile(maskFile);
    // The quit is a batch command of its own so that GIMP also exits when the heal fails.
    const log = await new Promise<string>((resolve, reject) => {
      execFile("gimp", ["-i", "-d", "-f", "-b", healScript(inFile, maskFile, outFile), "-b", "(gimp-quit 0)"], { timeout: 120_000 }, (err, _out, stderr) =>
        err ? reject(err) : resolve(String(stderr)),
      );
    });
    if (!existsSync(outFile)) {
      const why = /execution error:\s*(.*(?:\n.*)?)/.exec(log)?.[1].replace(/\s+/g, " ").trim();
      throw new Error(`gimp wrote no image: ${why || "the script-fu heal failed"}`);
    }
    const out = await sharp(outFile).ensureAlpha().raw().toBuffer();
    return { width: w, height: h, data: new Uint8Array(out) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
