// For measurements and tests: a synthetic photograph (smooth gradients and sinusoids with roughly
// Gaussian grain, σ ≈ 3 levels, the sum of four uniforms, so JPEG and PNG sizes behave as on real
// images; deterministic for a given seed) and the PSNR the codec checks report.

export interface GrainOptions {
  seed?: number;
  /** Periods (in pixels, divided by 2π) of the green sinusoid across and the blue one down. */
  xPeriod?: number;
  yPeriod?: number;
}

/** RGBA bytes of a `width`×`height` gradient-and-grain image. */
export function gradientGrain(width: number, height: number, o: GrainOptions = {}): Uint8Array {
  const xp = o.xPeriod ?? 150;
  const yp = o.yPeriod ?? 200;
  const data = new Uint8Array(width * height * 4);
  let s = o.seed ?? 7;
  const u = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) >> 8) / 8388608;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const n = (u() + u() + u() + u() - 2) * 5.2 + 8;
      const p = (y * width + x) * 4;
      data[p] = (60 + (x * 120) / width + n) | 0;
      data[p + 1] = (80 + (y * 100) / height + 30 * Math.sin(x / xp) + n) | 0;
      data[p + 2] = (120 + 40 * Math.cos(y / yp) + n) | 0;
      data[p + 3] = 255;
    }
  return data;
}

/** PSNR in dB of the RGB channels of two RGBA buffers (alpha ignored); Infinity when identical. */
export function psnrRGB(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if ((i & 3) === 3) continue;
    const d = a[i] - b[i];
    se += d * d;
    n++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}
