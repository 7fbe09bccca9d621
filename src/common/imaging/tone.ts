// Tone matching: the generated image's colours are fitted to the original in a ring just outside the
// selection (where both show the same content), per channel (gain and offset from mean and standard
// deviation), and the correction is applied to the generated pixels.

import type { GrayImage, RGBAImage } from "../host";
import { nonZeroBounds } from "./image";
import { chamfer34 } from "./masks";

const FAR = 1 << 29;

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
  const bh = y1 - y0;
  const d = new Int32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const row = (y0 + y) * width + x0;
    for (let x = 0; x < bw; x++) d[y * bw + x] = mask.data[row + x] !== 0 ? 0 : FAR;
  }
  chamfer34(d, bw, bh);
  const sumS = [0, 0, 0];
  const sumR = [0, 0, 0];
  const sqS = [0, 0, 0];
  const sqR = [0, 0, 0];
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    r0 = 0,
    r1 = 0,
    r2 = 0,
    qs0 = 0,
    qs1 = 0,
    qs2 = 0,
    qr0 = 0,
    qr1 = 0,
    qr2 = 0;
  let n = 0;
  const src = source.data;
  const res = result.data;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const di = d[y * bw + x];
      if (di === 0 || Math.fround(di / 3) > ringPx) continue;
      const p = ((y0 + y) * width + x0 + x) * 4;
      if (src[p + 3] < 255) continue; // transparent original: nothing to match
      n++;
      const a = src[p],
        b = src[p + 1],
        c = src[p + 2];
      const e = res[p],
        f = res[p + 1],
        g = res[p + 2];
      s0 += a;
      s1 += b;
      s2 += c;
      r0 += e;
      r1 += f;
      r2 += g;
      qs0 += a * a;
      qs1 += b * b;
      qs2 += c * c;
      qr0 += e * e;
      qr1 += f * f;
      qr2 += g * g;
    }
  }
  sumS[0] = s0;
  sumS[1] = s1;
  sumS[2] = s2;
  sumR[0] = r0;
  sumR[1] = r1;
  sumR[2] = r2;
  sqS[0] = qs0;
  sqS[1] = qs1;
  sqS[2] = qs2;
  sqR[0] = qr0;
  sqR[1] = qr1;
  sqR[2] = qr2;
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
