// The completion engine on raw pixels, in-process (no workers): sizes, untouched pixels,
// determinism, texture (not a flat blur), working-resolution cap, abort, placement.

import { expandImage, fillImage, placeSource, AbortError, DEFAULT_PARAMS, EngineInputError } from "../../src/broker/local/engine";
import { membrane, smoothBase } from "../../src/broker/local/engine/base";
import { chooseBaseScale } from "../../src/broker/local/engine/choose";
import { gradientNoise, stripes } from "../../bench/engine/textures";
import { bricks, clone, countDiffering, grass, lumaStd, rectMask, seededRandom } from "./helpers";

describe("fill", () => {
  const img = grass(160, 128, 11);
  const mask = rectMask(160, 128, 60, 40, 110, 90, 3);

  it("returns an image of the input size whose pixels outside the mask are exactly the input's", () => {
    const before = clone(img);
    const out = fillImage(img, mask, { seed: 1 });
    expect([out.width, out.height]).toEqual([160, 128]);
    expect(countDiffering(out, img, (i) => mask.data[i] === 0)).toBe(0);
    // the hole really was filled (the input's black would otherwise stay)
    expect(countDiffering(out, img, (i) => mask.data[i] === 255)).toBeGreaterThan(0.9 * 50 * 50);
    expect(img.data).toEqual(before.data); // input not modified
  });

  it("gives the same bytes for the same seed and different bytes for another seed", () => {
    const a = fillImage(img, mask, { seed: 42 });
    const b = fillImage(img, mask, { seed: 42 });
    const c = fillImage(img, mask, { seed: 43 });
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it("fills with texture rather than a flat blur (mean-shift voting)", () => {
    const tex = bricks(192, 192, 3);
    const holed = clone(tex);
    const m = rectMask(192, 192, 64, 64, 128, 128);
    for (let i = 0; i < 192 * 192; i++) if (m.data[i]) holed.data.fill(0, i * 4, i * 4 + 3);
    const out = fillImage(holed, m, { seed: 5 });
    const original = lumaStd(tex, 64, 64, 128, 128);
    const filled = lumaStd(out, 64, 64, 128, 128);
    expect(filled).toBeGreaterThan(0.6 * original);
  });

  it("follows a smooth gradient across the hole: no colour step at the boundary, no seams inside", () => {
    // A noisy linear ramp in every channel; the noiseless ramp is the truth the fill's low
    // frequencies should follow. Copying patches alone carries each side's colour inwards
    // (8×8 block means off by 17–19 levels); the membrane-interpolated base keeps them within a few.
    const W = 192,
      H = 192,
      x0 = 64,
      y0 = 64,
      S = 64;
    const truth = (x: number, y: number, c: number): number => (c === 0 ? 40 + (150 * x) / W : c === 1 ? 90 + (100 * y) / H : 200 - (120 * x * y) / (W * H));
    for (const seed of [1, 2]) {
      const data = new Uint8Array(W * H * 4);
      const rnd = seededRandom(seed);
      for (let i = 0; i < W * H; i++) {
        const e = (rnd() * 2 - 1) * 14;
        const x = i % W,
          y = Math.floor(i / W);
        for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(truth(x, y, c) + e)));
        data[i * 4 + 3] = 255;
      }
      const m = rectMask(W, H, x0, y0, x0 + S, y0 + S);
      const out = fillImage({ width: W, height: H, data }, m, { seed });
      let worst = 0;
      for (let by = y0; by < y0 + S; by += 8)
        for (let bx = x0; bx < x0 + S; bx += 8)
          for (let c = 0; c < 3; c++) {
            let got = 0,
              want = 0;
            for (let y = by; y < by + 8; y++)
              for (let x = bx; x < bx + 8; x++) {
                got += out.data[(y * W + x) * 4 + c];
                want += truth(x, y, c);
              }
            worst = Math.max(worst, Math.abs(got - want) / 64);
          }
      expect(worst).toBeLessThan(6);
      // The one-pixel rings just outside and just inside the hole agree on average, per side.
      const sideStep = (dx: number, dy: number): number => {
        let outer = 0,
          inner = 0,
          n = 0;
        for (let k = 0; k < S; k++)
          for (let c = 0; c < 3; c++) {
            const [xi, yi] = dx !== 0 ? [dx < 0 ? x0 : x0 + S - 1, y0 + k] : [x0 + k, dy < 0 ? y0 : y0 + S - 1];
            inner += out.data[(yi * W + xi) * 4 + c] - truth(xi, yi, c);
            outer += out.data[((yi + dy) * W + xi + dx) * 4 + c] - truth(xi + dx, yi + dy, c);
            n++;
          }
        return Math.abs(inner - outer) / n;
      };
      for (const [dx, dy] of [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
      ])
        expect(sideStep(dx, dy)).toBeLessThan(3);
    }
  });

  it("completes at a capped working resolution and still keeps every outside pixel", () => {
    const big = grass(256, 256, 2);
    const m = rectMask(256, 256, 40, 40, 200, 200);
    let iterations = 0;
    const out = fillImage(big, m, { seed: 3, maxWorkingPixels: 96 * 96, onIteration: () => iterations++ });
    expect([out.width, out.height]).toEqual([256, 256]);
    expect(countDiffering(out, big, (i) => m.data[i] === 0)).toBe(0);
    expect(iterations).toBeGreaterThan(0);
  });

  it("honours the soft mask: partial values blend the input and the fill by the mask value", () => {
    const hard = { ...mask, data: mask.data.map((v) => (v > 0 ? 255 : 0)) };
    const soft = fillImage(img, mask, { seed: 9 });
    const full = fillImage(img, hard, { seed: 9 }); // same hole set, so the same completion
    let partial = 0;
    for (let i = 0; i < 160 * 128; i++) {
      const m = mask.data[i];
      if (m === 0 || m === 255) continue;
      partial++;
      for (let c = 0; c < 3; c++) {
        const expected = img.data[i * 4 + c] + (full.data[i * 4 + c] - img.data[i * 4 + c]) * (m / 255);
        expect(Math.abs(soft.data[i * 4 + c] - expected)).toBeLessThanOrEqual(1);
      }
    }
    expect(partial).toBeGreaterThan(100);
  });

  it("rejects a mask of another size, and a mask that leaves nothing to copy from", () => {
    expect(() => fillImage(img, rectMask(10, 10, 0, 0, 5, 5), { seed: 1 })).toThrow(EngineInputError);
    expect(() => fillImage(img, rectMask(160, 128, 0, 0, 160, 128), { seed: 1 })).toThrow(EngineInputError);
  });

  it("fills a scattered mask (many small holes) and refuses one that leaves no whole patch to copy", () => {
    const scattered = rectMask(160, 128, 0, 0, 0, 0);
    for (let y = 2; y < 128; y += 12) for (let x = 2; x < 160; x += 12) for (let k = 0; k < 3; k++) scattered.data[(y + k) * 160 + x + k] = 255;
    const out = fillImage(img, scattered, { seed: 1 });
    expect(countDiffering(out, img, (i) => scattered.data[i] === 0)).toBe(0);
    const dense = rectMask(160, 128, 0, 0, 0, 0);
    for (let y = 0; y < 128; y += 3) for (let x = 0; x < 160; x += 3) dense.data[y * 160 + x] = 255;
    expect(() => fillImage(img, dense, { seed: 1 })).toThrow(/no area large enough/);
  });

  it("returns the input unchanged for an empty mask", () => {
    const out = fillImage(img, rectMask(160, 128, 0, 0, 0, 0), { seed: 1 });
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it("stops between iterations once asked to abort, and does no further iteration", () => {
    let iterations = 0;
    let abortAt = -1;
    const run = (): unknown =>
      fillImage(grass(192, 192, 4), rectMask(192, 192, 50, 50, 140, 140), {
        seed: 1,
        onIteration: () => {
          iterations++;
        },
        shouldAbort: () => {
          if (abortAt < 0 && iterations >= 2) abortAt = iterations;
          return abortAt >= 0;
        },
      });
    expect(run).toThrow(AbortError);
    expect(abortAt).toBe(2);
    expect(iterations).toBe(abortAt);
  });
});

describe("expand", () => {
  const src = grass(120, 90, 7);

  it("returns the requested size with the source placed (centred by default) and untouched", () => {
    const out = expandImage(src, { width: 200, height: 130 }, { seed: 1 });
    expect([out.width, out.height]).toEqual([200, 130]);
    const ox = 40,
      oy = 20;
    let diff = 0;
    for (let y = 0; y < 90; y++)
      for (let x = 0; x < 120; x++) {
        const a = (y * 120 + x) * 4,
          b = ((y + oy) * 200 + x + ox) * 4;
        for (let c = 0; c < 4; c++) if (src.data[a + c] !== out.data[b + c]) diff++;
      }
    expect(diff).toBe(0);
    // the new area is generated and opaque
    expect(out.data[3]).toBe(255);
    expect(out.data[(129 * 200 + 199) * 4 + 3]).toBe(255);
  });

  it("places by alignment and by inset", () => {
    expect(placeSource(100, 50, 300, 200)).toEqual({ x: 100, y: 75, width: 100, height: 50 });
    expect(placeSource(100, 50, 300, 200, { alignment: { horizontal: "left", vertical: "bottom" } })).toEqual({ x: 0, y: 150, width: 100, height: 50 });
    expect(placeSource(100, 50, 300, 200, { inset: { left: 10, top: 20 } })).toEqual({ x: 10, y: 20, width: 100, height: 50 });
    expect(placeSource(100, 50, 300, 200, { inset: { right: 10, bottom: 5 } })).toEqual({ x: 190, y: 145, width: 100, height: 50 });
    // insets on both sides make a box; a source too big for it is scaled down to fit
    expect(placeSource(400, 100, 300, 200, { inset: { left: 50, right: 50 } })).toEqual({ x: 50, y: 75, width: 200, height: 50 });
  });

  it("with a mask, also regenerates the white parts of the placed source", () => {
    const mask = rectMask(200, 130, 0, 0, 100, 130); // left half white
    const out = expandImage(src, { width: 200, height: 130, mask }, { seed: 2 });
    expect([out.width, out.height]).toEqual([200, 130]);
    // right part of the source (under black mask) is untouched
    let diff = 0;
    for (let y = 0; y < 90; y++)
      for (let x = 60; x < 120; x++) {
        const a = (y * 120 + x) * 4,
          b = ((y + 20) * 200 + x + 40) * 4;
        for (let c = 0; c < 4; c++) if (src.data[a + c] !== out.data[b + c]) diff++;
      }
    expect(diff).toBe(0);
  });
});

describe("smooth base", () => {
  // Linear and x² − y², x·y terms: harmonic in the discrete sense too, so the membrane must reproduce them.
  const f = (x: number, y: number, c: number): number => (c === 0 ? 3 * x + 50 : c === 1 ? 200 - 2 * y : 0.01 * (x * x - y * y) + 0.02 * x * y);

  it("membrane: solves Laplace's equation across the hole, reproducing harmonic boundary data", () => {
    const w = 100,
      h = 80;
    const u = new Float32Array(w * h * 3),
      hole = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (x >= 20 && x < 80 && y >= 20 && y < 60) {
          hole[i] = 1;
          continue;
        }
        for (let c = 0; c < 3; c++) u[i * 3 + c] = f(x, y, c);
      }
    membrane(u, hole, w, h);
    let worst = 0;
    for (let i = 0; i < w * h; i++) if (hole[i]) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(u[i * 3 + c] - f(i % w, Math.floor(i / w), c)));
    expect(worst).toBeLessThan(0.05);
  });

  it("follows a linear ramp through the hole and next to it (a plain local mean would lag by the slope × the window's offset)", () => {
    const w = 240,
      h = 200;
    const img = new Float32Array(w * h * 3),
      hole = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (x >= 90 && x < 150 && y >= 70 && y < 130) hole[i] = 1;
        else for (let c = 0; c < 3; c++) img[i * 3 + c] = c === 0 ? 0.8 * x + 20 : c === 1 ? 150 - 0.5 * y : 0.3 * x + 0.4 * y;
      }
    const base = smoothBase({ w, h, img, hole }, 30);
    let worst = 0;
    for (let y = 40; y < 160; y++)
      for (let x = 60; x < 180; x++) {
        const i = y * w + x;
        const want = [0.8 * x + 20, 150 - 0.5 * y, 0.3 * x + 0.4 * y];
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(base[i * 3 + c] - want[c]));
      }
    expect(worst).toBeLessThan(1.5);
  });
});

describe("base scale chosen on held-out known pixels", () => {
  // The hole as the engine sees it: a 128² hole with 96 px of known context on every side.
  const crop = (img: { width: number; data: Uint8Array }) => {
    const n = 320,
      x0 = 104,
      y0 = 74;
    const lv = { w: n, h: n, img: new Float32Array(n * n * 3), hole: new Uint8Array(n * n) };
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const i = y * n + x;
        if (x >= 96 && x < 224 && y >= 96 && y < 224) {
          lv.hole[i] = 1;
          continue;
        }
        for (let c = 0; c < 3; c++) lv.img[i * 3 + c] = img.data[((y + y0) * img.width + x + x0) * 4 + c];
      }
    return lv;
  };
  const params = { ...DEFAULT_PARAMS, seed: 1 };

  it("takes the finer base where broad tonal variations run through the hole, and never the finer one on patterns", () => {
    expect(chooseBaseScale(crop(gradientNoise(512, 512, 3)), params)).toBe(DEFAULT_PARAMS.baseScale / 2);
    // On a pattern a finer base smears it; the default base or none at all are both fine.
    expect([DEFAULT_PARAMS.baseScale, 0]).toContain(chooseBaseScale(crop(stripes(512, 512, 1)), params));
    expect([DEFAULT_PARAMS.baseScale, 0]).toContain(chooseBaseScale(crop(bricks(512, 512, 2)), params));
  });

  it("fills with the chosen scale, and only known pixels decide it", () => {
    const img = gradientNoise(512, 512, 3);
    const m = rectMask(512, 512, 200, 170, 328, 298);
    const auto = fillImage(img, m, { seed: 2 });
    const fine = fillImage(img, m, { seed: 2, baseScale: DEFAULT_PARAMS.baseScale / 2, adaptiveBase: false });
    expect(Buffer.from(auto.data).equals(Buffer.from(fine.data))).toBe(true);
    // Scribbling over the hole changes nothing.
    const scribbled = clone(img);
    for (let i = 0; i < m.data.length; i++) if (m.data[i]) scribbled.data.fill(i % 251, i * 4, i * 4 + 3);
    expect(Buffer.from(fillImage(scribbled, m, { seed: 2 }).data).equals(Buffer.from(auto.data))).toBe(true);
  });
});
