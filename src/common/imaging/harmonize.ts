// Harmonize planning: what is read around an object layer, what it is checked for, and how a
// composited result becomes a layer masked to the object's footprint plus the reach of its shadow.
// Pure; the harmonize job kind (src/plugin/workflows/kinds/harmonize.ts) runs it.

import type { GrayImage, Rect, RGBAImage, Size } from "../host";
import type { FillGeometry } from "./context";
import type { LayerContent } from "./compose";
import { createGray, pasteGray } from "./image";
import { distanceToSeeds } from "./masks";
import { clampToCanvas, intersectRect, isEmptyRect, rectHeight, rectWidth, translateRect } from "./rect";
import { resampleGray, resampleRGBA, resampleRGBARegion } from "./resample";

/** Pixels around the footprint that the result layer also covers, so the harmonized edge blends. */
export const HARMONIZE_EDGE_PX = 2;

/** How far below the footprint a result may change pixels: the shadow's reach (a third of the object's height), or the edge only. */
export function shadowReach(footprint: Rect, castsShadow: boolean): number {
  return castsShadow ? Math.max(4, Math.ceil(rectHeight(footprint) / 3)) : HARMONIZE_EDGE_PX;
}

/** The area a result may change: the footprint, its edge and the shadow's reach below it, inside the canvas. */
export function harmonizeArea(doc: Size, footprint: Rect, reach: number): Rect {
  const e = HARMONIZE_EDGE_PX;
  return clampToCanvas({ left: footprint.left - e, top: footprint.top - e, right: footprint.right + e, bottom: footprint.bottom + Math.max(e, reach) }, doc);
}

/** What an object layer's pixels say about it: nothing there, nothing transparent, or fine. */
export function objectProblem(object: RGBAImage): "empty" | "opaque" | null {
  let any = false;
  let transparent = false;
  for (let p = 3; p < object.data.length; p += 4) {
    if (object.data[p] !== 0) any = true;
    if (object.data[p] !== 255) transparent = true;
    if (any && transparent) return null;
  }
  return any ? "opaque" : "empty";
}

/** Whether an image has no visible pixel at all. */
export function isBlank(img: RGBAImage): boolean {
  for (let p = 3; p < img.data.length; p += 4) if (img.data[p] !== 0) return false;
  return true;
}

/** The object's footprint: 255 wherever it has any alpha. */
export function footprintOf(object: RGBAImage): GrayImage {
  const out = createGray(object.width, object.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = object.data[i * 4 + 3] !== 0 ? 255 : 0;
  return out;
}

/** The alpha channel of an image as a grey image. */
export function alphaOf(img: RGBAImage): GrayImage {
  const out = createGray(img.width, img.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = img.data[i * 4 + 3];
  return out;
}

/** The images sent: the fill-area mask over the window at send size, the object and its alpha at the same scale. */
export interface HarmonizeSent {
  fillAreaMask: GrayImage;
  object: RGBAImage;
  objectMask: GrayImage;
}

/** The object (read over its footprint rectangle at document size) and where it goes, at the size sent. */
export function harmonizeSent(object: RGBAImage, footprintRect: Rect, g: FillGeometry): HarmonizeSent {
  const win = createGray(rectWidth(g.window), rectHeight(g.window));
  pasteGray(win, footprintOf(object), footprintRect.left - g.window.left, footprintRect.top - g.window.top);
  const fillAreaMask = resampleGray(win, g.sendSize.width, g.sendSize.height);
  for (let i = 0; i < fillAreaMask.data.length; i++) fillAreaMask.data[i] = fillAreaMask.data[i] >= 128 ? 255 : 0;
  const w = Math.max(1, Math.round(rectWidth(footprintRect) * g.scaleX));
  const h = Math.max(1, Math.round(rectHeight(footprintRect) * g.scaleY));
  const sent = object.width === w && object.height === h ? object : resampleRGBA(object, w, h);
  return { fillAreaMask, object: sent, objectMask: alphaOf(sent) };
}

/**
 * One result as layer content over the harmonize area (inside the window): the footprint fully
 * revealed, fading out linearly over `reach` pixels around it; nothing outside the area.
 */
export function composeHarmonize(result: RGBAImage, g: FillGeometry, footprint: { bounds: Rect; mask: GrayImage }, area: Rect, reach: number): LayerContent {
  const rect = intersectRect(area, g.window);
  if (isEmptyRect(rect)) throw new Error("the harmonize area is empty");
  const win = g.window;
  const pixels = resampleRGBARegion(result, rectWidth(win), rectHeight(win), translateRect(rect, -win.left, -win.top));
  const w = rectWidth(rect);
  const h = rectHeight(rect);
  const seeds = createGray(w, h);
  pasteGray(seeds, footprint.mask, footprint.bounds.left - rect.left, footprint.bounds.top - rect.top);
  const d = distanceToSeeds(w, h, (i) => seeds.data[i] !== 0);
  const mask = createGray(w, h);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = d[i] === 0 ? 255 : d[i] > reach ? 0 : Math.round(255 * (1 - d[i] / (reach + 1)));
  return { rect, pixels, mask };
}
