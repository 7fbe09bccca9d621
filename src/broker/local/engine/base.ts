// Smooth base layer for the completion: the image's low frequencies, interpolated across the hole
// as a membrane (Laplace equation, Dirichlet values from the known surroundings).
//
// PatchMatch copies texture well but gets slow variations wrong: on a gradient no source patch has
// the colour the hole centre needs, so each side of the hole copies its own colour inwards and the
// fronts meet in visible seams. Completing the detail layer (image − base) instead, and adding the
// membrane-interpolated base back, gives the hole the low frequencies a smooth interpolation of
// its boundary predicts and lets patches come from anywhere their detail fits.

import type { Level } from "./pyramid";

/** Three box passes of width `2·rad+1` (≈ a Gaussian) along rows then columns, in place; `ch` interleaved channels. */
function boxBlur3(a: Float64Array, w: number, h: number, ch: number, rad: number): void {
  const tmp = new Float64Array(Math.max(w, h) * ch);
  const acc = new Float64Array(ch);
  const pass = (len: number, stride: number, start: number): void => {
    // Zero padding outside the image: the normalised convolution divides it out.
    for (let i = 0; i < len; i++) for (let c = 0; c < ch; c++) tmp[i * ch + c] = a[start + i * stride + c];
    for (let c = 0; c < ch; c++) {
      let s = 0;
      for (let i = 0; i <= Math.min(rad, len - 1); i++) s += tmp[i * ch + c];
      acc[c] = s;
    }
    for (let i = 0; i < len; i++) {
      for (let c = 0; c < ch; c++) {
        a[start + i * stride + c] = acc[c];
        const add = i + rad + 1,
          sub = i - rad;
        if (add < len) acc[c] += tmp[add * ch + c];
        if (sub >= 0) acc[c] -= tmp[sub * ch + c];
      }
    }
  };
  for (let p = 0; p < 3; p++) {
    for (let y = 0; y < h; y++) pass(w, ch, y * w * ch);
    for (let x = 0; x < w; x++) pass(h, w * ch, x * ch);
  }
}

/**
 * Low-pass of the known pixels (normalised convolution with a ≈Gaussian of std `sigma`), with the
 * hole filled by solving Laplace's equation with the known low-pass as boundary values. Computed
 * on blocks of about σ/2 pixels and interpolated bilinearly: the result is smooth everywhere, and
 * the same field is subtracted and added back, so its exact values at known pixels do not matter.
 * Returns w·h·3 floats. `weight` (per pixel, 0..1) scales each known pixel's say in the fit.
 */
export function smoothBase(lv: Level, sigma: number, weight?: Float32Array): Float32Array {
  const { w, h, img, hole } = lv;
  // Blocks of about σ/2 (the field is smooth at that scale), and at most about 128² of them.
  const f = Math.max(1, Math.floor(sigma / 2), Math.ceil(Math.sqrt((w * h) / 16384)));
  const wc = Math.ceil(w / f),
    hc = Math.ceil(h / f),
    nc = wc * hc;
  // Per block: RGB sums and the count of known pixels; a block with any hole pixel is solved for.
  const sum = new Float64Array(nc * 4);
  const holeC = new Uint8Array(nc);
  const colC = new Int32Array(w);
  for (let x = 0; x < w; x++) colC[x] = Math.floor(x / f);
  for (let y = 0; y < h; y++) {
    const rowC = Math.floor(y / f) * wc;
    for (let x = 0; x < w; x++) {
      const i = y * w + x,
        o = rowC + colC[x];
      if (hole[i]) {
        holeC[o] = 1;
        continue;
      }
      const wt = weight ? weight[i] : 1;
      sum[o * 4] += wt * img[i * 3];
      sum[o * 4 + 1] += wt * img[i * 3 + 1];
      sum[o * 4 + 2] += wt * img[i * 3 + 2];
      sum[o * 4 + 3] += wt;
    }
  }
  // Local linear fit (first-order normalised convolution): a plain weighted mean next to the hole
  // averages one side only and is off by the local slope times the window's offset; a plane fitted
  // to the window is exact on a linear ramp. Moments per block: n, nx, ny, nxx, nxy, nyy, then
  // Σv, Σxv, Σyv per channel (block coordinates, centred on the grid).
  const K = 15;
  const mom = new Float64Array(nc * K);
  const cx = (wc - 1) / 2,
    cy = (hc - 1) / 2;
  for (let yc = 0; yc < hc; yc++)
    for (let xc = 0; xc < wc; xc++) {
      const o = yc * wc + xc,
        n = sum[o * 4 + 3];
      if (n === 0) continue;
      const X = xc - cx,
        Y = yc - cy,
        m = o * K;
      mom[m] = n;
      mom[m + 1] = n * X;
      mom[m + 2] = n * Y;
      mom[m + 3] = n * X * X;
      mom[m + 4] = n * X * Y;
      mom[m + 5] = n * Y * Y;
      for (let c = 0; c < 3; c++) {
        const v = sum[o * 4 + c];
        mom[m + 6 + c * 3] = v;
        mom[m + 7 + c * 3] = v * X;
        mom[m + 8 + c * 3] = v * Y;
      }
    }
  // Three boxes of width W have variance 3(W²−1)/12 = σ².
  const sc = sigma / f;
  const rad = Math.max(1, Math.round((Math.sqrt(4 * sc * sc + 1) - 1) / 2));
  boxBlur3(mom, wc, hc, K, rad);
  const bc = new Float32Array(nc * 3);
  const ridge = 0.05 * sc * sc; // keeps the slope finite where the window sees a thin strip
  for (let yc = 0; yc < hc; yc++)
    for (let xc = 0; xc < wc; xc++) {
      const o = yc * wc + xc;
      if (holeC[o]) continue;
      const X = xc - cx,
        Y = yc - cy,
        m = o * K;
      const S0 = mom[m],
        Sx = mom[m + 1],
        Sy = mom[m + 2];
      // Moments about this block: [[a, b, c], [b, d, e], [c, e, g]].
      const a = S0,
        b = Sx - X * S0,
        c = Sy - Y * S0;
      const d = mom[m + 3] - 2 * X * Sx + X * X * S0 + ridge * S0;
      const e = mom[m + 4] - X * Sy - Y * Sx + X * Y * S0;
      const g = mom[m + 5] - 2 * Y * Sy + Y * Y * S0 + ridge * S0;
      // First row of the inverse (only the fitted value at the centre is needed).
      const c00 = d * g - e * e,
        c01 = c * e - b * g,
        c02 = b * e - c * d;
      const det = a * c00 + b * c01 + c * c02;
      for (let ch = 0; ch < 3; ch++) {
        const v = mom[m + 6 + ch * 3];
        const vx = mom[m + 7 + ch * 3] - X * v,
          vy = mom[m + 8 + ch * 3] - Y * v;
        bc[o * 3 + ch] = det > 1e-9 * a * a * a ? (c00 * v + c01 * vx + c02 * vy) / det : v / a;
      }
    }
  membrane(bc, holeC, wc, hc);
  if (f === 1) return bc;
  const base = new Float32Array(w * h * 3);
  const x0s = new Int32Array(w),
    x1s = new Int32Array(w),
    axs = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    let fx = (x + 0.5) / f - 0.5;
    if (fx < 0) fx = 0;
    else if (fx > wc - 1) fx = wc - 1;
    x0s[x] = Math.floor(fx);
    x1s[x] = x0s[x] + 1 < wc ? x0s[x] + 1 : x0s[x];
    axs[x] = fx - x0s[x];
  }
  for (let y = 0; y < h; y++) {
    let fy = (y + 0.5) / f - 0.5;
    if (fy < 0) fy = 0;
    else if (fy > hc - 1) fy = hc - 1;
    const y0 = Math.floor(fy),
      y1 = y0 + 1 < hc ? y0 + 1 : y0,
      ay = fy - y0;
    for (let x = 0; x < w; x++) {
      const x0 = x0s[x],
        x1 = x1s[x],
        ax = axs[x];
      const i00 = (y0 * wc + x0) * 3,
        i10 = (y0 * wc + x1) * 3,
        i01 = (y1 * wc + x0) * 3,
        i11 = (y1 * wc + x1) * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const t = bc[i00 + c] + (bc[i10 + c] - bc[i00 + c]) * ax;
        const b = bc[i01 + c] + (bc[i11 + c] - bc[i01 + c]) * ax;
        base[o + c] = t + (b - t) * ay;
      }
    }
  }
  return base;
}

/**
 * Solve Δu = 0 on the hole pixels of `u` (3 channels), the known pixels being fixed boundary values
 * and the image border reflecting (no flux). Cascadic multigrid: the solution of a half-size
 * problem (a coarse pixel is known when any of its children is) starts 24 SOR sweeps per level;
 * the coarsest (≤ 16 px) is solved outright. Converged to well under a level on the grids
 * smoothBase uses (at most about 128², holes a few blocks thick); much larger grids would need
 * V-cycles on the residual.
 */
export function membrane(u: Float32Array, hole: Uint8Array, w: number, h: number): void {
  let holes = 0;
  for (let i = 0; i < hole.length; i++) holes += hole[i];
  if (holes === 0) return;
  let sweeps = 24;
  if (w > 16 && h > 16) {
    const w2 = (w + 1) >> 1,
      h2 = (h + 1) >> 1;
    const u2 = new Float32Array(w2 * h2 * 3);
    const hole2 = new Uint8Array(w2 * h2);
    for (let y = 0; y < h2; y++)
      for (let x = 0; x < w2; x++) {
        let r = 0,
          g = 0,
          b = 0,
          k = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const sx = 2 * x + dx,
              sy = 2 * y + dy;
            if (sx >= w || sy >= h) continue;
            const i = sy * w + sx;
            if (hole[i]) continue;
            r += u[i * 3];
            g += u[i * 3 + 1];
            b += u[i * 3 + 2];
            k++;
          }
        const o = y * w2 + x;
        if (k === 0) {
          hole2[o] = 1;
          continue;
        }
        u2[o * 3] = r / k;
        u2[o * 3 + 1] = g / k;
        u2[o * 3 + 2] = b / k;
      }
    membrane(u2, hole2, w2, h2);
    // Bilinear start for the fine hole pixels.
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!hole[i]) continue;
        let fx = (x + 0.5) / 2 - 0.5,
          fy = (y + 0.5) / 2 - 0.5;
        if (fx < 0) fx = 0;
        else if (fx > w2 - 1) fx = w2 - 1;
        if (fy < 0) fy = 0;
        else if (fy > h2 - 1) fy = h2 - 1;
        const x0 = Math.floor(fx),
          y0 = Math.floor(fy);
        const x1 = x0 + 1 < w2 ? x0 + 1 : x0,
          y1 = y0 + 1 < h2 ? y0 + 1 : y0;
        const ax = fx - x0,
          ay = fy - y0;
        for (let c = 0; c < 3; c++) {
          const t = u2[(y0 * w2 + x0) * 3 + c] + (u2[(y0 * w2 + x1) * 3 + c] - u2[(y0 * w2 + x0) * 3 + c]) * ax;
          const bt = u2[(y1 * w2 + x0) * 3 + c] + (u2[(y1 * w2 + x1) * 3 + c] - u2[(y1 * w2 + x0) * 3 + c]) * ax;
          u[i * 3 + c] = t + (bt - t) * ay;
        }
      }
  } else {
    sweeps = 4 * Math.max(w, h) + 16; // the coarsest problem is solved outright
  }
  const list = new Int32Array(holes);
  for (let i = 0, k = 0; i < hole.length; i++) if (hole[i]) list[k++] = i;
  const omega = 1.6;
  for (let s = 0; s < sweeps; s++) {
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const x = i % w,
        y = (i - x) / w;
      let r = 0,
        g = 0,
        b = 0,
        m = 0;
      if (x > 0) {
        const j = (i - 1) * 3;
        r += u[j];
        g += u[j + 1];
        b += u[j + 2];
        m++;
      }
      if (x < w - 1) {
        const j = (i + 1) * 3;
        r += u[j];
        g += u[j + 1];
        b += u[j + 2];
        m++;
      }
      if (y > 0) {
        const j = (i - w) * 3;
        r += u[j];
        g += u[j + 1];
        b += u[j + 2];
        m++;
      }
      if (y < h - 1) {
        const j = (i + w) * 3;
        r += u[j];
        g += u[j + 1];
        b += u[j + 2];
        m++;
      }
      const o = i * 3;
      u[o] += omega * (r / m - u[o]);
      u[o + 1] += omega * (g / m - u[o + 1]);
      u[o + 2] += omega * (b / m - u[o + 2]);
    }
  }
}

/**
 * The base fitted robustly: known pixels far from a first fit (an object standing out of its
 * surroundings, like a coin on a table) are given little weight (Cauchy weights, scale twice the
 * median residual) and the fit is repeated. A plain fit is raised around such an object; the
 * patches next to it then match the hole's edge best and carry the object into the hole.
 */
export function robustBase(lv: Level, sigma: number): Float32Array {
  const first = smoothBase(lv, sigma);
  const { img, hole } = lv;
  const n = hole.length;
  const res = new Float32Array(n);
  const sample: number[] = [];
  const stride = Math.max(1, Math.floor(n / 20000));
  for (let i = 0; i < n; i++) {
    if (hole[i]) continue;
    const dr = img[i * 3] - first[i * 3],
      dg = img[i * 3 + 1] - first[i * 3 + 1],
      db = img[i * 3 + 2] - first[i * 3 + 2];
    res[i] = Math.sqrt(dr * dr + dg * dg + db * db);
    if (i % stride === 0) sample.push(res[i]);
  }
  sample.sort((a, b) => a - b);
  const scale = Math.max(2, 2 * (sample[sample.length >> 1] ?? 0));
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = res[i] / scale;
    weight[i] = 1 / (1 + t * t);
  }
  return smoothBase(lv, sigma, weight);
}
