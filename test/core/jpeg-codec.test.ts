// The pure-TypeScript JPEG codec: our files decode elsewhere at the expected quality, our decoder agrees
// with sharp and jpeg-js on files they wrote, region decoding equals a crop of a full decode, and
// files outside baseline fall back to jpeg-js through decodeImage.

import sharp from "sharp";
import * as jpeg from "jpeg-js";
import { decodeImage, encodeJpeg } from "../../src/common/imaging/codecs";
import { decodeJpegRGBA, encodeJpegRGBA, UnsupportedJpeg } from "../../src/common/imaging/jpeg";
import { gradientGrain, psnrRGB as psnr } from "../../src/common/imaging/synthetic";
import { firstDifference } from "../support/pixels";

type JpegOptions = NonNullable<Parameters<ReturnType<typeof sharp>["jpeg"]>[0]>;

/** Gradients, sinusoids and grain (σ ≈ 3), like the fill bench's document. */
function photoLike(w: number, h: number, seed = 7): Uint8Array {
  return gradientGrain(w, h, { seed, xPeriod: 15, yPeriod: 20 });
}

/**
 * jpeg-js truncates after colour conversion where libjpeg (sharp) and we round, so against jpeg-js one
 * more level of difference is expected.
 */
const JPEG_JS_TOLERANCE = 3;

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function sharpRGBA(bytes: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function jpegJsRGBA(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true }).data);
}

async function sharpJpeg(px: Uint8Array, w: number, h: number, opts: JpegOptions, gray = false): Promise<Uint8Array> {
  let img = sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 4 } }).removeAlpha();
  if (gray) img = img.toColourspace("b-w");
  return new Uint8Array(await img.jpeg(opts).toBuffer());
}

describe("JPEG encoder", () => {
  test("writes 4:2:0 baseline that sharp and jpeg-js decode at ≥ 38 dB (quality 90)", async () => {
    const w = 640;
    const h = 480;
    const px = photoLike(w, h);
    const bytes = encodeJpegRGBA(px, w, h, { quality: 90 });
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.chromaSubsampling).toBe("4:2:0");
    expect(meta.isProgressive).toBe(false);
    const viaSharp = await sharpRGBA(bytes);
    expect([viaSharp.width, viaSharp.height]).toEqual([w, h]);
    expect(psnr(px, viaSharp.data)).toBeGreaterThanOrEqual(38);
    expect(psnr(px, jpegJsRGBA(bytes))).toBeGreaterThanOrEqual(38);
    // Smaller than jpeg-js's 4:4:4 file at the same quality, with about the same fidelity.
    const theirs = jpeg.encode({ width: w, height: h, data: px }, 90).data;
    expect(bytes.length).toBeLessThan(theirs.length);
  });

  test("4:4:4 on request, odd sizes and 1×1, restart markers", async () => {
    for (const [w, h, opts] of [
      [3001, 17, {}],
      [1, 1, {}],
      [33, 9, { subsampling: "444" }],
      [203, 77, { restartInterval: 5 }],
      [200, 64, { subsampling: "444", restartInterval: 1 }],
    ] as [number, number, Parameters<typeof encodeJpegRGBA>[3]][]) {
      const px = photoLike(w, h, w + h);
      const bytes = encodeJpegRGBA(px, w, h, { quality: 92, ...opts });
      const viaSharp = await sharpRGBA(bytes);
      expect([viaSharp.width, viaSharp.height]).toEqual([w, h]);
      if (w * h > 64) expect(psnr(px, viaSharp.data)).toBeGreaterThanOrEqual(36);
      else
        expect(
          maxDiff(
            px.filter((_, i) => (i & 3) !== 3),
            viaSharp.data.filter((_, i) => (i & 3) !== 3),
          ),
        ).toBeLessThanOrEqual(12);
      const ours = decodeJpegRGBA(bytes).data;
      expect(maxDiff(ours, jpegJsRGBA(bytes))).toBeLessThanOrEqual(JPEG_JS_TOLERANCE);
      if (opts?.subsampling === "444") expect(maxDiff(ours, viaSharp.data)).toBeLessThanOrEqual(2);
    }
  });

  test("encodeJpeg ignores alpha", async () => {
    const px = photoLike(64, 64);
    const half = px.slice();
    for (let i = 3; i < half.length; i += 4) half[i] = 7;
    expect(encodeJpeg({ width: 64, height: 64, data: half })).toEqual(encodeJpeg({ width: 64, height: 64, data: px }));
  });
});

describe("JPEG decoder", () => {
  const w = 301;
  const h = 203;
  const px = photoLike(w, h, 3);

  test("4:4:4 and grayscale from sharp: within ±2 of sharp (and of jpeg-js but for its truncation)", async () => {
    for (const [opts, gray] of [
      [{ quality: 90, chromaSubsampling: "4:4:4" }, false],
      [{ quality: 75, chromaSubsampling: "4:4:4" }, false],
      [{ quality: 90 }, true],
    ] as [JpegOptions, boolean][]) {
      const bytes = await sharpJpeg(px, w, h, opts, gray);
      const ours = decodeJpegRGBA(bytes);
      expect([ours.width, ours.height]).toEqual([w, h]);
      expect(maxDiff(ours.data, (await sharpRGBA(bytes)).data)).toBeLessThanOrEqual(2);
      expect(maxDiff(ours.data, jpegJsRGBA(bytes))).toBeLessThanOrEqual(JPEG_JS_TOLERANCE);
    }
  });

  test("4:2:0 from sharp: like jpeg-js (both replicate chroma) and close to sharp", async () => {
    for (const [ww, hh] of [
      [w, h],
      [3001, 17],
      [1, 1],
      [16, 16],
    ]) {
      const p = photoLike(ww, hh, ww);
      const bytes = await sharpJpeg(p, ww, hh, { quality: 90 });
      expect((await sharp(bytes).metadata()).chromaSubsampling).toBe("4:2:0");
      const ours = decodeJpegRGBA(bytes);
      expect(maxDiff(ours.data, jpegJsRGBA(bytes))).toBeLessThanOrEqual(JPEG_JS_TOLERANCE);
      // libjpeg interpolates chroma ("fancy upsampling"); we replicate it, as jpeg-js does.
      expect(psnr(ours.data, (await sharpRGBA(bytes)).data)).toBeGreaterThanOrEqual(40);
    }
  });

  test("restart intervals (our encoder's files, checked against sharp and jpeg-js)", async () => {
    for (const opts of [{ restartInterval: 1 }, { restartInterval: 7 }, { restartInterval: 3, subsampling: "444" as const }]) {
      const bytes = encodeJpegRGBA(px, w, h, { quality: 90, ...opts });
      expect(Array.from(bytes).some((b, i) => b === 0xff && bytes[i + 1] === 0xd0)).toBe(true);
      const ours = decodeJpegRGBA(bytes);
      expect(maxDiff(ours.data, jpegJsRGBA(bytes))).toBeLessThanOrEqual(JPEG_JS_TOLERANCE);
      if (opts.subsampling === "444") expect(maxDiff(ours.data, (await sharpRGBA(bytes)).data)).toBeLessThanOrEqual(2);
      else expect(psnr(ours.data, (await sharpRGBA(bytes)).data)).toBeGreaterThanOrEqual(40);
    }
  });

  test("a region decode equals the same rectangle of a full decode", async () => {
    const files = [
      encodeJpegRGBA(px, w, h, { quality: 90 }),
      encodeJpegRGBA(px, w, h, { quality: 90, restartInterval: 4 }),
      encodeJpegRGBA(px, w, h, { quality: 80, subsampling: "444" }),
      await sharpJpeg(px, w, h, { quality: 90 }, true),
    ];
    const regions = [
      { left: 0, top: 0, right: w, bottom: h },
      { left: 17, top: 9, right: 150, bottom: 101 },
      { left: 300, top: 202, right: 301, bottom: 203 },
      { left: 0, top: 100, right: 1, bottom: 203 },
      { left: 31, top: 0, right: 33, bottom: 2 },
    ];
    for (const bytes of files) {
      const full = decodeJpegRGBA(bytes);
      for (const r of regions) {
        const part = decodeJpegRGBA(bytes, r);
        expect([part.width, part.height]).toEqual([w, h]);
        const expected = new Uint8Array(w * h * 4);
        for (let y = r.top; y < r.bottom; y++) expected.set(full.data.subarray((y * w + r.left) * 4, (y * w + r.right) * 4), (y * w + r.left) * 4);
        expect(Buffer.from(part.data).equals(Buffer.from(expected))).toBe(true);
      }
    }
  });

  test("decodeImage with a region scales it to the image and keeps the full size", () => {
    const bytes = encodeJpegRGBA(px, w, h, { quality: 90 });
    const full = decodeImage(bytes);
    const part = decodeImage(bytes, undefined, { rect: { left: 50, top: 40, right: 100, bottom: 80 }, of: { width: w * 2, height: h * 2 } });
    expect([part.width, part.height]).toEqual([w, h]);
    // Scaled to (25,20)-(50,40), plus the margin.
    for (const [x, y] of [
      [25, 20],
      [49, 39],
      [23, 18],
      [51, 41],
    ]) {
      const p = (y * w + x) * 4;
      expect(Array.from(part.data.subarray(p, p + 4))).toEqual(Array.from(full.data.subarray(p, p + 4)));
    }
    expect(part.data[(100 * w + 100) * 4 + 3]).toBe(0);
  });

  test("progressive files are refused and decodeImage falls back to jpeg-js", async () => {
    const bytes = await sharpJpeg(px, w, h, { quality: 90, progressive: true });
    expect(() => decodeJpegRGBA(bytes)).toThrow(UnsupportedJpeg);
    const img = decodeImage(bytes);
    expect([img.width, img.height]).toEqual([w, h]);
    expect(firstDifference(img.data, jpegJsRGBA(bytes))).toBe("");
    // A region is a hint: the fallback decodes everything.
    expect(firstDifference(decodeImage(bytes, undefined, { rect: { left: 0, top: 0, right: 5, bottom: 5 }, of: { width: w, height: h } }).data, img.data)).toBe(
      "",
    );
  });

  test("12-bit and arithmetic-coded files are refused as unsupported", () => {
    const base = encodeJpegRGBA(px.subarray(0, 16 * 16 * 4), 16, 16, { quality: 90 });
    const sof = base.findIndex((b, i) => b === 0xff && base[i + 1] === 0xc0);
    const arith = base.slice();
    arith[sof + 1] = 0xc9;
    expect(() => decodeJpegRGBA(arith)).toThrow(UnsupportedJpeg);
    const twelve = base.slice();
    twelve[sof + 4] = 12;
    expect(() => decodeJpegRGBA(twelve)).toThrow(UnsupportedJpeg);
  });
});
