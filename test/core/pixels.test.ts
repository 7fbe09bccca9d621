import {
  base64Decode,
  base64Encode,
  blendMask,
  blendOver,
  contributions,
  decodeGrayPng,
  decodeImage,
  distanceToSeeds,
  encodeGrayPng,
  encodeJpeg,
  encodeRGBAPng,
  expandMask,
  fitTone,
  applyTone,
  hardMask,
  nonZeroBounds,
  resampleGray,
  resampleRGBA,
  cropRGBA,
  createRGBA,
  resampleRGBARegion,
} from "../../src/common/imaging";
import type { GrayImage, RGBAImage } from "../../src/common/host";
import { coordImage, photoLike, rng } from "./helpers/images";

const gray = (width: number, height: number, values: number[]): GrayImage => ({ width, height, data: Uint8Array.from(values) });

describe("resampling", () => {
  test("area weights when shrinking, bilinear taps when enlarging", () => {
    const down = contributions(3, 2);
    expect(down[0].start).toBe(0);
    expect(Array.from(down[0].weights)).toEqual([2 / 3, 1 / 3].map((v) => Math.fround(v)));
    expect(down[1].start).toBe(1);
    expect(Array.from(down[1].weights)).toEqual([1 / 3, 2 / 3].map((v) => Math.fround(v)));
    const up = contributions(2, 4);
    expect(up.map((c) => [c.start, ...Array.from(c.weights)])).toEqual([
      [0, 1],
      [0, 0.75, 0.25],
      [0, 0.25, 0.75],
      [1, 1],
    ]);
  });

  test("2× box average is exact; 1:1 is a copy", () => {
    const g = gray(4, 2, [0, 10, 20, 30, 40, 50, 60, 71]);
    expect(Array.from(resampleGray(g, 2, 1).data)).toEqual([25, 45]); // (0+10+40+50)/4, (20+30+60+71)/4 = 45.25
    expect(resampleGray(g, 4, 2).data).toEqual(g.data);
  });

  test("a region of the resampled image equals cropping the whole", () => {
    const src = coordImage(37, 23);
    for (const [w, h] of [
      [37, 23],
      [80, 50],
      [20, 11],
      [53, 17],
    ]) {
      const region = { left: 3, top: 2, right: Math.min(w, 19), bottom: Math.min(h, 9) };
      expect(resampleRGBARegion(src, w, h, region)).toEqual(cropRGBA(resampleRGBA(src, w, h), region));
    }
  });

  test("RGBA is weighted by alpha: a transparent neighbour does not darken", () => {
    const img: RGBAImage = { width: 2, height: 1, data: Uint8Array.from([200, 100, 50, 255, 0, 0, 0, 0]) };
    expect(Array.from(resampleRGBA(img, 1, 1).data)).toEqual([200, 100, 50, 128]);
  });
});

describe("buffers", () => {
  test("createRGBA fills every pixel with the colour, at any size; no colour or a transparent one is all zeros", () => {
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [7, 5],
      [33, 17],
    ]) {
      const img = createRGBA(w, h, [200, 100, 7, 255]);
      expect(img.data.length).toBe(w * h * 4);
      for (let i = 0; i < img.data.length; i++) if (img.data[i] !== [200, 100, 7, 255][i & 3]) throw new Error(`${w}×${h}: byte ${i} is ${img.data[i]}`);
      expect(createRGBA(w, h).data.every((v) => v === 0)).toBe(true);
      expect(createRGBA(w, h, [0, 0, 0, 0]).data.every((v) => v === 0)).toBe(true);
    }
    expect(createRGBA(0, 5, [1, 2, 3, 4]).data.length).toBe(0);
  });
});

describe("masks", () => {
  test("chamfer distance to seeds", () => {
    const d = distanceToSeeds(5, 1, (i) => i === 0);
    expect(Array.from(d)).toEqual([0, 1, 2, 3, 4]);
    const d2 = distanceToSeeds(2, 2, (i) => i === 0);
    expect(d2[3]).toBeCloseTo(4 / 3, 6);
  });

  test("blend mask fades in over the band inside the selection and never exceeds it", () => {
    const sel = gray(9, 1, [0, 255, 255, 255, 255, 255, 255, 255, 0]);
    expect(Array.from(blendMask(sel, 2).data)).toEqual([0, 85, 170, 255, 255, 255, 170, 85, 0]);
    expect(Array.from(blendMask(sel, 0).data)).toEqual(Array.from(sel.data));
    // Feathering is kept where it is softer than the band.
    const feathered = gray(7, 1, [0, 20, 60, 255, 255, 60, 20]);
    expect(Array.from(blendMask(feathered, 1).data)).toEqual([0, 20, 60, 255, 255, 60, 20]);
  });

  test("the image border is not an edge (selection touching the canvas edge)", () => {
    const sel = gray(4, 1, [255, 255, 255, 0]);
    expect(Array.from(blendMask(sel, 2).data)).toEqual([255, 170, 85, 0]);
  });

  test("hard mask and non-zero bounds", () => {
    expect(Array.from(hardMask(gray(3, 1, [0, 1, 200])).data)).toEqual([0, 255, 255]);
    expect(nonZeroBounds(gray(4, 3, [0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 4, 0]))).toEqual({ left: 1, top: 1, right: 3, bottom: 3 });
    expect(nonZeroBounds(gray(2, 1, [0, 0]))).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
  });

  test("expand mask: new area 255, the original's whole rectangle 0 (no ramp into the original)", () => {
    const m = expandMask(8, 1, { left: 3, top: -1, right: 9, bottom: 2 });
    expect(Array.from(m.data)).toEqual([255, 255, 255, 0, 0, 0, 0, 0]);
    const m2 = expandMask(4, 3, { left: 1, top: 1, right: 3, bottom: 2 });
    expect(Array.from(m2.data)).toEqual([255, 255, 255, 255, 255, 0, 0, 255, 255, 255, 255, 255]);
    expect(Array.from(expandMask(3, 1, { left: 3, top: 0, right: 5, bottom: 1 }).data)).toEqual([255, 255, 255]);
  });
});

describe("codecs", () => {
  test("gray PNG round-trips exactly; RGBA PNG too", () => {
    const g = gray(5, 3, [0, 1, 2, 3, 255, 9, 8, 7, 6, 5, 100, 101, 102, 103, 104]);
    const back = decodeGrayPng(encodeGrayPng(g));
    expect(back).toEqual(g);
    const c = coordImage(17, 9);
    expect(decodeImage(encodeRGBAPng(c))).toEqual(c);
    const png = encodeGrayPng(g);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png[25]).toBe(0); // IHDR colour type 0: single-channel grayscale
  });

  test("JPEG encodes and decodes close to the original", () => {
    const img = photoLike(64, 48, 3);
    const jpg = encodeJpeg(img, 92);
    expect(Array.from(jpg.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    const back = decodeImage(jpg);
    expect([back.width, back.height]).toEqual([64, 48]);
    let err = 0;
    for (let i = 0; i < img.data.length; i++) err += Math.abs(img.data[i] - back.data[i]);
    expect(err / img.data.length).toBeLessThan(4);
  });

  test("JPEG works where no Buffer exists (UXP, the browser)", () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    delete g.Buffer;
    try {
      const img = coordImage(16, 8);
      const jpg = encodeJpeg(img, 90);
      expect(Object.getPrototypeOf(jpg)).toBe(Uint8Array.prototype);
      expect(decodeImage(jpg).width).toBe(16);
      expect(g.Buffer).toBeUndefined();
    } finally {
      g.Buffer = saved;
    }
  });

  test("base64", () => {
    for (const s of ["", "a", "ab", "abc", "abcd", "hello world!"]) {
      const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
      expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      expect(Array.from(base64Decode(base64Encode(bytes)))).toEqual(Array.from(bytes));
    }
  });
});

describe("tone matching", () => {
  // A real-looking image. The "service" regenerates the selection with plausible content (the
  // original's structure with new fine texture) and, as generators do, shifts the colours of everything
  // it returns (gain/offset per channel). Boundary error: mean absolute difference between the
  // composite and the original in the band just inside the selection's edge, where a seam shows.
  function scenario(toneOn: boolean, seed: number): number {
    const W = 120;
    const H = 90;
    const cx = 60;
    const cy = 45;
    const orig = photoLike(W, H, seed);
    const noise = rng(seed + 100);
    const inDisc = (i: number) => Math.hypot((i % W) - cx, Math.floor(i / W) - cy) < 30;
    const mask = gray(
      W,
      H,
      Array.from({ length: W * H }, (_, i) => (inDisc(i) ? 255 : 0)),
    );
    const gain = [1.1, 0.93, 1.06];
    const offset = [-4, 12, 6];
    const gen: RGBAImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
    for (let i = 0; i < W * H; i++) {
      for (let c = 0; c < 3; c++) {
        const content = orig.data[i * 4 + c] + (inDisc(i) ? (noise() - 0.5) * 20 : 0);
        gen.data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(content * gain[c] + offset[c])));
      }
      gen.data[i * 4 + 3] = 255;
    }
    if (toneOn) applyTone(gen, fitTone(orig, gen, mask, 8)!);
    const out = blendOver(orig, gen, blendMask(mask, 4));
    let err = 0;
    let n = 0;
    for (let i = 0; i < W * H; i++) {
      const r = Math.hypot((i % W) - cx, Math.floor(i / W) - cy);
      if (r < 22 || r >= 30) continue;
      for (let c = 0; c < 3; c++) err += Math.abs(out.data[i * 4 + c] - orig.data[i * 4 + c]);
      n += 3;
    }
    return err / n;
  }

  test("tone matching lowers the boundary error on real-looking images (so it is on by default)", () => {
    for (const seed of [1, 2, 3]) {
      const off = scenario(false, seed);
      const on = scenario(true, seed);
      expect(on).toBeLessThan(off * 0.85);
    }
  });

  test("fitted correction recovers a known drift", () => {
    const orig = photoLike(80, 60, 5);
    const drifted = cropRGBA(orig, { left: 0, top: 0, right: 80, bottom: 60 });
    for (let p = 0; p < drifted.data.length; p += 4) drifted.data[p] = Math.min(255, drifted.data[p] + 20);
    const mask = gray(
      80,
      60,
      Array.from({ length: 4800 }, (_, i) => (i % 80 > 30 && i % 80 < 50 && i / 80 > 20 && i / 80 < 40 ? 255 : 0)),
    );
    const t = fitTone(orig, drifted, mask, 6)!;
    expect(t.gain[1]).toBeCloseTo(1, 6);
    expect(t.offset[1]).toBeCloseTo(0, 6);
    expect(t.offset[0] + t.gain[0] * 100 - 100).toBeCloseTo(-20, -1); // some red values clip at 255
  });
});

test("nonZeroBounds matches a brute-force scan for sparse masks at any alignment of their buffer", () => {
  let s = 5;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let t = 0; t < 3000; t++) {
    const w = 1 + Math.floor(r() * 40);
    const h = 1 + Math.floor(r() * 20);
    const off = Math.floor(r() * 4);
    const d = new Uint8Array(w * h + off + 3).subarray(off, off + w * h);
    const k = Math.floor(r() * 4);
    for (let j = 0; j < k; j++) d[Math.floor(r() * d.length)] = 1 + Math.floor(r() * 255);
    let l = w;
    let rt = -1;
    let tp = h;
    let b = -1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (d[y * w + x]) {
          l = Math.min(l, x);
          rt = Math.max(rt, x);
          tp = Math.min(tp, y);
          b = Math.max(b, y);
        }
    const want = rt < 0 ? { left: 0, top: 0, right: 0, bottom: 0 } : { left: l, top: tp, right: rt + 1, bottom: b + 1 };
    expect(nonZeroBounds({ width: w, height: h, data: d })).toEqual(want);
  }
});
