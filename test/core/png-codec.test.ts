// The PNG codec against independent ones: what we write, libvips (sharp) reads back pixel for pixel,
// with every chunk's CRC as Node's zlib computes it and the Sub filter on every row; what libvips
// writes, in every colour type and depth, re-filtered here with all five row filters in turn, we read
// as libvips does.

import * as zlib from "zlib";
import sharp from "sharp";
import { decodePng, encodePng } from "../../src/common/imaging/png";
import { rng } from "./helpers/images";

/** Smooth ramps plus grain, so that every filter type is chosen somewhere. */
function mixed(width: number, height: number, channels: number, seed: number): Uint8Array {
  const r = rng(seed);
  const d = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        d[i] = y % 7 < 3 ? (x * (c + 1) + y * 3) & 255 : r() < 0.5 ? Math.floor(r() * 256) : (x + y + c * 40) & 255;
      }
  return d;
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** `png` (written unfiltered) with row y filtered by filter type y mod 5, as the PNG specification defines them. */
function refiltered(png: Buffer, bpp: number): Buffer {
  const cs = chunks(png);
  const raw = zlib.inflateSync(Buffer.concat(cs.filter((c) => c.type === "IDAT").map((c) => c.data)));
  const h = cs[0].data.readUInt32BE(4);
  const stride = raw.length / h - 1;
  const out = Buffer.alloc(raw.length);
  for (let y = 0; y < h; y++) {
    const f = y % 5;
    const row = (k: number, i: number) => (k < 0 || i < 0 ? 0 : raw[k * (stride + 1) + 1 + i]);
    expect(raw[y * (stride + 1)]).toBe(0);
    out[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const a = row(y, i - bpp);
      const b = row(y - 1, i);
      const c = row(y - 1, i - bpp);
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      out[y * (stride + 1) + 1 + i] = (row(y, i) - pred) & 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const keep = cs.filter((c) => c.type !== "IDAT" && c.type !== "IEND").map((c) => chunk(c.type, c.data));
  return Buffer.concat([png.subarray(0, 8), ...keep, chunk("IDAT", zlib.deflateSync(out)), chunk("IEND", Buffer.alloc(0))]);
}

/** The chunks of a PNG: type, data, and the CRC it carries. */
function chunks(png: Uint8Array): { type: string; data: Buffer; crc: number; crcOf: number }[] {
  const b = Buffer.from(png);
  const out = [];
  for (let p = 8; p < b.length;) {
    const len = b.readUInt32BE(p);
    out.push({
      type: b.toString("latin1", p + 4, p + 8),
      data: b.subarray(p + 8, p + 8 + len),
      crc: b.readUInt32BE(p + 8 + len),
      crcOf: zlib.crc32(b.subarray(p + 4, p + 8 + len)),
    });
    p += 12 + len;
  }
  return out;
}

describe("encodePng", () => {
  test.each([
    [1, 1, 1],
    [1, 37, 5],
    [4, 1, 1],
    [4, 53, 29],
    [4, 300, 2],
  ] as const)("channels %i, %i×%i: libvips reads the pixels back; CRCs and the Sub filter as specified", async (channels, w, h) => {
    const data = mixed(w, h, channels, w * 31 + h);
    for (const level of [0, 3] as const) {
      const png = encodePng(w, h, data, channels, level);
      const cs = chunks(png);
      expect(cs.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
      for (const c of cs) expect(c.crc).toBe(c.crcOf);
      const raw = zlib.inflateSync(cs[1].data);
      const stride = w * channels;
      expect(raw.length).toBe((stride + 1) * h);
      for (let y = 0; y < h; y++) {
        expect(raw[y * (stride + 1)]).toBe(1);
        for (let i = 0; i < stride; i++) {
          const left = i >= channels ? data[y * stride + i - channels] : 0;
          if (raw[y * (stride + 1) + 1 + i] !== ((data[y * stride + i] - left) & 255)) throw new Error(`row ${y} byte ${i}`);
        }
      }
      expect(await sharp(Buffer.from(png)).metadata()).toMatchObject({ width: w, height: h, channels });
      const dec = await (channels === 1 ? sharp(Buffer.from(png)).extractChannel(0) : sharp(Buffer.from(png))).raw().toBuffer({ resolveWithObject: true });
      expect([dec.info.width, dec.info.height, dec.info.channels]).toEqual([w, h, channels]);
      expect(Buffer.compare(dec.data, Buffer.from(data))).toBe(0);
      // Our decoder reads it back too, leaving the file as it was.
      const file = Buffer.from(png);
      const ours = decodePng(png);
      expect(Buffer.compare(Buffer.from(png), file)).toBe(0);
      for (let i = 0; i < w * h; i++)
        for (let c = 0; c < 4; c++) {
          const want = channels === 4 ? data[i * 4 + c] : c === 3 ? 255 : data[i];
          if (ours.data[i * 4 + c] !== want) throw new Error(`pixel ${i} channel ${c}`);
        }
    }
  });
});

test("RGBA pixels that start at any byte offset of their buffer encode to the same file", () => {
  const data = mixed(37, 11, 4, 5);
  const want = Buffer.from(encodePng(37, 11, data, 4, 0));
  for (let at = 0; at < 4; at++) {
    const shifted = new Uint8Array(data.length + at).subarray(at);
    shifted.set(data);
    expect(Buffer.compare(Buffer.from(encodePng(37, 11, shifted, 4, 0)), want)).toBe(0);
  }
});

describe("decodePng", () => {
  const W = 67;
  const H = 41;
  /** libvips' decode as 8-bit RGBA, for comparison. */
  const reference = async (png: Buffer) => new Uint8Array(await sharp(png).ensureAlpha().toColourspace("srgb").raw().toBuffer());

  test.each([
    ["gray", 1, false],
    ["gray + alpha", 2, false],
    ["RGB", 3, false],
    ["RGBA", 4, false],
    ["RGB, 16-bit", 3, true],
    ["RGBA, 16-bit", 4, true],
  ] as const)("%s, rows in all five filters, reads as libvips reads it", async (_name, channels, wide) => {
    const data = mixed(W, H, channels, channels);
    let input = sharp(Buffer.from(data), { raw: { width: W, height: H, channels } });
    if (wide) input = input.toColourspace(channels >= 3 ? "rgb16" : "grey16");
    const png = refiltered(await input.png({ adaptiveFiltering: false }).toBuffer(), channels * (wide ? 2 : 1));
    expect(chunks(png)[0].data[8]).toBe(wide ? 16 : 8);
    const bytes = new Uint8Array(png);
    const ours = decodePng(bytes);
    expect(Buffer.compare(Buffer.from(bytes), png)).toBe(0); // the file itself is left as it was
    expect([ours.width, ours.height]).toEqual([W, H]);
    const want = await reference(png);
    for (let i = 0; i < want.length; i++) if (ours.data[i] !== want[i]) throw new Error(`byte ${i}: ${ours.data[i]} != ${want[i]}`);
  });

  test("a palette image with transparency, rows in all five filters, reads as libvips reads it", async () => {
    const data = mixed(W, H, 4, 9).map((v, i) => (i % 4 === 3 ? (v < 128 ? 0 : 255) : v & 0xc0));
    const png = await sharp(Buffer.from(data), { raw: { width: W, height: H, channels: 4 } })
      .png({ palette: true, colours: 64, dither: 0, adaptiveFiltering: false })
      .toBuffer()
      .then((p) => refiltered(p, 1));
    expect(chunks(png).some((c) => c.type === "PLTE")).toBe(true);
    const ours = decodePng(new Uint8Array(png));
    const want = await reference(png);
    for (let i = 0; i < want.length; i++) if (ours.data[i] !== want[i]) throw new Error(`byte ${i}: ${ours.data[i]} != ${want[i]}`);
  });
});
