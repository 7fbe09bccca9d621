// Resampling in typed arrays (no canvas, no WASM): exact area averaging when shrinking, bilinear
// (pixel-centre aligned) when enlarging, a straight copy at 1:1. Separable, streaming row by row so
// memory stays at a few rows beyond the output. RGBA is weighted by alpha (no dark halos).

import type { GrayImage, RGBAImage } from "../host";

interface Contribution {
  start: number;
  weights: Float32Array;
}

/** Source taps for each destination index along one axis (srcLen → dstLen). */
export function contributions(srcLen: number, dstLen: number): Contribution[] {
  const out: Contribution[] = [];
  const scale = srcLen / dstLen;
  if (scale > 1) {
    for (let i = 0; i < dstLen; i++) {
      const a = i * scale;
      const b = (i + 1) * scale;
      const start = Math.floor(a);
      const end = Math.min(srcLen, Math.ceil(b));
      const weights = new Float32Array(end - start);
      for (let j = start; j < end; j++) {
        weights[j - start] = (Math.min(b, j + 1) - Math.max(a, j)) / scale;
      }
      out.push({ start, weights });
    }
  } else {
    for (let i = 0; i < dstLen; i++) {
      const c = (i + 0.5) * scale - 0.5;
      const j0 = Math.floor(c);
      const f = c - j0;
      if (j0 < 0) out.push({ start: 0, weights: Float32Array.of(1) });
      else if (j0 >= srcLen - 1) out.push({ start: srcLen - 1, weights: Float32Array.of(1) });
      else if (f === 0) out.push({ start: j0, weights: Float32Array.of(1) });
      else {
        out.push({ start: j0, weights: Float32Array.of(1 - f, f) });
      }
    }
  }
  return out;
}

function resampleChannels(
  src: Uint8Array,
  srcW: number,
  srcH: number,
  channels: 1 | 4,
  fullW: number,
  fullH: number,
  region?: { left: number; top: number; right: number; bottom: number },
): Uint8Array {
  // Only `region` of the full-size result is produced (same pixels as cropping the full result).
  const r = region ?? { left: 0, top: 0, right: fullW, bottom: fullH };
  const dstW = r.right - r.left;
  const dstH = r.bottom - r.top;
  const dst = new Uint8Array(dstW * dstH * channels);
  if (srcW === fullW && srcH === fullH) {
    for (let y = 0; y < dstH; y++) {
      const s = ((y + r.top) * srcW + r.left) * channels;
      dst.set(src.subarray(s, s + dstW * channels), y * dstW * channels);
    }
    return dst;
  }
  const hc = contributions(srcW, fullW).slice(r.left, r.right);
  const vc = contributions(srcH, fullH).slice(r.top, r.bottom);
  const rowLen = dstW * channels;
  // Horizontally resampled source rows, premultiplied for RGBA, cached in a ring.
  let maxSpan = 1;
  for (const c of vc) maxSpan = Math.max(maxSpan, c.weights.length);
  const ringSize = maxSpan + 1;
  const ring: Float32Array[] = [];
  const ringRow = new Int32Array(ringSize).fill(-1);
  for (let i = 0; i < ringSize; i++) ring.push(new Float32Array(rowLen));

  const rowOf = (sy: number): Float32Array => {
    const slot = sy % ringSize;
    const buf = ring[slot];
    if (ringRow[slot] === sy) return buf;
    ringRow[slot] = sy;
    const base = sy * srcW * channels;
    if (channels === 1) {
      for (let x = 0; x < dstW; x++) {
        const { start, weights } = hc[x];
        let acc = 0;
        for (let k = 0; k < weights.length; k++) acc += weights[k] * src[base + start + k];
        buf[x] = acc;
      }
    } else {
      for (let x = 0; x < dstW; x++) {
        const { start, weights } = hc[x];
        let r = 0;
        let g = 0;
        let b = 0;
        let a = 0;
        let p = base + start * 4;
        for (let k = 0; k < weights.length; k++, p += 4) {
          const wa = weights[k] * src[p + 3];
          r += wa * src[p];
          g += wa * src[p + 1];
          b += wa * src[p + 2];
          a += wa;
        }
        const o = x * 4;
        buf[o] = r;
        buf[o + 1] = g;
        buf[o + 2] = b;
        buf[o + 3] = a;
      }
    }
    return buf;
  };

  const acc = new Float32Array(rowLen);
  for (let y = 0; y < dstH; y++) {
    const { start, weights } = vc[y];
    acc.fill(0);
    for (let k = 0; k < weights.length; k++) {
      const row = rowOf(start + k);
      const w = weights[k];
      for (let i = 0; i < rowLen; i++) acc[i] += w * row[i];
    }
    const o = y * rowLen;
    if (channels === 1) {
      for (let i = 0; i < rowLen; i++) dst[o + i] = clamp255(acc[i]);
    } else {
      for (let i = 0; i < rowLen; i += 4) {
        const a = acc[i + 3];
        if (a <= 0) continue; // fully transparent stays 0,0,0,0
        dst[o + i] = clamp255(acc[i] / a);
        dst[o + i + 1] = clamp255(acc[i + 1] / a);
        dst[o + i + 2] = clamp255(acc[i + 2] / a);
        dst[o + i + 3] = clamp255(a);
      }
    }
  }
  return dst;
}

function clamp255(v: number): number {
  // Round half up with a tiny tolerance so that exact averages of integers survive float error.
  const r = Math.floor(v + 0.5 + 1e-4);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

export function resampleRGBA(src: RGBAImage, width: number, height: number): RGBAImage {
  return { width, height, data: resampleChannels(src.data, src.width, src.height, 4, width, height) };
}

/**
 * The part `region` (inside [0,width)×[0,height)) of `src` resampled to width×height, without
 * making the whole: identical to cropping resampleRGBA(src, width, height).
 */
export function resampleRGBARegion(
  src: RGBAImage,
  width: number,
  height: number,
  region: { left: number; top: number; right: number; bottom: number },
): RGBAImage {
  if (region.left < 0 || region.top < 0 || region.right > width || region.bottom > height || region.right <= region.left || region.bottom <= region.top) {
    throw new RangeError("resample region outside the target");
  }
  return {
    width: region.right - region.left,
    height: region.bottom - region.top,
    data: resampleChannels(src.data, src.width, src.height, 4, width, height, region),
  };
}

export function resampleGray(src: GrayImage, width: number, height: number): GrayImage {
  return { width, height, data: resampleChannels(src.data, src.width, src.height, 1, width, height) };
}
