// Baseline JPEG encoder in plain TypeScript (typed arrays only; runs in UXP, browsers and Node):
// YCbCr with 4:2:0 chroma subsampling (or 4:4:4 on request), float AAN forward DCT with the AAN
// scale factors folded into the quantiser, the Annex K Huffman tables, IJG quality scaling. Alpha is
// ignored (callers matte first when it matters).

import { AC_CHROMA, AC_LUMA, DC_CHROMA, DC_LUMA, Q_CHROMA, Q_LUMA, ZIGZAG_POS, type HuffSpec } from "./tables";

export interface JpegEncodeOptions {
  /** 1..100, IJG scaling of the Annex K tables. Default 90. */
  quality?: number;
  /** "420" (default): chroma averaged over 2×2; "444": full-resolution chroma. */
  subsampling?: "420" | "444";
  /** MCUs between restart markers; 0 (default) for none. */
  restartInterval?: number;
}

interface EncHuff {
  code: Uint16Array;
  size: Uint8Array;
}

function buildEncHuff(spec: HuffSpec): EncHuff {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  let c = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < spec.counts[len - 1]; i++) {
      const sym = spec.symbols[k++];
      code[sym] = c++;
      size[sym] = len;
    }
    c <<= 1;
  }
  return { code, size };
}

const H_DC_Y = buildEncHuff(DC_LUMA);
const H_AC_Y = buildEncHuff(AC_LUMA);
const H_DC_C = buildEncHuff(DC_CHROMA);
const H_AC_C = buildEncHuff(AC_CHROMA);

const AAN = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** Quantisation table (natural order, 1..255) for a quality. */
export function scaledQuant(base: Uint8Array, quality: number): Uint8Array {
  const q = Math.max(1, Math.min(100, Math.round(quality)));
  const sf = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i++) out[i] = Math.max(1, Math.min(255, Math.floor((base[i] * sf + 50) / 100)));
  return out;
}

/** Reciprocal divisors (natural order) with the AAN output scaling folded in. */
function divisors(q: Uint8Array): Float64Array {
  const d = new Float64Array(64);
  for (let row = 0; row < 8; row++) for (let col = 0; col < 8; col++) d[row * 8 + col] = 1 / (q[row * 8 + col] * AAN[row] * AAN[col] * 8);
  return d;
}

/** Growable output with a bit writer (byte stuffing after 0xFF). */
class Writer {
  buf: Uint8Array;
  pos = 0;
  private acc = 0;
  private bits = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(1024, size));
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  word(w: number): void {
    this.buf[this.pos++] = w >> 8;
    this.buf[this.pos++] = w & 255;
  }
  /** `len` ≤ 24 bits of `value`. Capacity must have been ensured by the caller. */
  put(value: number, len: number): void {
    const acc = (this.acc << len) | (value & ((1 << len) - 1));
    let bits = this.bits + len;
    const buf = this.buf;
    while (bits >= 8) {
      bits -= 8;
      const b = (acc >>> bits) & 255;
      buf[this.pos++] = b;
      if (b === 255) buf[this.pos++] = 0;
    }
    this.acc = acc & ((1 << bits) - 1);
    this.bits = bits;
  }
  /** A Huffman code followed by `len` value bits. */
  put2(code: number, codeLen: number, value: number, len: number): void {
    if (codeLen + len <= 24) this.put((code << len) | (value & ((1 << len) - 1)), codeLen + len);
    else {
      this.put(code, codeLen);
      this.put(value, len);
    }
  }
  flushBits(): void {
    if (this.bits > 0) this.put(0x7f, 8 - this.bits); // pad with ones
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/**
 * Forward DCT (AAN, float) of `blk` (rows in place), quantised with `div` into `out` in zigzag order
 * (rounded to nearest, halves up).
 * Based on the IJG jfdctflt.c structure.
 */
function fdctQuant(blk: Float64Array, div: Float64Array, out: Int32Array): void {
  for (let i = 0; i < 64; i += 8) {
    const d0 = blk[i],
      d1 = blk[i + 1],
      d2 = blk[i + 2],
      d3 = blk[i + 3];
    const d4 = blk[i + 4],
      d5 = blk[i + 5],
      d6 = blk[i + 6],
      d7 = blk[i + 7];
    const t0 = d0 + d7,
      t7 = d0 - d7,
      t1 = d1 + d6,
      t6 = d1 - d6;
    const t2 = d2 + d5,
      t5 = d2 - d5,
      t3 = d3 + d4,
      t4 = d3 - d4;
    const t10 = t0 + t3,
      t13 = t0 - t3,
      t11 = t1 + t2,
      t12 = t1 - t2;
    blk[i] = t10 + t11;
    blk[i + 4] = t10 - t11;
    const z1 = (t12 + t13) * 0.707106781;
    blk[i + 2] = t13 + z1;
    blk[i + 6] = t13 - z1;
    const s10 = t4 + t5,
      s11 = t5 + t6,
      s12 = t6 + t7;
    const z5 = (s10 - s12) * 0.382683433;
    const z2 = 0.5411961 * s10 + z5;
    const z4 = 1.306562965 * s12 + z5;
    const z3 = s11 * 0.707106781;
    const z11 = t7 + z3,
      z13 = t7 - z3;
    blk[i + 5] = z13 + z2;
    blk[i + 3] = z13 - z2;
    blk[i + 1] = z11 + z4;
    blk[i + 7] = z11 - z4;
  }
  // Columns, quantised straight into zigzag order.
  for (let i = 0; i < 8; i++) {
    const d0 = blk[i],
      d1 = blk[i + 8],
      d2 = blk[i + 16],
      d3 = blk[i + 24];
    const d4 = blk[i + 32],
      d5 = blk[i + 40],
      d6 = blk[i + 48],
      d7 = blk[i + 56];
    const t0 = d0 + d7,
      t7 = d0 - d7,
      t1 = d1 + d6,
      t6 = d1 - d6;
    const t2 = d2 + d5,
      t5 = d2 - d5,
      t3 = d3 + d4,
      t4 = d3 - d4;
    const t10 = t0 + t3,
      t13 = t0 - t3,
      t11 = t1 + t2,
      t12 = t1 - t2;
    out[ZIGZAG_POS[i]] = Math.round((t10 + t11) * div[i]);
    out[ZIGZAG_POS[i + 32]] = Math.round((t10 - t11) * div[i + 32]);
    const z1 = (t12 + t13) * 0.707106781;
    out[ZIGZAG_POS[i + 16]] = Math.round((t13 + z1) * div[i + 16]);
    out[ZIGZAG_POS[i + 48]] = Math.round((t13 - z1) * div[i + 48]);
    const s10 = t4 + t5,
      s11 = t5 + t6,
      s12 = t6 + t7;
    const z5 = (s10 - s12) * 0.382683433;
    const z2 = 0.5411961 * s10 + z5;
    const z4 = 1.306562965 * s12 + z5;
    const z3 = s11 * 0.707106781;
    const z11 = t7 + z3,
      z13 = t7 - z3;
    out[ZIGZAG_POS[i + 40]] = Math.round((z13 + z2) * div[i + 40]);
    out[ZIGZAG_POS[i + 24]] = Math.round((z13 - z2) * div[i + 24]);
    out[ZIGZAG_POS[i + 8]] = Math.round((z11 + z4) * div[i + 8]);
    out[ZIGZAG_POS[i + 56]] = Math.round((z11 - z4) * div[i + 56]);
  }
}

/** Huffman-code one quantised block (zigzag order); returns its DC for the next prediction. */
function codeBlock(w: Writer, zz: Int32Array, prevDc: number, dc: EncHuff, ac: EncHuff): number {
  const diff = zz[0] - prevDc;
  if (diff === 0) w.put(dc.code[0], dc.size[0]);
  else {
    const a = diff < 0 ? -diff : diff;
    const cat = 32 - Math.clz32(a);
    w.put2(dc.code[cat], dc.size[cat], diff < 0 ? diff - 1 : diff, cat);
  }
  let last = 63;
  while (last > 0 && zz[last] === 0) last--;
  let run = 0;
  for (let k = 1; k <= last; k++) {
    const v = zz[k];
    if (v === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      w.put(ac.code[0xf0], ac.size[0xf0]);
      run -= 16;
    }
    const a = v < 0 ? -v : v;
    const cat = 32 - Math.clz32(a);
    const sym = (run << 4) | cat;
    w.put2(ac.code[sym], ac.size[sym], v < 0 ? v - 1 : v, cat);
    run = 0;
  }
  if (last < 63) w.put(ac.code[0], ac.size[0]);
  return zz[0];
}

function writeHeaders(w: Writer, width: number, height: number, qy: Uint8Array, qc: Uint8Array, sub420: boolean, restartInterval: number): void {
  w.word(0xffd8);
  // JFIF APP0
  w.word(0xffe0);
  w.word(16);
  for (const b of [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]) w.byte(b);
  // DQT: two 8-bit tables, zigzag order
  w.word(0xffdb);
  w.word(2 + 65 * 2);
  for (const [id, q] of [
    [0, qy],
    [1, qc],
  ] as [number, Uint8Array][]) {
    w.byte(id);
    const zz = new Uint8Array(64);
    for (let i = 0; i < 64; i++) zz[ZIGZAG_POS[i]] = q[i];
    for (let i = 0; i < 64; i++) w.byte(zz[i]);
  }
  // SOF0
  w.word(0xffc0);
  w.word(17);
  w.byte(8);
  w.word(height);
  w.word(width);
  w.byte(3);
  w.byte(1);
  w.byte(sub420 ? 0x22 : 0x11);
  w.byte(0);
  w.byte(2);
  w.byte(0x11);
  w.byte(1);
  w.byte(3);
  w.byte(0x11);
  w.byte(1);
  // DHT
  const tables: [number, HuffSpec][] = [
    [0x00, DC_LUMA],
    [0x10, AC_LUMA],
    [0x01, DC_CHROMA],
    [0x11, AC_CHROMA],
  ];
  w.word(0xffc4);
  w.word(2 + tables.reduce((n, [, s]) => n + 17 + s.symbols.length, 0));
  for (const [cls, s] of tables) {
    w.byte(cls);
    for (let i = 0; i < 16; i++) w.byte(s.counts[i]);
    for (let i = 0; i < s.symbols.length; i++) w.byte(s.symbols[i]);
  }
  if (restartInterval > 0) {
    w.word(0xffdd);
    w.word(4);
    w.word(restartInterval);
  }
  // SOS
  w.word(0xffda);
  w.word(12);
  w.byte(3);
  w.byte(1);
  w.byte(0x00);
  w.byte(2);
  w.byte(0x11);
  w.byte(3);
  w.byte(0x11);
  w.byte(0);
  w.byte(63);
  w.byte(0);
}

/** One 16×16 MCU: four luma blocks and 2×2-averaged chroma, level-shifted, edges replicated. */
function load420(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  x0: number,
  y0: number,
  colOff: Int32Array,
  Yb: Float64Array[],
  Cb: Float64Array,
  Cr: Float64Array,
): void {
  for (let yy = 0; yy < 16; yy += 2) {
    const rowA = Math.min(y0 + yy, height - 1) * width * 4;
    const rowB = Math.min(y0 + yy + 1, height - 1) * width * 4;
    const blkRow = yy < 8 ? 0 : 2;
    const by = (yy & 7) * 8;
    const cbase = (yy >> 1) * 8;
    for (let xx = 0; xx < 16; xx += 2) {
      const blk = Yb[blkRow + (xx >> 3)];
      const bx = by + (xx & 7);
      const c0 = colOff[x0 + xx];
      const c1 = colOff[x0 + xx + 1];
      let p = rowA + c0;
      let r = data[p],
        g = data[p + 1],
        b = data[p + 2];
      let sr = r,
        sg = g,
        sb = b;
      blk[bx] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      p = rowA + c1;
      r = data[p];
      g = data[p + 1];
      b = data[p + 2];
      sr += r;
      sg += g;
      sb += b;
      blk[bx + 1] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      p = rowB + c0;
      r = data[p];
      g = data[p + 1];
      b = data[p + 2];
      sr += r;
      sg += g;
      sb += b;
      blk[bx + 8] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      p = rowB + c1;
      r = data[p];
      g = data[p + 1];
      b = data[p + 2];
      sr += r;
      sg += g;
      sb += b;
      blk[bx + 9] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      const ci = cbase + (xx >> 1);
      Cb[ci] = 0.25 * (-0.168735892 * sr - 0.331264108 * sg + 0.5 * sb);
      Cr[ci] = 0.25 * (0.5 * sr - 0.418687589 * sg - 0.081312411 * sb);
    }
  }
}

/** One 8×8 MCU at full chroma resolution. */
function load444(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  x0: number,
  y0: number,
  colOff: Int32Array,
  blk: Float64Array,
  Cb: Float64Array,
  Cr: Float64Array,
): void {
  for (let yy = 0; yy < 8; yy++) {
    const row = Math.min(y0 + yy, height - 1) * width * 4;
    for (let xx = 0; xx < 8; xx++) {
      const p = row + colOff[x0 + xx];
      const r = data[p],
        g = data[p + 1],
        b = data[p + 2];
      const i = yy * 8 + xx;
      blk[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      Cb[i] = -0.168735892 * r - 0.331264108 * g + 0.5 * b;
      Cr[i] = 0.5 * r - 0.418687589 * g - 0.081312411 * b;
    }
  }
}

/** Encode RGBA (alpha ignored) as a baseline JFIF JPEG. */
export function encodeJpegRGBA(data: Uint8Array | Uint8ClampedArray, width: number, height: number, options: JpegEncodeOptions = {}): Uint8Array {
  if (!(width > 0 && height > 0 && width <= 65535 && height <= 65535)) throw new RangeError(`JPEG size out of range: ${width}×${height}`);
  if (data.length < width * height * 4) throw new RangeError("pixel buffer too small");
  const quality = options.quality ?? 90;
  const sub420 = (options.subsampling ?? "420") === "420";
  const qy = scaledQuant(Q_LUMA, quality);
  const qc = scaledQuant(Q_CHROMA, quality);
  const divY = divisors(qy);
  const divC = divisors(qc);
  const w = new Writer(((width * height) >> 2) + 4096);
  const restartInterval = Math.max(0, Math.min(65535, Math.floor(options.restartInterval ?? 0)));
  writeHeaders(w, width, height, qy, qc, sub420, restartInterval);
  let mcuCount = 0;

  const mcu = sub420 ? 16 : 8;
  const mcusX = Math.ceil(width / mcu);
  const mcusY = Math.ceil(height / mcu);
  // Luma blocks of one MCU (up to 4) and the two chroma blocks.
  const Yb = [new Float64Array(64), new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const Cb = new Float64Array(64);
  const Cr = new Float64Array(64);
  const zz = new Int32Array(64);
  // Clamped column offsets (edge replication) per MCU column.
  const colOff = new Int32Array(mcusX * mcu);
  for (let x = 0; x < colOff.length; x++) colOff[x] = Math.min(x, width - 1) * 4;
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  // Worst case per block (all 63 ACs with 16+10 bits, doubled for stuffing) is well under 512 bytes.
  const mcuBytes = (sub420 ? 6 : 3) * 512;

  for (let my = 0; my < mcusY; my++) {
    w.ensure(mcusX * mcuBytes);
    const y0 = my * mcu;
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval > 0 && mcuCount > 0 && mcuCount % restartInterval === 0) {
        w.flushBits();
        w.word(0xffd0 + ((mcuCount / restartInterval - 1) & 7));
        dcY = dcCb = dcCr = 0;
      }
      mcuCount++;
      const x0 = mx * mcu;
      if (sub420) {
        load420(data, width, height, x0, y0, colOff, Yb, Cb, Cr);
        fdctQuant(Yb[0], divY, zz);
        dcY = codeBlock(w, zz, dcY, H_DC_Y, H_AC_Y);
        fdctQuant(Yb[1], divY, zz);
        dcY = codeBlock(w, zz, dcY, H_DC_Y, H_AC_Y);
        fdctQuant(Yb[2], divY, zz);
        dcY = codeBlock(w, zz, dcY, H_DC_Y, H_AC_Y);
        fdctQuant(Yb[3], divY, zz);
        dcY = codeBlock(w, zz, dcY, H_DC_Y, H_AC_Y);
      } else {
        const blk = Yb[0];
        load444(data, width, height, x0, y0, colOff, blk, Cb, Cr);
        fdctQuant(blk, divY, zz);
        dcY = codeBlock(w, zz, dcY, H_DC_Y, H_AC_Y);
      }
      fdctQuant(Cb, divC, zz);
      dcCb = codeBlock(w, zz, dcCb, H_DC_C, H_AC_C);
      fdctQuant(Cr, divC, zz);
      dcCr = codeBlock(w, zz, dcCr, H_DC_C, H_AC_C);
    }
  }
  w.ensure(16);
  w.flushBits();
  w.word(0xffd9);
  return w.result();
}
