// GIMP's Resynthesizer "Heal selection", run headless through script-fu, as the peer to compare
// with. Skipped (null) when gimp or the plug-in is missing.

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
    if (readdirSync(dir).some((f) => f.toLowerCase().startsWith("resynthesizer"))) return null;
  }
  return `the Resynthesizer plug-in is not installed in ${PLUGIN_DIRS.join(", ")} (Debian's gimp-plugin-registry 9.20200928 no longer ships it)`;
}

const scheme = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** Heal the mask's nonzero pixels with plug-in-heal-selection (sampling width 50, random order). */
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
    const script = `(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE ${scheme(inFile)} ${scheme(inFile)})))
        (drw (car (gimp-image-get-active-drawable img)))
        (ml (car (gimp-file-load-layer RUN-NONINTERACTIVE img ${scheme(maskFile)}))))
  (gimp-image-insert-layer img ml 0 -1)
  (gimp-context-set-sample-threshold 0.5)
  (gimp-image-select-color img CHANNEL-OP-REPLACE ml '(255 255 255))
  (gimp-image-remove-layer img ml)
  (plug-in-heal-selection RUN-NONINTERACTIVE img drw 50 0 0)
  (gimp-file-save RUN-NONINTERACTIVE img drw ${scheme(outFile)} ${scheme(outFile)})
  (gimp-quit 0))`;
    await new Promise<void>((resolve, reject) => {
      execFile("gimp", ["-i", "-d", "-f", "-b", script], { timeout: 120_000 }, (err) => (err ? reject(err) : resolve()));
    });
    const out = await sharp(outFile).ensureAlpha().raw().toBuffer();
    return { width: w, height: h, data: new Uint8Array(out) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
