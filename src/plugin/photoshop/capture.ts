// Phase 1 — capture. Short modal scopes that read pixels with the imaging API and dispose every
// PhotoshopImageData in `finally`. Nothing here waits on anything but Photoshop.

import { imaging } from "photoshop";
import type { Document } from "photoshop/dom/Document";
import type { imaging as Imaging } from "photoshop/dom/ImagingModule";
import { HostError, type CompositeRequest, type Rect, type RGBAImage, type SelectionMask, type Size } from "../../common/host";
import { requireDocument, snapshot } from "./documents";
import { runModal, type ModalSettings } from "./modal";
import { clampToCanvas, isAllZero, isEmptyRect, placeGray, placeInto, rectHeight, rectWidth, toRGBA, transparentImage } from "./pixels";

export const SRGB = "sRGB IEC61966-2.1";

type ImageData = Imaging.PhotoshopImageData;

/** Feature check: `imaging` is undefined before Photoshop 24.4. */
export function requireImaging(): typeof imaging {
  if (!imaging) {
    throw new HostError("unsupported_document", "This Photoshop is too old for Infill (it needs the Imaging API, Photoshop 26 or later).");
  }
  return imaging;
}

async function bytesOf(img: ImageData): Promise<Uint8Array> {
  // The d.ts requires the options argument (TS2554 without it).
  const data = await img.getData({ chunky: true });
  if (!(data instanceof Uint8Array)) {
    throw new HostError("capture_failed", "Photoshop returned pixels in an unexpected format.", `componentSize ${img.componentSize}`);
  }
  return data;
}

/**
 * Where the returned pixels sit in document coordinates. The docs say `sourceBounds` is relative to the
 * pyramid level used (`level` 0 = full size, 1 = half, …). If scaling it by 2^level lands outside the
 * canvas, Photoshop evidently reported document coordinates; use them as they are.
 */
export function documentRectOf(sourceBounds: Rect, level: number | undefined, canvas: Size): Rect {
  const f = level && level > 0 ? 2 ** level : 1;
  const scaled = { left: sourceBounds.left * f, top: sourceBounds.top * f, right: sourceBounds.right * f, bottom: sourceBounds.bottom * f };
  const slack = f; // rounding at a pyramid level
  const fits = scaled.left >= -slack && scaled.top >= -slack && scaled.right <= canvas.width + slack && scaled.bottom <= canvas.height + slack;
  return fits ? scaled : sourceBounds;
}

export async function readComposite(docId: number, request: CompositeRequest, settings: ModalSettings): Promise<RGBAImage> {
  const im = requireImaging();
  return runModal(
    "Infill: reading pixels",
    async ({ checkpoint }) => {
      // Any mode and depth may be read (a reference can come from a CMYK or 16-bit document): Photoshop
      // converts to the 8-bit sRGB we ask for. Writing is where unsupported documents are refused.
      const doc = requireDocument(docId);
      const snap = snapshot(doc);
      const canvas = { width: snap.width, height: snap.height };
      const window: Rect = request.window ?? { left: 0, top: 0, right: canvas.width, bottom: canvas.height };
      if (isEmptyRect(window)) throw new HostError("capture_failed", "Nothing to read: the requested area is empty.");
      const outSize: Size = request.targetSize ?? { width: rectWidth(window), height: rectHeight(window) };
      const out = transparentImage(outSize.width, outSize.height);
      const inside = clampToCanvas(window, canvas);
      if (isEmptyRect(inside)) return out; // the window lies entirely outside the canvas

      // Ask Photoshop for the in-canvas part at the output scale (it may read a cached pyramid level).
      const scaleX = outSize.width / rectWidth(window);
      const scaleY = outSize.height / rectHeight(window);
      const wantW = Math.max(1, Math.round(rectWidth(inside) * scaleX));
      const wantH = Math.max(1, Math.round(rectHeight(inside) * scaleY));
      const downscale = wantW < rectWidth(inside) || wantH < rectHeight(inside);

      const result = await im.getPixels({
        documentID: doc.id,
        ...(request.layerId !== undefined ? { layerID: request.layerId } : {}),
        sourceBounds: inside,
        ...(downscale ? { targetSize: { width: wantW, height: wantH } } : {}),
        colorSpace: "RGB",
        colorProfile: SRGB,
        componentSize: 8,
      });
      try {
        checkpoint();
        const img = result.imageData;
        if (img.width === 0 || img.height === 0) return out; // fully transparent: trimmed to nothing
        const rgba = toRGBA(await bytesOf(img), img.width, img.height, img.components);
        const at = downscale ? documentRectOf(result.sourceBounds, result.level, canvas) : result.sourceBounds;
        if (isEmptyRect(at)) return out;
        return placeInto(rgba, at, window, outSize, out);
      } finally {
        await result.imageData.dispose();
      }
    },
    { failCode: "capture_failed", failMessage: "Infill could not read the document's pixels.", settings },
  );
}

function selectionBounds(doc: Document): Rect | null | undefined {
  try {
    return doc.selection.bounds; // PS 25.0+: null = nothing selected
  } catch {
    return undefined; // not available: ask getSelection for the whole selection instead
  }
}

export async function readSelection(docId: number, settings: ModalSettings): Promise<SelectionMask | null> {
  const im = requireImaging();
  return runModal(
    "Infill: reading the selection",
    async ({ checkpoint }) => {
      const doc = requireDocument(docId);
      const canvas = { width: Math.round(doc.width), height: Math.round(doc.height) };
      const raw = selectionBounds(doc);
      if (raw === null) return null;
      // Selection bounds may extend past the canvas: clamp before using them as sourceBounds.
      const bounds = raw ? clampToCanvas(raw, canvas) : { left: 0, top: 0, right: canvas.width, bottom: canvas.height };
      if (isEmptyRect(bounds)) return null;
      let result: Imaging.GetSelectionResult;
      try {
        result = await im.getSelection({ documentID: doc.id, sourceBounds: bounds });
      } catch (e) {
        // Behaviour with no selection is undocumented (throw or empty); with bounds known, rethrow.
        if (raw === undefined) return null;
        throw e;
      }
      try {
        checkpoint();
        const img = result.imageData;
        if (img.width === 0 || img.height === 0) return null;
        const got = clampToCanvas(result.sourceBounds, canvas);
        const src = await bytesOf(img);
        const mask = placeGray(src, { left: got.left, top: got.top, right: got.left + img.width, bottom: got.top + img.height }, img.components, bounds);
        if (isAllZero(mask.data)) return null;
        return { bounds, mask };
      } finally {
        await result.imageData.dispose();
      }
    },
    { failCode: "capture_failed", failMessage: "Infill could not read the selection.", settings },
  );
}
