// Tone matching: the generated image's colours are fitted to the original in a ring just outside the
// selection (where both show the same content), per channel (gain and offset from mean and standard
// deviation), and the correction is applied to the generated pixels.

import type { GrayImage, RGBAImage } from "../host";
import { nonZeroBounds } from "./image";
import { distanceToSeeds } from "./masks";

export interface ToneCorrection {
  gain: [number, number, number];
  offset: [number, number, number];
}

export const IDENTITY_TONE: ToneCorrection = { gain: [1, 1, 1], offset: [0, 0, 0] };

/**
 * Fit the generated `result` to `source` (both the same size, aligned) over the ring of width
 * `ringPx` outside `mask` (non-zero = generated). Returns null when the ring is too small to trust.
 */
export function fitTone(source: RGBAImage, result: RGBAImage, mask: GrayImage, ringPx: number): ToneCorrection | null {
  const { width, height } = mask;
  if (source.width !== width || result.width !== width || source.height !== height || result.height !== height) {
    throw new Error("fitTone: sizes differ");
  }
  // Only the mask's bounding box plus the ring can be in the ring.
  const nz = nonZeroBounds(mask);
  if (nz.right <= nz.left) return null;
  const x0 = Math.max(0, nz.left - ringPx - 1);
  const y0 = Math.max(0, nz.top - ringPx - 1);
  const x1 = Math.min(width, nz.right + ringPx + 1);
  const y1 = Math.min(height, nz.bottom + ringPx + 1);
  const bw = x1 - x0;
  const toFull = (i: number) => (y0 + Math.floor(i / bw)) * width + x0 + (i % bw);
  const dist = distanceToSeeds(bw, y1 - y0, (i) => mask.data[toFull(i)] !== 0);
  const sumS = [0, 0, 0];
  const sumR = [0, 0, 0];
  const sqS = [0, 0, 0];
  const sqR = [0, 0, 0];
  let n = 0;
  for (let j = 0; j < dist.length; j++) {
    const d = dist[j];
    if (d === 0 || d > ringPx) continue;
    const p = toFull(j) * 4;
    if (source.data[p + 3] < 255) continue; // transparent original: nothing to match
    n++;
    for (let c = 0; c < 3; c++) {
      const s = source.data[p + c];
      const r = result.data[p + c];
      sumS[c] += s;
      sumR[c] += r;
      sqS[c] += s * s;
      sqR[c] += r * r;
    }
  }
  if (n < 16) return null;
  const gain: [number, number, number] = [1, 1, 1];
  const offset: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const mS = sumS[c] / n;
    const mR = sumR[c] / n;
    const sdS = Math.sqrt(Math.max(0, sqS[c] / n - mS * mS));
    const sdR = Math.sqrt(Math.max(0, sqR[c] / n - mR * mR));
    const g = sdR > 2 && sdS > 2 ? Math.min(1.5, Math.max(0.67, sdS / sdR)) : 1;
    gain[c] = g;
    // A generated region may legitimately differ from its surroundings; only correct moderate drifts.
    offset[c] = Math.max(-48, Math.min(48, mS - g * mR));
  }
  return { gain, offset };
}

export function applyTone(img: RGBAImage, t: ToneCorrection): void {
  const lut: Uint8Array[] = [0, 1, 2].map((c) => {
    const l = new Uint8Array(256);
    for (let v = 0; v < 256; v++) l[v] = Math.max(0, Math.min(255, Math.round(t.gain[c] * v + t.offset[c])));
    return l;
  });
  const d = img.data;
  for (let p = 0; p < d.length; p += 4) {
    d[p] = lut[0][d[p]];
    d[p + 1] = lut[1][d[p + 1]];
    d[p + 2] = lut[2][d[p + 2]];
  }
}
