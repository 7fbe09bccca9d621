// The fake Firefly's upscale leaves a fine checkerboard in its outputs (test/fakes/firefly/upscale.ts).
// Placed at 1:1 it survives: neighbouring pixels of a patch alternate by the pattern, 2 × the
// amplitude apart before tone matching (which scales each channel's contrast a little but keeps the
// sign and most of the size). A resampled result would be flat there.

import type { Page } from "playwright-core";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../../fakes/firefly/upscale";

const PATCH = 24;

/** Where the 24×24 patch at (left, top) of the active document's composite breaks the pattern (at most 5). */
export async function upscalePatternBreaks(page: Page, left: number, top: number): Promise<string[]> {
  const patch = await page.evaluate(
    async ({ left, top, size }) => {
      const h = (window as unknown as { __infill: { host: any } }).__infill.host;
      const a = await h.activeDocument();
      const img = await h.composite(a.id, { window: { left, top, right: left + size, bottom: top + size } });
      return { width: img.width as number, data: Array.from(img.data as Uint8Array) };
    },
    { left, top, size: PATCH },
  );
  const at = (x: number, y: number, c: number) => patch.data[(y * patch.width + x) * 4 + c];
  const sign0 = Math.sign(at(0, 0, 0) - at(1, 0, 0));
  if (sign0 === 0) return [`(${left},${top}) and its right neighbour are equal: no pattern`];
  const wrong: string[] = [];
  for (let y = 0; y < PATCH; y++)
    for (let x = 0; x < PATCH - 1; x++)
      for (let c = 0; c < 3; c++) {
        const d = (at(x, y, c) - at(x + 1, y, c)) * sign0 * upscalePatternSign(x, y);
        if (d < UPSCALE_PATTERN_AMPLITUDE || d > 2 * UPSCALE_PATTERN_AMPLITUDE)
          wrong.push(`(${left + x},${top + y}) c${c}: ${d} outside ${UPSCALE_PATTERN_AMPLITUDE}..${2 * UPSCALE_PATTERN_AMPLITUDE}`);
      }
  return wrong.slice(0, 5);
}
