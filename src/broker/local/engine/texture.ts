// Texture features for patch matching (after Newson et al. 2014, "Video inpainting of complex
// scenes"): each pixel carries the local mean of its luminance gradient's magnitude, measured on the
// finest image and averaged down the pyramid. Colour alone prefers a smooth source patch to a
// textured one whose pattern is out of phase (its mean is closer), and at coarse levels two
// textures of the same mean colour look alike; the feature keeps a textured area (cobbles) from
// being completed with a smooth one (worn asphalt) that happens to sit nearby.

/** Box radius (pixels) over which the gradient magnitude is averaged at the finest level. */
const BOX = 2;

/**
 * Mean |∂x L| + |∂y L| (L = mean of R, G, B) over a (2·BOX+1)² box of known pixels, for every
 * pixel with a known one in its box; 0 elsewhere. A difference counts only where both of its
 * pixels are known.
 */
export function textureFeature(img: Float32Array, hole: Uint8Array, w: number, h: number): Float32Array {
  const n = w * h;
  const lum = new Float32Array(n);
  for (let i = 0; i < n; i++) lum[i] = (img[i * 3] + img[i * 3 + 1] + img[i * 3 + 2]) / 3;
  const g = new Float32Array(n);
  const ok = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (hole[i]) continue;
      let s = 0,
        m = 0;
      if (x + 1 < w && !hole[i + 1]) {
        s += Math.abs(lum[i + 1] - lum[i]);
        m++;
      } else if (x > 0 && !hole[i - 1]) {
        s += Math.abs(lum[i] - lum[i - 1]);
        m++;
      }
      if (y + 1 < h && !hole[i + w]) {
        s += Math.abs(lum[i + w] - lum[i]);
        m++;
      } else if (y > 0 && !hole[i - w]) {
        s += Math.abs(lum[i] - lum[i - w]);
        m++;
      }
      if (m === 0) continue;
      g[i] = (s * 2) / m;
      ok[i] = 1;
    }
  }
  return boxMeanKnown(g, ok, w, h, BOX);
}

/** Mean of `v` over the known (`ok`) pixels of each (2r+1)² box (separable running sums); 0 where none. */
function boxMeanKnown(v: Float32Array, ok: Uint8Array, w: number, h: number, r: number): Float32Array {
  const sv = new Float32Array(w * h);
  const sn = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    let a = 0,
      c = 0;
    const row = y * w;
    for (let x = -r; x < w; x++) {
      const xin = x + r;
      if (xin < w) {
        a += v[row + xin];
        c += ok[row + xin];
      }
      const xout = x - r - 1;
      if (xout >= 0) {
        a -= v[row + xout];
        c -= ok[row + xout];
      }
      if (x >= 0) {
        sv[row + x] = a;
        sn[row + x] = c;
      }
    }
  }
  const out = new Float32Array(w * h);
  for (let x = 0; x < w; x++) {
    let a = 0,
      c = 0;
    for (let y = -r; y < h; y++) {
      const yin = y + r;
      if (yin < h) {
        a += sv[yin * w + x];
        c += sn[yin * w + x];
      }
      const yout = y - r - 1;
      if (yout >= 0) {
        a -= sv[yout * w + x];
        c -= sn[yout * w + x];
      }
      if (y >= 0 && c > 0.5) out[y * w + x] = a / c;
    }
  }
  return out;
}

/**
 * Halve a feature map as `downsampleLevel` halves the image: each coarse pixel averages its known
 * children (`hole` is the finer level's).
 */
export function downsampleTexture(tex: Float32Array, hole: Uint8Array, w: number, h: number): Float32Array {
  const w2 = (w + 1) >> 1,
    h2 = (h + 1) >> 1;
  const out = new Float32Array(w2 * h2);
  for (let y = 0; y < h2; y++) {
    for (let x = 0; x < w2; x++) {
      let s = 0,
        n = 0;
      for (let dy = 0; dy < 2; dy++) {
        const sy = 2 * y + dy;
        if (sy >= h) continue;
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx;
          if (sx >= w || hole[sy * w + sx]) continue;
          s += tex[sy * w + sx];
          n++;
        }
      }
      if (n > 0) out[y * w2 + x] = s / n;
    }
  }
  return out;
}
