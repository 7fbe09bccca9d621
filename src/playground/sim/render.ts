// Compositing the simulated document: visible pixel layers bottom to top, each through its own and its
// groups' masks, in normalised floats one row at a time, out as 8-bit sRGB RGBA. Outside the canvas
// is transparent. Also the PNG of the composite for the playground's export.

import type { Rect, RGBAImage } from "../../common/host";
import { encodeRGBAPng } from "../../common/imaging/codecs";
import { isEffectivelyVisible, masksOf, type DocState, type SimLayer, type SimMask } from "./state";
import { MAX16, sampleToUnit, type Depth } from "./pixels";

interface Prepared {
  layer: SimLayer;
  masks: SimMask[];
}

/** The layers to draw, bottom first: one layer (`only`), or the visible ones (only those under `below`, when given). */
function prepare(state: DocState, only?: number, below?: number): Prepared[] {
  const out: Prepared[] = [];
  const limit = below === undefined ? -1 : state.layers.findIndex((l) => l.id === below);
  for (let i = state.layers.length - 1; i > limit; i--) {
    const l = state.layers[i];
    if (l.kind !== "pixel" || !l.data) continue;
    if (only !== undefined) {
      if (l.id === only) out.push({ layer: l, masks: [] });
      continue;
    }
    if (!isEffectivelyVisible(state.layers, l)) continue;
    out.push({ layer: l, masks: masksOf(state.layers, l) });
  }
  return out;
}

/**
 * The composite (or one layer's pixels, unmasked, when `layerId` is given; or the composite of the
 * visible layers under the layer `below`) over `window`, 8-bit RGBA.
 */
export function renderWindow(state: DocState, depth: Depth, window: Rect, layerId?: number, below?: number): RGBAImage {
  const w = window.right - window.left;
  const h = window.bottom - window.top;
  const out = new Uint8Array(w * h * 4);
  const layers = prepare(state, layerId, below);
  // A flat 8-bit document read inside its canvas is a plain copy (as Photoshop's native read is fast).
  if (layers.length === 1 && depth === 8 && layers[0].masks.length === 0 && layerId === undefined) {
    const l = layers[0].layer;
    if (
      window.left >= Math.max(0, l.left) &&
      window.top >= Math.max(0, l.top) &&
      window.right <= Math.min(state.width, l.left + l.width) &&
      window.bottom <= Math.min(state.height, l.top + l.height)
    ) {
      const src = l.data as Uint8Array;
      for (let y = window.top; y < window.bottom; y++) {
        const s = ((y - l.top) * l.width + (window.left - l.left)) * 4;
        out.set(src.subarray(s, s + w * 4), (y - window.top) * w * 4);
      }
      for (let p = 3; p < out.length; p += 4) if (out[p] !== 255 && out[p] !== 0) return renderSlow(state, depth, window, layers, layerId, w, h);
      return { width: w, height: h, data: out };
    }
  }
  return renderSlow(state, depth, window, layers, layerId, w, h);
}

function renderSlow(state: DocState, depth: Depth, window: Rect, layers: Prepared[], layerId: number | undefined, w: number, h: number): RGBAImage {
  const out = new Uint8Array(w * h * 4);
  const row = new Float32Array(w * 4);
  for (let y = window.top; y < window.bottom; y++) {
    row.fill(0);
    const inCanvasY = y >= 0 && y < state.height;
    for (const { layer, masks } of layers) {
      const ly = y - layer.top;
      if (ly < 0 || ly >= layer.height) continue;
      const x0 = Math.max(window.left, layer.left, layerId === undefined ? 0 : -Infinity);
      const x1 = Math.min(window.right, layer.left + layer.width, layerId === undefined ? state.width : Infinity);
      if (layerId === undefined && !inCanvasY) continue;
      const data = layer.data!;
      const inv = depth === 8 ? 1 / 255 : depth === 16 ? 1 / MAX16 : 0;
      const maskRows = masks.map((m) => ({ m, my: y - m.top }));
      for (let x = x0; x < x1; x++) {
        const p = (ly * layer.width + (x - layer.left)) * 4;
        let a = inv ? data[p + 3] * inv : sampleToUnit(depth, data[p + 3], true);
        for (let k = 0; k < maskRows.length && a !== 0; k++) {
          const { m, my } = maskRows[k];
          const mx = x - m.left;
          a = my < 0 || my >= m.height || mx < 0 || mx >= m.width ? 0 : a * (m.data[my * m.width + mx] / 255);
        }
        if (a === 0) continue;
        const o = (x - window.left) * 4;
        const r = inv ? data[p] * inv : sampleToUnit(depth, data[p], false);
        const g = inv ? data[p + 1] * inv : sampleToUnit(depth, data[p + 1], false);
        const b = inv ? data[p + 2] * inv : sampleToUnit(depth, data[p + 2], false);
        const da = row[o + 3];
        const oa = a + da * (1 - a);
        if (a === 1 || da === 0) {
          row[o] = r;
          row[o + 1] = g;
          row[o + 2] = b;
        } else {
          row[o] = (r * a + row[o] * da * (1 - a)) / oa;
          row[o + 1] = (g * a + row[o + 1] * da * (1 - a)) / oa;
          row[o + 2] = (b * a + row[o + 2] * da * (1 - a)) / oa;
        }
        row[o + 3] = oa;
      }
    }
    const base = (y - window.top) * w * 4;
    for (let i = 0; i < w * 4; i += 4) {
      const a = row[i + 3];
      if (a === 0) continue;
      out[base + i] = Math.round(row[i] * 255);
      out[base + i + 1] = Math.round(row[i + 1] * 255);
      out[base + i + 2] = Math.round(row[i + 2] * 255);
      out[base + i + 3] = Math.round(a * 255);
    }
  }
  return { width: w, height: h, data: out };
}

/** Bounds of a layer's non-transparent pixels (Photoshop's layer bounds), in document pixels. */
export function contentBounds(layer: SimLayer, depth: Depth): Rect {
  if (!layer.data) return { left: 0, top: 0, right: 0, bottom: 0 };
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let y = 0; y < layer.height; y++) {
    for (let x = 0; x < layer.width; x++) {
      if (layer.data[(y * layer.width + x) * 4 + 3] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  void depth;
  if (right < left) return { left: 0, top: 0, right: 0, bottom: 0 };
  return { left: layer.left + left, top: layer.top + top, right: layer.left + right + 1, bottom: layer.top + bottom + 1 };
}

export function renderPng(state: DocState, depth: Depth): Uint8Array {
  return encodeRGBAPng(renderWindow(state, depth, { left: 0, top: 0, right: state.width, bottom: state.height }));
}
