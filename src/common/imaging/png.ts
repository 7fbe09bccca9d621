// A small PNG encoder/decoder on fflate (pure JS, CommonJS and ESM builds, so it loads in UXP, the
// browser, Node and Jest alike). Encodes 8-bit gray and RGBA; decodes gray, gray+alpha, RGB, RGBA
// and palette images at 8 or 16 bits, non-interlaced.

import { unzlibSync, zlibSync } from "fflate";
import { LITTLE_ENDIAN } from "./endian";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** CRC-32 tables for slicing by 4: table k maps a byte to its CRC contribution k bytes further on. */
let crcTables: Uint32Array[] | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTables) {
    const t0 = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t0[n] = c >>> 0;
    }
    crcTables = [t0];
    for (let k = 1; k < 4; k++) {
      const prev = crcTables[k - 1];
      const t = new Uint32Array(256);
      for (let n = 0; n < 256; n++) t[n] = t0[prev[n] & 0xff] ^ (prev[n] >>> 8);
      crcTables.push(t);
    }
  }
  const [t0, t1, t2, t3] = crcTables;
  let c = 0xffffffff;
  let i = start;
  for (const last = end - 3; i < last; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < end; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Writes one chunk (length, type, `data`, CRC of type and data) into `out` at `at`; answers the offset after it. */
function putChunk(out: Uint8Array, at: number, type: string, data: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(at, data.length);
  for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
  out.set(data, at + 8);
  view.setUint32(at + 8 + data.length, crc32(out, at + 4, at + 8 + data.length));
  return at + 12 + data.length;
}

/** Encode 8-bit pixels with `channels` 1 (gray) or 4 (RGBA). Rows use the Sub filter. */
export function encodePng(width: number, height: number, data: Uint8Array, channels: 1 | 4, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 = 3): Uint8Array {
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  // RGBA rows are differenced a pixel at a time: four byte lanes of one 32-bit word, subtracted
  // without borrows between lanes, into an aligned row then copied after the row's filter byte.
  const words = channels === 4 && (data.byteOffset & 3) === 0 ? new Uint32Array(data.buffer, data.byteOffset, width * height) : null;
  const row32 = words ? new Uint32Array(width) : null;
  const row8 = row32 ? new Uint8Array(row32.buffer) : null;
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    const s = y * stride;
    raw[o] = 1; // Sub
    if (words && row32 && row8) {
      const w = y * width;
      row32[0] = words[w];
      for (let x = 1; x < width; x++) {
        const a = words[w + x];
        const b = words[w + x - 1];
        row32[x] = ((a | 0x80808080) - (b & 0x7f7f7f7f)) ^ ((a ^ ~b) & 0x80808080);
      }
      raw.set(row8, o + 1);
      continue;
    }
    const first = Math.min(channels, stride);
    for (let i = 0; i < first; i++) raw[o + 1 + i] = data[s + i];
    for (let i = first; i < stride; i++) raw[o + 1 + i] = (data[s + i] - data[s + i - channels]) & 0xff;
  }
  return pngFile(width, height, channels === 1 ? 0 : 6, zlibSync(raw, { level }));
}

/** A whole PNG file: signature, IHDR (8-bit, colour type 0 gray or 6 RGBA), one IDAT with `zlib`, IEND. */
function pngFile(width: number, height: number, colourType: 0 | 6, zlib: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  const out = new Uint8Array(SIGNATURE.length + 12 + ihdr.length + 12 + zlib.length + 12);
  out.set(SIGNATURE);
  let o = putChunk(out, SIGNATURE.length, "IHDR", ihdr);
  o = putChunk(out, o, "IDAT", zlib);
  putChunk(out, o, "IEND", new Uint8Array(0));
  return out;
}

// Masks (8-bit gray, mostly long runs of 0 and 255) are written with a run-length deflate of our own:
// rows unfiltered, each run as one literal plus distance-1 copies, in one block of fixed Huffman
// codes. One pass over the pixels and a few bits per 258 equal pixels; general-purpose deflate spends
// far longer searching for matches a mask does not need.

/** Fixed Huffman code of each literal/length symbol, bit-reversed for LSB-first writing, and its length. */
let fixedCodes: { code: Uint16Array; len: Uint8Array } | null = null;
/** Per run length 3..258: its length symbol, extra-bit count and extra-bit value. */
let lengthCodes: { sym: Uint16Array; nbits: Uint8Array; extra: Uint16Array } | null = null;

function reverseBits(v: number, n: number): number {
  let r = 0;
  for (let i = 0; i < n; i++) r |= ((v >> i) & 1) << (n - 1 - i);
  return r;
}

function tables(): void {
  if (fixedCodes) return;
  const code = new Uint16Array(288);
  const len = new Uint8Array(288);
  for (let s = 0; s < 288; s++) {
    let c: number;
    let n: number;
    if (s < 144) [c, n] = [0x30 + s, 8];
    else if (s < 256) [c, n] = [0x190 + s - 144, 9];
    else if (s < 280) [c, n] = [s - 256, 7];
    else [c, n] = [0xc0 + s - 280, 8];
    code[s] = reverseBits(c, n);
    len[s] = n;
  }
  fixedCodes = { code, len };
  const base = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  const bits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const sym = new Uint16Array(259);
  const nbits = new Uint8Array(259);
  const extra = new Uint16Array(259);
  for (let k = 0; k < base.length; k++) {
    const hi = k + 1 < base.length ? Math.min(base[k + 1], 258) : 259;
    for (let l = base[k]; l < hi; l++) {
      sym[l] = 257 + k;
      nbits[l] = bits[k];
      extra[l] = l - base[k];
    }
  }
  lengthCodes = { sym, nbits, extra };
}

const ADLER_MOD = 65521;

/** zlib stream of `rows` rows of `width` bytes from `data`, each preceded by filter byte 0. */
function rleZlib(data: Uint8Array, width: number, rows: number): Uint8Array {
  tables();
  const { code, len } = fixedCodes!;
  const { sym: lsym, nbits: lbits, extra: lextra } = lengthCodes!;
  // Worst case: every byte a 9-bit literal.
  const out = new Uint8Array(Math.ceil(((width + 1) * rows * 9) / 8) + 64);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  let acc = 0;
  let nacc = 0;
  const put = (v: number, n: number): void => {
    acc |= v << nacc;
    nacc += n;
    while (nacc >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      nacc -= 8;
    }
  };
  put(1, 1); // BFINAL
  put(1, 2); // BTYPE 01: fixed Huffman codes
  let a = 1;
  let b = 0;
  for (let y = 0; y < rows; y++) {
    put(code[0], len[0]); // filter: none
    b = (b + a) % ADLER_MOD;
    const end = (y + 1) * width;
    let i = y * width;
    while (i < end) {
      const v = data[i];
      let j = i + 1;
      while (j < end && data[j] === v) j++;
      const n = j - i;
      // Adler-32 over the n equal bytes at once.
      b = (b + n * a + (v * n * (n + 1)) / 2) % ADLER_MOD;
      a = (a + n * v) % ADLER_MOD;
      put(code[v], len[v]);
      let rest = n - 1;
      while (rest >= 3) {
        const l = rest > 258 ? (rest - 258 >= 3 ? 258 : rest - 3) : rest;
        put(code[lsym[l]], len[lsym[l]]);
        if (lbits[l]) put(lextra[l], lbits[l]);
        put(0, 5); // distance 1
        rest -= l;
      }
      for (; rest > 0; rest--) put(code[v], len[v]);
      i = j;
    }
  }
  put(code[256], len[256]);
  if (nacc > 0) put(0, 8 - nacc);
  out[o++] = (b >>> 8) & 0xff;
  out[o++] = b & 0xff;
  out[o++] = (a >>> 8) & 0xff;
  out[o++] = a & 0xff;
  return out.subarray(0, o);
}

/** 8-bit grayscale PNG of a mask, written with the run-length deflate above (any gray values work). */
export function encodeMaskPng(width: number, height: number, data: Uint8Array): Uint8Array {
  if (data.length !== width * height) throw new Error("encodeMaskPng: size mismatch");
  return pngFile(width, height, 0, rleZlib(data, width, height));
}

export interface DecodedPng {
  width: number;
  height: number;
  /** 8-bit RGBA. */
  data: Uint8Array;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  if (!isPng(bytes)) throw new Error("not a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 8;
  let colorType = 0;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      depth = body[8];
      colorType = body[9];
      if (body[12] !== 0) throw new Error("interlaced PNGs are not supported");
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") trns = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType as 0 | 2 | 3 | 4 | 6];
  if (!channels || (depth !== 8 && depth !== 16 && !(colorType === 3 && depth <= 8) && !(colorType === 0 && depth < 8))) {
    throw new Error(`unsupported PNG (colour type ${colorType}, depth ${depth})`);
  }
  const joined = idat.length === 1 ? idat[0] : new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  if (idat.length > 1) {
    let o = 0;
    for (const p of idat) {
      joined.set(p, o);
      o += p.length;
    }
  }
  const raw = unzlibSync(joined);
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const none = new Uint8Array(stride);
  const out = new Uint8Array(width * height * 4);
  // 8-bit RGBA rows with the Sub filter add whole pixels as 32-bit words (four byte lanes, no carry
  // between them) straight into the output, where words are little-endian.
  const out32 = depth === 8 && channels === 4 && LITTLE_ENDIAN ? new Uint32Array(out.buffer) : null;
  // Rows are unfiltered in place: `cur` is this row of `raw`, `prev` the row above, already unfiltered.
  for (let y = 0; y < height; y++) {
    const base = y * (stride + 1);
    const filter = raw[base];
    const cur = raw.subarray(base + 1, base + 1 + stride);
    if (filter === 1 && out32) {
      let left = 0;
      for (let x = 0, s = base + 1, w = y * width; x < width; x++, s += 4, w++) {
        const v = raw[s] | (raw[s + 1] << 8) | (raw[s + 2] << 16) | (raw[s + 3] << 24);
        left = ((v & 0x7f7f7f7f) + (left & 0x7f7f7f7f)) ^ ((v ^ left) & 0x80808080);
        out32[w] = left;
      }
      // The unfiltered row stays in `raw` as the row above the next one.
      cur.set(out.subarray(y * stride, (y + 1) * stride));
      continue;
    }
    const prev = y === 0 ? none : raw.subarray(base - stride, base);
    const lead = Math.min(bpp, stride);
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let i = lead; i < stride; i++) cur[i] = (cur[i] + cur[i - bpp]) & 0xff;
        break;
      case 2:
        for (let i = 0; i < stride; i++) cur[i] = (cur[i] + prev[i]) & 0xff;
        break;
      case 3:
        for (let i = 0; i < lead; i++) cur[i] = (cur[i] + (prev[i] >> 1)) & 0xff;
        for (let i = lead; i < stride; i++) cur[i] = (cur[i] + ((cur[i - bpp] + prev[i]) >> 1)) & 0xff;
        break;
      case 4:
        // With no left neighbour (a = c = 0) the Paeth predictor is the one above.
        for (let i = 0; i < lead; i++) cur[i] = (cur[i] + prev[i]) & 0xff;
        for (let i = lead; i < stride; i++) {
          const a = cur[i - bpp];
          const b = prev[i];
          const c = prev[i - bpp];
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          cur[i] = (cur[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        throw new Error(`bad PNG filter ${filter}`);
    }
    const row = y * width * 4;
    if (depth === 8 && colorType !== 3) {
      // Fast paths: 8-bit gray, gray+alpha, RGB, RGBA.
      if (channels === 4) out.set(cur.subarray(0, width * 4), row);
      else if (channels === 3) {
        for (let x = 0, s = 0, q = row; x < width; x++, s += 3, q += 4) {
          out[q] = cur[s];
          out[q + 1] = cur[s + 1];
          out[q + 2] = cur[s + 2];
          out[q + 3] = 255;
        }
      } else {
        for (let x = 0, s = 0, q = row; x < width; x++, s += channels, q += 4) {
          out[q] = out[q + 1] = out[q + 2] = cur[s];
          out[q + 3] = channels === 2 ? cur[s + 1] : 255;
        }
      }
    } else {
      for (let x = 0; x < width; x++) {
        const q = row + x * 4;
        const sample = (ch: number): number => {
          if (depth === 16) return cur[(x * channels + ch) * 2];
          if (depth === 8) return cur[x * channels + ch];
          const bit = x * depth;
          const val = (cur[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
          return colorType === 3 ? val : Math.round((val * 255) / ((1 << depth) - 1));
        };
        if (colorType === 3) {
          const idx = sample(0);
          out[q] = palette ? palette[idx * 3] : 0;
          out[q + 1] = palette ? palette[idx * 3 + 1] : 0;
          out[q + 2] = palette ? palette[idx * 3 + 2] : 0;
          out[q + 3] = trns && idx < trns.length ? trns[idx] : 255;
        } else if (channels <= 2) {
          out[q] = out[q + 1] = out[q + 2] = sample(0);
          out[q + 3] = channels === 2 ? sample(1) : 255;
        } else {
          out[q] = sample(0);
          out[q + 1] = sample(1);
          out[q + 2] = sample(2);
          out[q + 3] = channels === 4 ? sample(3) : 255;
        }
      }
    }
  }
  return { width, height, data: out };
}
