// A tiled Native-detail fill or expansion, the pure parts: the tiles of the detail plan as the job
// runs them (each its own context window, mask, seeds and upscale; an expansion's read from the
// original where the window holds it, or, for a tile whose window holds none of the original, composed
// from the results of the tiles nearer the original, once per variation), and the blend of the tiles' results into one
// result per variation, with weights feathered linearly across each overlap so neighbouring tiles
// meet without a seam (any layout of overlapping rectangles, not only a grid).

import { SEED_MAX } from "../../common/firefly";
import type { GrayImage, Rect, RGBAImage, SelectionMask } from "../../common/host";
import type { FillGeometry } from "../../common/imaging/context";
import type { DetailPlan, UpscaleStep } from "../../common/imaging/detail";
import { originalRect, type ExpandGeometry } from "../../common/imaging/expand";
import { createGray, createRGBA, cropGray, cropRGBA, pasteGray, pasteRGBA } from "../../common/imaging/image";
import { expandMask, hardMask } from "../../common/imaging/masks";
import { intersectRect, isEmptyRect, rectHeight, rectWidth, translateRect } from "../../common/imaging/rect";
import { resampleGray, resampleRGBA } from "../../common/imaging/resample";

/** One tile of a tiled fill, as stored with the job's request. */
export interface FillTile {
  /** The part of the selection's extent this tile generates (document pixels). */
  rect: Rect;
  /** Its own context window and the Firefly size it is sent at. */
  geometry: FillGeometry;
  /** The document pixels its result is read for: its part of the selection plus the blend band, inside its window. */
  placeRect: Rect;
  /** The upscale that brings its result to native size; absent when it is generated at native size. */
  upscale?: UpscaleStep;
  /** One per variation of the job, derived from the job's seeds (see tileSeeds); one only for a tile of one `variation`. */
  seeds: number[];
  /** Set on a tile sent for one variation of the job only: that variation's index. */
  variation?: number;
  /**
   * The tiles whose results (for this tile's variation) its source holds: it is sent once they are
   * finished. Absent on a tile whose context is read from the document when the job is captured.
   */
  dependsOn?: number[];
}

/** A step between tiles' seeds that keeps every tile's seeds apart from its neighbours'. */
const SEED_STEP = 7_919_111;

/** Tile `index`'s seeds: the job's, shifted by a fixed step per tile (tile 0 keeps the job's), so a re-run is exact. */
export function tileSeeds(seeds: readonly number[], index: number): number[] {
  return seeds.map((s) => (s + index * SEED_STEP) % SEED_MAX);
}

/**
 * The tiles of a Native-detail plan that needs more than one fill. A part that sees other parts'
 * results (level > 0, see contextLevels) becomes one tile per variation, each depending on the tiles
 * of that variation whose results its window holds.
 */
export function fillTiles(plan: DetailPlan, seeds: readonly number[]): FillTile[] {
  const tiles: FillTile[] = [];
  const ofPart: number[][] = [];
  plan.parts.forEach((p, i) => {
    const base = { rect: { ...p.geometry.selection }, geometry: p.geometry, placeRect: p.placeRect, ...(p.upscale ? { upscale: p.upscale } : {}) };
    const partSeeds = tileSeeds(seeds, i);
    if (!p.level) {
      ofPart.push([tiles.length]);
      tiles.push({ ...base, seeds: partSeeds });
      return;
    }
    const seen = plan.parts.flatMap((q, k) => (k < i && (q.level ?? 0) < p.level! && !isEmptyRect(intersectRect(q.placeRect, p.geometry.window)) ? [k] : []));
    ofPart.push(partSeeds.map((_, v) => tiles.length + v));
    partSeeds.forEach((seed, v) =>
      tiles.push({ ...base, seeds: [seed], variation: v, dependsOn: seen.map((k) => ofPart[k][Math.min(v, ofPart[k].length - 1)]) }),
    );
  });
  return tiles;
}

/** The upscales a job's tiles ask for: one per result of each tile that is upscaled. */
export function tileUpscales(tiles: readonly FillTile[]): number {
  return tiles.reduce((n, t) => n + (t.upscale ? t.seeds.length : 0), 0);
}

/** Which of a tile's results is variation `v`'s, or null when the tile is another variation's. */
export function tileResultIndex(tile: FillTile, v: number): number | null {
  if (tile.variation === undefined) return v;
  return tile.variation === v ? 0 : null;
}

/** The mask a tile sends: the selection inside the tile's rectangle, in the tile's window, at its send size. */
export function tileSendMask(selection: SelectionMask, tile: FillTile): GrayImage {
  const { window, sendSize } = tile.geometry;
  const inTile = intersectRect(tile.rect, selection.bounds);
  const mask = createGray(rectWidth(window), rectHeight(window));
  if (rectWidth(inTile) > 0 && rectHeight(inTile) > 0) {
    const part = hardMask(cropGray(selection.mask, inTile, selection.bounds.left, selection.bounds.top));
    pasteGray(mask, part, inTile.left - window.left, inTile.top - window.top);
  }
  return resampleGray(mask, sendSize.width, sendSize.height);
}

/** One tile's result for one variation: its placed pixels over its `placeRect` (document pixels, tone applied). */
export interface TileContribution {
  rect: Rect;
  placeRect: Rect;
  pixels: RGBAImage;
}

/** How far each side of `tile` is feathered: the overlap with the tile across it, 0 on a side no tile crosses. */
export interface Feather {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The feather of each side of `tiles[i]`: as deep as the overlap with the tiles that cross that side. */
export function feathers(tiles: readonly Rect[], i: number): Feather {
  const t = tiles[i];
  const f: Feather = { left: 0, top: 0, right: 0, bottom: 0 };
  tiles.forEach((o, k) => {
    if (k === i) return;
    const overlapX = o.left < t.right && o.right > t.left;
    const overlapY = o.top < t.bottom && o.bottom > t.top;
    if (!overlapX || !overlapY) return;
    if (o.left < t.left && o.right > t.left && o.right < t.right) f.left = Math.max(f.left, o.right - t.left);
    if (o.right > t.right && o.left < t.right && o.left > t.left) f.right = Math.max(f.right, t.right - o.left);
    if (o.top < t.top && o.bottom > t.top && o.bottom < t.bottom) f.top = Math.max(f.top, o.bottom - t.top);
    if (o.bottom > t.bottom && o.top < t.bottom && o.top > t.top) f.bottom = Math.max(f.bottom, t.bottom - o.top);
  });
  return f;
}

/**
 * The weight of a tile along one axis at pixel `p` (its centre at p + 0.5): 0 → 1 across a feathered
 * low side, 1 → 0 across a feathered high side, 1 elsewhere (also past an unfeathered side: the band
 * past the selection's extent), 0 past a feathered side.
 */
export function axisWeight(p: number, lo: number, hi: number, featherLo: number, featherHi: number): number {
  const c = p + 0.5;
  let w = 1;
  if (featherLo > 0) w = Math.min(w, Math.max(0, Math.min(1, (c - lo) / featherLo)));
  if (featherHi > 0) w = Math.min(w, Math.max(0, Math.min(1, (hi - c) / featherHi)));
  return w;
}

/**
 * The tiles' results for one variation blended into `frame` (document pixels): each pixel the
 * weighted mean of the tiles that cover it; a pixel no tile covers stays transparent.
 */
export function blendTiles(frame: Rect, parts: readonly TileContribution[]): RGBAImage {
  const w = rectWidth(frame);
  const h = rectHeight(frame);
  const out = createRGBA(w, h);
  const rects = parts.map((p) => p.rect);
  // Per tile: the part of the frame it covers and its weights along x (those along y are per row).
  const tiles = parts.map((part, i) => {
    const f = feathers(rects, i);
    const t = part.rect;
    const r = intersectRect(part.placeRect, frame);
    const wx = new Float64Array(Math.max(0, rectWidth(r)));
    for (let x = r.left; x < r.right; x++) wx[x - r.left] = axisWeight(x, t.left, t.right, f.left, f.right);
    return { part, f, r, wx };
  });
  // One row at a time, so the sums take a row's memory, not the frame's.
  const acc = new Float64Array(w * 3);
  const sum = new Float64Array(w);
  for (let y = frame.top; y < frame.bottom; y++) {
    acc.fill(0);
    sum.fill(0);
    for (const { part, f, r, wx } of tiles) {
      if (y < r.top || y >= r.bottom) continue;
      const wy = axisWeight(y, part.rect.top, part.rect.bottom, f.top, f.bottom);
      if (wy === 0) continue;
      const row = (y - part.placeRect.top) * part.pixels.width - part.placeRect.left;
      for (let x = r.left; x < r.right; x++) {
        const wt = wy * wx[x - r.left];
        if (wt === 0) continue;
        const o = x - frame.left;
        const s = (row + x) * 4;
        sum[o] += wt;
        acc[o * 3] += wt * part.pixels.data[s];
        acc[o * 3 + 1] += wt * part.pixels.data[s + 1];
        acc[o * 3 + 2] += wt * part.pixels.data[s + 2];
      }
    }
    const base = (y - frame.top) * w * 4;
    for (let o = 0; o < w; o++) {
      if (sum[o] === 0) continue;
      const p = base + o * 4;
      out.data[p] = Math.round(acc[o * 3] / sum[o]);
      out.data[p + 1] = Math.round(acc[o * 3 + 1] / sum[o]);
      out.data[p + 2] = Math.round(acc[o * 3 + 2] / sum[o]);
      out.data[p + 3] = 255;
    }
  }
  return out;
}

/** The geometry a blended result is placed with: `frame` at 1:1. */
export function frameGeometry(selection: Rect, frame: Rect): FillGeometry {
  return {
    selection: { ...selection },
    window: { ...frame },
    sendSize: { width: rectWidth(frame), height: rectHeight(frame) },
    scaleX: 1,
    scaleY: 1,
    anisotropy: 0,
  };
}

/** A tile's broker job, the upscales of its results under way, and whether its results are stored. */
export interface TileProgress {
  /** Absent for a tile never sent, because a tile it sees came back unreadable for its variation. */
  remoteJobId?: string;
  upscaleJobIds?: string[];
  done?: boolean;
  /** Its results (by index) that the service returned unreadable or not at all: their variations are left out. */
  unreadable?: number[];
}

/** The variations (by index) a tiled job leaves out: those with any tile's result unreadable. */
export function droppedVariations(tiles: readonly FillTile[], progress: readonly TileProgress[], variations: number): number[] {
  const dropped: number[] = [];
  for (let v = 0; v < variations; v++) {
    const lost = tiles.some((tile, t) => {
      const r = tileResultIndex(tile, v);
      return r !== null && (progress[t]?.unreadable ?? []).includes(r);
    });
    if (lost) dropped.push(v);
  }
  return dropped;
}

/** Where an expansion tile's window reads the original: the part inside the original (original's coordinates) and where it lands at send size. */
export interface ExpandTileRead {
  /** The part of the window inside the original, in the original document's coordinates; null when the window holds none of it. */
  window: Rect | null;
  /** The part's size and place in the tile's send-size image. */
  at: Rect;
}

/** Where `r` (document pixels, inside the tile's window) lands in the tile's send-size image. */
function atSendSize(tile: FillTile, r: Rect): Rect {
  const { window: w, sendSize } = tile.geometry;
  const sx = sendSize.width / rectWidth(w);
  const sy = sendSize.height / rectHeight(w);
  return {
    left: Math.round((r.left - w.left) * sx),
    top: Math.round((r.top - w.top) * sy),
    right: Math.round((r.right - w.left) * sx),
    bottom: Math.round((r.bottom - w.top) * sy),
  };
}

/** See ExpandTileRead. */
export function expandTileRead(g: ExpandGeometry, tile: FillTile): ExpandTileRead {
  const clip = intersectRect(tile.geometry.window, originalRect(g));
  const at = atSendSize(tile, clip);
  if (isEmptyRect(clip) || isEmptyRect(at)) return { window: null, at };
  return { window: translateRect(clip, -g.insets.left, -g.insets.top), at };
}

/** An expansion tile's source at send size: the original's part where it lies, transparent over the new area. */
export function expandTileSource(tile: FillTile, read: ExpandTileRead, part: RGBAImage | null): RGBAImage {
  const out = createRGBA(tile.geometry.sendSize.width, tile.geometry.sendSize.height);
  if (part) pasteRGBA(out, part, read.at.left, read.at.top);
  return out;
}

/** A finished tile's result a later tile sees: its document rectangle and pixels. */
export interface TileContext {
  placeRect: Rect;
  pixels: RGBAImage;
}

/**
 * The source of a tile that depends on others, at send size: each of their results where the tile's
 * window holds it (in `dependsOn` order, a later one over an earlier), transparent elsewhere.
 */
export function dependentTileSource(tile: FillTile, seen: readonly TileContext[]): RGBAImage {
  const out = createRGBA(tile.geometry.sendSize.width, tile.geometry.sendSize.height);
  for (const c of seen) {
    const r = intersectRect(c.placeRect, tile.geometry.window);
    const at = atSendSize(tile, r);
    if (isEmptyRect(r) || isEmptyRect(at)) continue;
    const part = cropRGBA(c.pixels, r, c.placeRect.left, c.placeRect.top);
    pasteRGBA(out, resampleRGBA(part, rectWidth(at), rectHeight(at)), at.left, at.top);
  }
  return out;
}

/**
 * An expansion tile's mask at its send size: every pixel of the new area in its window that neither
 * the original nor the results of the tiles it sees (`seen`, their document rectangles) hold.
 */
export function expandTileMask(g: ExpandGeometry, tile: FillTile, seen: readonly Rect[] = []): GrayImage {
  const { window: w, sendSize } = tile.geometry;
  const o = translateRect(originalRect(g), -w.left, -w.top);
  const mask = expandMask(rectWidth(w), rectHeight(w), o);
  for (const s of seen) {
    const r = translateRect(intersectRect(s, w), -w.left, -w.top);
    if (isEmptyRect(r)) continue;
    for (let y = r.top; y < r.bottom; y++) mask.data.fill(0, y * mask.width + r.left, y * mask.width + r.right);
  }
  return resampleGray(mask, sendSize.width, sendSize.height);
}
