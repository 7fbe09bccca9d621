// Seam removal for a completed hole (gradient-domain blending, Pérez et al. 2003, with the
// completion's own gradients as the guidance field inside the hole).
//
// The completed pixels keep their gradients; what changes is a smooth offset: the solution of
// Laplace's equation on the hole whose boundary values are the step between each known pixel of
// the hole's outer ring and the completed pixels next to it. Adding it makes the colour continue
// across the edge, so the hole's outline does not show, while the texture inside is untouched
// apart from that slow offset.

import { membrane } from "./base";
import type { Level } from "./pyramid";

/** Remove the step at the hole's edge from `lv.img` (hole pixels only; known pixels are not written). */
export function blendSeam(lv: Level): void {
  const { w, h, img, hole } = lv;
  // Work on the hole's bounding box grown by one pixel, so that it holds the whole outer ring.
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!hole[y * w + x]) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return;
  x0 = Math.max(0, x0 - 1); y0 = Math.max(0, y0 - 1);
  x1 = Math.min(w - 1, x1 + 1); y1 = Math.min(h - 1, y1 + 1);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  // Ring pixels (known, with a hole neighbour) carry the step; everything else in the box is solved.
  const step = new Float32Array(bw * bh * 3);
  const free = new Uint8Array(bw * bh).fill(1);
  let ring = 0;
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    const i = (y + y0) * w + (x + x0);
    if (hole[i]) continue;
    let r = 0, g = 0, b = 0, n = 0;
    const gx = x + x0, gy = y + y0;
    for (const j of [gx > 0 ? i - 1 : -1, gx < w - 1 ? i + 1 : -1, gy > 0 ? i - w : -1, gy < h - 1 ? i + w : -1]) {
      if (j < 0 || !hole[j]) continue;
      r += img[j * 3]; g += img[j * 3 + 1]; b += img[j * 3 + 2]; n++;
    }
    if (n === 0) continue;
    const o = (y * bw + x) * 3;
    step[o] = img[i * 3] - r / n; step[o + 1] = img[i * 3 + 1] - g / n; step[o + 2] = img[i * 3 + 2] - b / n;
    free[y * bw + x] = 0;
    ring++;
  }
  if (ring === 0) return;
  membrane(step, free, bw, bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    const i = (y + y0) * w + (x + x0);
    if (!hole[i]) continue;
    const o = (y * bw + x) * 3;
    img[i * 3] += step[o]; img[i * 3 + 1] += step[o + 1]; img[i * 3 + 2] += step[o + 2];
  }
}
