// Baseline JPEG decoder in plain TypeScript (typed arrays only; runs in UXP, browsers and Node).
// Handles 8-bit Huffman sequential files (SOF0/SOF1) with one interleaved scan: grayscale, or YCbCr
// with luma sampled 1×1, 2×1, 1×2 or 2×2 and chroma 1×1 (4:4:4, 4:2:2, 4:4:0, 4:2:0), with restart
// intervals. Anything else (progressive, arithmetic, lossless, 12-bit, CMYK, Adobe RGB, several
// scans) is reported as unsupported so the caller can fall back to another decoder.
//
// Region-aware: given a rectangle, only the MCUs that touch it get an inverse DCT and only its pixels
// get colour conversion; entropy decoding runs over every MCU up to the rectangle's last MCU row and
// stops there. Pixels outside the rectangle are left zero. The output of a region decode equals the
// same rectangle of a full decode exactly (chroma is upsampled by replication, which is local to an
// MCU). EXIF orientation is ignored.
//
// Inverse DCT: the IJG "islow" integer algorithm (jidctint.c). Colour conversion: JFIF YCbCr with
// 16-bit fixed-point tables as in libjpeg.

import { LITTLE_ENDIAN } from "../endian";
import { NATURAL } from "./tables";

export class UnsupportedJpeg extends Error {}

export interface Region {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface DecodedJpeg {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, alpha 255 inside the decoded region. */
  data: Uint8Array;
}

interface HuffTable {
  /** lookup[next 9 bits] = (length << 8) | symbol, or 0 when the code is longer. */
  lookup: Uint16Array;
  maxcode: Int32Array; // per length 1..16 (index = length), -1 when none
  valptr: Int32Array;
  mincode: Int32Array;
  symbols: Uint8Array;
}

const LOOKUP_BITS = 9;

function buildHuff(counts: Uint8Array, symbols: Uint8Array): HuffTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    valptr[len] = k;
    mincode[len] = code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (len <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - len;
        const base = code << shift;
        for (let j = 0; j < 1 << shift; j++) lookup[base + j] = (len << 8) | symbols[k];
      }
    }
    maxcode[len] = n > 0 ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { lookup, maxcode, valptr, mincode, symbols };
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  dc: HuffTable | null;
  ac: HuffTable | null;
}

const CONST_BITS = 13;
const PASS1_BITS = 2;
const F_0_298 = 2446;
const F_0_390 = 3196;
const F_0_541 = 4433;
const F_0_765 = 6270;
const F_0_899 = 7373;
const F_1_175 = 9633;
const F_1_501 = 12299;
const F_1_847 = 15137;
const F_1_961 = 16069;
const F_2_053 = 16819;
const F_2_562 = 20995;
const F_3_072 = 25172;

/**
 * One 8-point IJG islow butterfly over src[i], src[i + step], … src[i + 7·step], unscaled, into t[0..7]
 * (output order). Used by both passes of `idct`; t is a Float64Array because the intermediate sums
 * exceed 32 bits (the callers shift them as the IJG code does).
 */
function idct8(src: Int32Array, i: number, step: number, t: Float64Array): void {
  let z2 = src[i + 2 * step];
  let z3 = src[i + 6 * step];
  let z1 = (z2 + z3) * F_0_541;
  let tmp2 = z1 - z3 * F_1_847;
  let tmp3 = z1 + z2 * F_0_765;
  z2 = src[i];
  z3 = src[i + 4 * step];
  let tmp0 = (z2 + z3) * 8192;
  let tmp1 = (z2 - z3) * 8192;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  tmp0 = src[i + 7 * step];
  tmp1 = src[i + 5 * step];
  tmp2 = src[i + 3 * step];
  tmp3 = src[i + step];
  z1 = tmp0 + tmp3;
  z2 = tmp1 + tmp2;
  z3 = tmp0 + tmp2;
  let z4 = tmp1 + tmp3;
  const z5 = (z3 + z4) * F_1_175;
  tmp0 *= F_0_298;
  tmp1 *= F_2_053;
  tmp2 *= F_3_072;
  tmp3 *= F_1_501;
  z1 *= -F_0_899;
  z2 *= -F_2_562;
  z3 = z3 * -F_1_961 + z5;
  z4 = z4 * -F_0_390 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  t[0] = tmp10 + tmp3;
  t[7] = tmp10 - tmp3;
  t[1] = tmp11 + tmp2;
  t[6] = tmp11 - tmp2;
  t[2] = tmp12 + tmp1;
  t[5] = tmp12 - tmp1;
  t[3] = tmp13 + tmp0;
  t[4] = tmp13 - tmp0;
}

const T8 = new Float64Array(8);

/** IJG islow inverse DCT of a dequantised block (natural order) into out (clamped, +128) at `off`, row stride `stride`. */
function idct(blk: Int32Array, ws: Int32Array, out: Uint8ClampedArray, off: number, stride: number): void {
  const t = T8;
  const r = 1 << (CONST_BITS - PASS1_BITS - 1);
  const s = CONST_BITS - PASS1_BITS;
  for (let c = 0; c < 8; c++) {
    if (blk[c + 8] === 0 && blk[c + 16] === 0 && blk[c + 24] === 0 && blk[c + 32] === 0 && blk[c + 40] === 0 && blk[c + 48] === 0 && blk[c + 56] === 0) {
      const dc = blk[c] << PASS1_BITS;
      ws[c] = dc;
      ws[c + 8] = dc;
      ws[c + 16] = dc;
      ws[c + 24] = dc;
      ws[c + 32] = dc;
      ws[c + 40] = dc;
      ws[c + 48] = dc;
      ws[c + 56] = dc;
      continue;
    }
    idct8(blk, c, 8, t);
    ws[c] = (t[0] + r) >> s;
    ws[c + 8] = (t[1] + r) >> s;
    ws[c + 16] = (t[2] + r) >> s;
    ws[c + 24] = (t[3] + r) >> s;
    ws[c + 32] = (t[4] + r) >> s;
    ws[c + 40] = (t[5] + r) >> s;
    ws[c + 48] = (t[6] + r) >> s;
    ws[c + 56] = (t[7] + r) >> s;
  }
  const R2 = 1 << (CONST_BITS + PASS1_BITS + 3 - 1);
  const S2 = CONST_BITS + PASS1_BITS + 3;
  for (let row = 0; row < 64; row += 8) {
    const o = off + (row >> 3) * stride;
    if (ws[row + 1] === 0 && ws[row + 2] === 0 && ws[row + 3] === 0 && ws[row + 4] === 0 && ws[row + 5] === 0 && ws[row + 6] === 0 && ws[row + 7] === 0) {
      const v = ((ws[row] + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = v;
      out[o + 4] = v;
      out[o + 5] = v;
      out[o + 6] = v;
      out[o + 7] = v;
      continue;
    }
    idct8(ws, row, 1, t);
    out[o] = ((t[0] + R2) >> S2) + 128;
    out[o + 1] = ((t[1] + R2) >> S2) + 128;
    out[o + 2] = ((t[2] + R2) >> S2) + 128;
    out[o + 3] = ((t[3] + R2) >> S2) + 128;
    out[o + 4] = ((t[4] + R2) >> S2) + 128;
    out[o + 5] = ((t[5] + R2) >> S2) + 128;
    out[o + 6] = ((t[6] + R2) >> S2) + 128;
    out[o + 7] = ((t[7] + R2) >> S2) + 128;
  }
}

// YCbCr → RGB fixed-point tables (libjpeg jdcolor.c).
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
{
  const half = 1 << 15;
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    CR_R[i] = (Math.round(1.402 * 65536) * x + half) >> 16;
    CB_B[i] = (Math.round(1.772 * 65536) * x + half) >> 16;
    CR_G[i] = -Math.round(0.714136286 * 65536) * x;
    CB_G[i] = -Math.round(0.344136286 * 65536) * x + half;
  }
}

/** CLAMP[v + 384] = v clamped to 0..255, for v in -384..639. */
const CLAMP = new Uint8Array(1024);
for (let i = 0; i < 1024; i++) CLAMP[i] = Math.max(0, Math.min(255, i - 384));

interface Frame {
  width: number;
  height: number;
  comps: Component[];
  adobeTransform: number; // -1 when no Adobe marker
}

/** A rectangle, or a function of the image's size giving one. */
export type RegionSpec = Region | ((width: number, height: number) => Region);

/**
 * Decode a baseline JPEG to RGBA; throws UnsupportedJpeg for files this decoder does not handle. With
 * `region`, only its pixels are produced (the rest stay zero) and the output keeps the full size.
 */
export function decodeJpegRGBA(bytes: Uint8Array, region?: RegionSpec, maxPixels = Infinity): DecodedJpeg {
  const data = bytes;
  const len = data.length;
  if (len < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw new Error("not a JPEG");
  const qt: Int32Array[] = [];
  const dcTables: (HuffTable | null)[] = [null, null, null, null];
  const acTables: (HuffTable | null)[] = [null, null, null, null];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let adobeTransform = -1;
  let pos = 2;
  const u16 = (p: number) => (data[p] << 8) | data[p + 1];
  for (;;) {
    // Find the next marker (skipping fill bytes).
    while (pos < len && data[pos] !== 0xff) pos++;
    while (pos < len && data[pos] === 0xff) pos++;
    if (pos >= len) throw new Error("JPEG ended before the image data");
    const marker = data[pos++];
    if (marker === 0xd9) throw new Error("JPEG has no image data");
    if (marker >= 0xd0 && marker <= 0xd7) continue;
    const segLen = u16(pos);
    const seg = pos + 2;
    const end = pos + segLen;
    if (end > len) throw new Error("truncated JPEG segment");
    switch (marker) {
      case 0xdb: {
        let p = seg;
        while (p < end) {
          const pq = data[p] >> 4;
          const id = data[p] & 15;
          p++;
          const t = new Int32Array(64);
          for (let i = 0; i < 64; i++) {
            t[NATURAL[i]] = pq ? u16(p + i * 2) : data[p + i];
          }
          p += pq ? 128 : 64;
          qt[id] = t;
        }
        break;
      }
      case 0xc4: {
        let p = seg;
        while (p < end) {
          const cls = data[p] >> 4;
          const id = data[p] & 15;
          const counts = data.subarray(p + 1, p + 17);
          let n = 0;
          for (let i = 0; i < 16; i++) n += counts[i];
          const symbols = data.slice(p + 17, p + 17 + n);
          const table = buildHuff(counts, symbols);
          if (cls === 0) dcTables[id & 3] = table;
          else acTables[id & 3] = table;
          p += 17 + n;
        }
        break;
      }
      case 0xdd:
        restartInterval = u16(seg);
        break;
      case 0xee:
        if (segLen >= 14 && data[seg] === 0x41 && data[seg + 1] === 0x64 && data[seg + 2] === 0x6f && data[seg + 3] === 0x62 && data[seg + 4] === 0x65)
          adobeTransform = data[seg + 11];
        break;
      case 0xc0:
      case 0xc1: {
        if (data[seg] !== 8) throw new UnsupportedJpeg(`${data[seg]}-bit JPEG`);
        const height = u16(seg + 1);
        const width = u16(seg + 3);
        const nc = data[seg + 5];
        if (height === 0) throw new UnsupportedJpeg("JPEG height defined by DNL");
        if (width === 0) throw new Error("JPEG width is zero");
        if (width * height > maxPixels) throw new Error(`JPEG too large: ${width}×${height}`);
        const comps: Component[] = [];
        for (let i = 0; i < nc; i++) {
          const b = seg + 6 + i * 3;
          comps.push({ id: data[b], h: data[b + 1] >> 4, v: data[b + 1] & 15, tq: data[b + 2], dc: null, ac: null });
        }
        frame = { width, height, comps, adobeTransform: -1 };
        break;
      }
      case 0xc2:
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        throw new UnsupportedJpeg(`JPEG process SOF${marker - 0xc0}`);
      case 0xda: {
        if (!frame) throw new Error("JPEG scan before frame header");
        frame.adobeTransform = adobeTransform;
        const ns = data[seg];
        if (ns !== frame.comps.length) throw new UnsupportedJpeg("JPEG with several scans");
        for (let i = 0; i < ns; i++) {
          const cid = data[seg + 1 + i * 2];
          const tsel = data[seg + 2 + i * 2];
          const comp = frame.comps.find((c) => c.id === cid);
          if (!comp) throw new Error("JPEG scan names an unknown component");
          comp.dc = dcTables[(tsel >> 4) & 3];
          comp.ac = acTables[tsel & 3];
          if (!comp.dc || !comp.ac) throw new Error("JPEG scan uses an undefined Huffman table");
        }
        for (const c of frame.comps) if (!qt[c.tq]) throw new Error("JPEG uses an undefined quantisation table");
        return decodeScan(data, end, frame, qt, restartInterval, region);
      }
      default:
        break; // APPn, COM and others: skipped
    }
    pos = end;
  }
}

function decodeScan(data: Uint8Array, start: number, frame: Frame, qt: Int32Array[], restartInterval: number, spec?: RegionSpec): DecodedJpeg {
  const { width, height, comps } = frame;
  const region = typeof spec === "function" ? spec(width, height) : spec;
  const nc = comps.length;
  if (nc !== 1 && nc !== 3) throw new UnsupportedJpeg(`JPEG with ${nc} components`);
  if (nc === 3 && frame.adobeTransform === 0) throw new UnsupportedJpeg("RGB JPEG (Adobe transform 0)");
  const r: Region = region
    ? {
        left: Math.max(0, Math.floor(region.left)),
        top: Math.max(0, Math.floor(region.top)),
        right: Math.min(width, Math.ceil(region.right)),
        bottom: Math.min(height, Math.ceil(region.bottom)),
      }
    : { left: 0, top: 0, right: width, bottom: height };
  const out = new Uint8Array(width * height * 4);
  if (r.right <= r.left || r.bottom <= r.top) return { width, height, data: out };

  let hmax = 1;
  let vmax = 1;
  if (nc === 3) {
    const [y, cb, cr] = comps;
    if (cb.h !== 1 || cb.v !== 1 || cr.h !== 1 || cr.v !== 1 || y.h < 1 || y.h > 2 || y.v < 1 || y.v > 2) {
      throw new UnsupportedJpeg(`JPEG sampling ${comps.map((c) => `${c.h}x${c.v}`).join(",")}`);
    }
    hmax = y.h;
    vmax = y.v;
  } else {
    // A single-component scan is never interleaved: one block per MCU whatever the sampling factors.
    comps[0].h = 1;
    comps[0].v = 1;
  }
  const mcuW = 8 * hmax;
  const mcuH = 8 * vmax;
  const mcusX = Math.ceil(width / mcuW);
  const mcusY = Math.ceil(height / mcuH);
  // Per component: one MCU row of samples.
  const planes: Uint8ClampedArray[] = [];
  const strides: number[] = [];
  for (const c of comps) {
    strides.push(mcusX * c.h * 8);
    planes.push(new Uint8ClampedArray(mcusX * c.h * 8 * c.v * 8));
  }
  const mcuX0 = Math.floor(r.left / mcuW);
  const mcuX1 = Math.ceil(r.right / mcuW);
  const mcuY0 = Math.floor(r.top / mcuH);
  const mcuY1 = Math.ceil(r.bottom / mcuH);

  const blk = new Int32Array(64);
  const ws = new Int32Array(64);
  const preds = new Int32Array(nc);

  // Bit reader state.
  let pos = start;
  let acc = 0;
  let bits = 0;
  let atMarker = false;
  const len = data.length;
  const fill = (): void => {
    while (bits <= 24) {
      let b = 0;
      if (!atMarker) {
        if (pos >= len) atMarker = true;
        else {
          b = data[pos];
          if (b === 0xff) {
            const nb = data[pos + 1];
            if (nb === 0) pos += 2;
            else {
              atMarker = true;
              b = 0;
            }
          } else pos++;
        }
      }
      acc = (acc << 8) | b;
      bits += 8;
    }
  };
  const decodeHuff = (t: HuffTable): number => {
    if (bits < 16) fill();
    const e = t.lookup[(acc >>> (bits - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)];
    if (e !== 0) {
      bits -= e >> 8;
      return e & 255;
    }
    let l = LOOKUP_BITS + 1;
    let code = (acc >>> (bits - l)) & ((1 << l) - 1);
    while (l <= 16 && code > t.maxcode[l]) {
      l++;
      code = (acc >>> (bits - l)) & ((1 << l) - 1);
    }
    if (l > 16) return 0; // corrupt data: carry on quietly, as other decoders do
    bits -= l;
    return t.symbols[t.valptr[l] + code - t.mincode[l]];
  };
  const receiveExtend = (s: number): number => {
    if (bits < s) fill();
    const v = (acc >>> (bits - s)) & ((1 << s) - 1);
    bits -= s;
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  };
  /** Entropy-decode one block; dequantise into blk when `keep`. */
  const decodeBlock = (ci: number, keep: boolean): void => {
    const c = comps[ci];
    const q = qt[c.tq];
    const dcT = c.dc!;
    const acT = c.ac!;
    const t = decodeHuff(dcT);
    const diff = t === 0 ? 0 : receiveExtend(t);
    const dc = (preds[ci] += diff);
    if (keep) {
      blk.fill(0);
      blk[0] = dc * q[0];
    }
    for (let k = 1; k < 64;) {
      const rs = decodeHuff(acT);
      const s = rs & 15;
      const run = rs >> 4;
      if (s === 0) {
        if (run === 15) {
          k += 16;
          continue;
        }
        break;
      }
      k += run;
      if (k > 63) break;
      const v = receiveExtend(s);
      if (keep) {
        const z = NATURAL[k];
        blk[z] = v * q[z];
      }
      k++;
    }
  };
  const restart = (): void => {
    // Drop buffered bits, then step over the RSTn marker.
    acc = 0;
    bits = 0;
    atMarker = false;
    while (pos + 1 < len && !(data[pos] === 0xff && data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7)) pos++;
    if (pos + 1 < len) pos += 2;
    preds.fill(0);
  };

  let mcuCount = 0;
  for (let my = 0; my < mcusY && my < mcuY1; my++) {
    const rowWanted = my >= mcuY0;
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval > 0 && mcuCount > 0 && mcuCount % restartInterval === 0) restart();
      mcuCount++;
      const keep = rowWanted && mx >= mcuX0 && mx < mcuX1;
      for (let ci = 0; ci < nc; ci++) {
        const c = comps[ci];
        const stride = strides[ci];
        for (let by = 0; by < c.v; by++)
          for (let bx = 0; bx < c.h; bx++) {
            decodeBlock(ci, keep);
            if (keep) idct(blk, ws, planes[ci], by * 8 * stride + (mx * c.h + bx) * 8, stride);
          }
      }
    }
    if (!rowWanted) continue;
    // Colour-convert the wanted part of this MCU row.
    const y0 = Math.max(r.top, my * mcuH);
    const y1 = Math.min(r.bottom, (my + 1) * mcuH);
    const x0 = r.left;
    const x1 = r.right;
    if (nc === 1) grayRow(planes[0], strides[0], my * mcuH, out, width, y0, y1, x0, x1);
    else yccRow(planes[0], planes[1], planes[2], strides[0], strides[1], hmax - 1, vmax - 1, my * mcuH, out, width, y0, y1, x0, x1);
  }
  return { width, height, data: out };
}

function grayRow(p: Uint8ClampedArray, st: number, rowTop: number, out: Uint8Array, width: number, y0: number, y1: number, x0: number, x1: number): void {
  for (let y = y0; y < y1; y++) {
    let s = (y - rowTop) * st + x0;
    let o = (y * width + x0) * 4;
    for (let x = x0; x < x1; x++, s++, o += 4) {
      const v = p[s];
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
}

/** Colour conversion of rows y0..y1, columns x0..x1 of an MCU row (planes upsampled by `hs`, `vs` shifts). */
type YccRow = (
  pY: Uint8ClampedArray,
  pCb: Uint8ClampedArray,
  pCr: Uint8ClampedArray,
  stY: number,
  stC: number,
  hs: number,
  vs: number,
  rowTop: number,
  out: Uint8Array,
  width: number,
  y0: number,
  y1: number,
  x0: number,
  x1: number,
) => void;

const yccRow: YccRow = (pY, pCb, pCr, stY, stC, hs, vs, rowTop, out, width, y0, y1, x0, x1) => {
  // One 32-bit store per pixel where the platform is little-endian (all Photoshop hosts are).
  if (!LITTLE_ENDIAN || (out.byteOffset & 3) !== 0) {
    yccRowBytes(pY, pCb, pCr, stY, stC, hs, vs, rowTop, out, width, y0, y1, x0, x1);
    return;
  }
  const out32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  for (let y = y0; y < y1; y++) {
    const ly = y - rowTop;
    let s = ly * stY + x0;
    const cRow = (ly >> vs) * stC;
    let o = y * width + x0;
    let last = -1;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let x = x0; x < x1; x++, s++, o++) {
      const ci = cRow + (x >> hs);
      if (ci !== last) {
        last = ci;
        const cb = pCb[ci];
        const cr = pCr[ci];
        r = CR_R[cr] + 384;
        g = ((CB_G[cb] + CR_G[cr]) >> 16) + 384;
        b = CB_B[cb] + 384;
      }
      const yy = pY[s];
      out32[o] = (CLAMP[yy + b] << 16) | (CLAMP[yy + g] << 8) | CLAMP[yy + r] | 0xff000000;
    }
  }
};

const yccRowBytes: YccRow = (pY, pCb, pCr, stY, stC, hs, vs, rowTop, out, width, y0, y1, x0, x1) => {
  for (let y = y0; y < y1; y++) {
    const ly = y - rowTop;
    let s = ly * stY + x0;
    const cRow = (ly >> vs) * stC;
    let o = (y * width + x0) * 4;
    for (let x = x0; x < x1; x++, s++, o += 4) {
      const yy = pY[s];
      const ci = cRow + (x >> hs);
      const cb = pCb[ci];
      const cr = pCr[ci];
      out[o] = CLAMP[yy + CR_R[cr] + 384];
      out[o + 1] = CLAMP[yy + ((CB_G[cb] + CR_G[cr]) >> 16) + 384];
      out[o + 2] = CLAMP[yy + CB_B[cb] + 384];
      out[o + 3] = 255;
    }
  }
};
