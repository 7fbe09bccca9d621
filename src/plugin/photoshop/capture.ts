// Capture, a job's first step. A job's reads of one document happen in ONE short modal scope (`readCapture`):
// pixels and selection via the imaging API, every PhotoshopImageData disposed in `finally`. Nothing
// here waits on anything but Photoshop. Single reads (thumbnails, tests) get a scope of their own.

import { imaging } from "photoshop";
import type { Document } from "photoshop/dom/Document";
import type { imaging as Imaging } from "photoshop/dom/ImagingModule";
import {
  HostError,
  type CaptureRequest,
  type CaptureResult,
  type CompositeRequest,
  type Rect,
  type RGBAImage,
  type SelectionMask,
  type Size,
} from "../../common/host";
import { readBelow } from "./below";
import { requireDocument, snapshot } from "./documents";
import { runModal, type ModalScope, type ModalSettings } from "./modal";
import {
  clampToCanvas,
  isAllZero,
  isEmptyRect,
  nonZeroBounds,
  placeGray,
  placeInto,
  rectHeight,
  rectWidth,
  toRGBA,
  transparentImage,
  unionRect,
} from "./pixels";

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

/** Reads one composite (or layer) window inside an open modal scope; the buffer is disposed in `finally`. */
async function compositeIn(im: typeof imaging, doc: Document, request: CompositeRequest, checkpoint: () => void): Promise<RGBAImage> {
  // Any mode and depth may be read (a reference can come from a CMYK or 16-bit document): Photoshop
  // converts to the 8-bit sRGB we ask for. Writing is where unsupported documents are refused.
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
}

/** One composite request inside a modal scope: a window of the document or a layer, or of what lies under a layer. */
async function readIn(im: typeof imaging, doc: Document, request: CompositeRequest, scope: ModalScope): Promise<RGBAImage> {
  const { below, ...rest } = request;
  const read = () => compositeIn(im, doc, rest, scope.checkpoint);
  return below === undefined ? read() : readBelow(scope, doc, below, read);
}

export async function readComposite(docId: number, request: CompositeRequest, settings: ModalSettings): Promise<RGBAImage> {
  const im = requireImaging();
  return runModal("Infill: reading pixels", async (scope) => readIn(im, requireDocument(docId), request, scope), {
    failCode: "capture_failed",
    failMessage: "Infill could not read the document's pixels.",
    settings,
  });
}

/** Most pixels one strip of a selection scan holds (4 MiB of 8-bit gray). */
export const SELECTION_STRIP_PIXELS = 4 * 1024 * 1024;

function reportedSelectionBounds(doc: Document): Rect | null | undefined {
  try {
    return doc.selection.bounds; // PS 25.0+: null = nothing selected
  } catch {
    return undefined; // not available: scanSelectionBounds finds them
  }
}

/**
 * The selection's bounds found by reading it in full-width strips, each disposed before the next, so no
 * buffer grows with the canvas. Null when nothing is selected (or the host throws without a selection,
 * which is undocumented).
 */
async function scanSelectionBounds(im: typeof imaging, doc: Document, canvas: Size, checkpoint: () => void): Promise<Rect | null> {
  const rows = Math.max(1, Math.floor(SELECTION_STRIP_PIXELS / canvas.width));
  let found: Rect | null = null;
  for (let top = 0; top < canvas.height; top += rows) {
    checkpoint();
    const strip: Rect = { left: 0, top, right: canvas.width, bottom: Math.min(canvas.height, top + rows) };
    let result: Imaging.GetSelectionResult;
    try {
      result = await im.getSelection({ documentID: doc.id, sourceBounds: strip });
    } catch {
      return null;
    }
    try {
      const img = result.imageData;
      if (img.width === 0 || img.height === 0) continue;
      const at = clampToCanvas(result.sourceBounds, canvas);
      const r = nonZeroBounds(await bytesOf(img), img.width, img.height, img.components);
      if (r) found = unionRect(found, { left: at.left + r.left, top: at.top + r.top, right: at.left + r.right, bottom: at.top + r.bottom });
    } finally {
      await result.imageData.dispose();
    }
  }
  return found;
}

/** Reads the selection inside an open modal scope (null = none); only its bounds are read, buffers disposed in `finally`. */
async function selectionIn(im: typeof imaging, doc: Document, checkpoint: () => void): Promise<SelectionMask | null> {
  const canvas = { width: Math.round(doc.width), height: Math.round(doc.height) };
  const raw = reportedSelectionBounds(doc);
  if (raw === null) return null;
  // Selection bounds may extend past the canvas: clamp before using them as sourceBounds.
  const bounds = raw ? clampToCanvas(raw, canvas) : await scanSelectionBounds(im, doc, canvas, checkpoint);
  if (!bounds || isEmptyRect(bounds)) return null;
  const result = await im.getSelection({ documentID: doc.id, sourceBounds: bounds });
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
}

export async function readSelection(docId: number, settings: ModalSettings): Promise<SelectionMask | null> {
  const im = requireImaging();
  return runModal("Infill: reading the selection", async ({ checkpoint }) => selectionIn(im, requireDocument(docId), checkpoint), {
    failCode: "capture_failed",
    failMessage: "Infill could not read the selection.",
    settings,
  });
}

/** Carries an error thrown by the caller's planning function through `runModal` unchanged. */
class PlanFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Everything a job needs from one document in ONE modal scope: snapshot, selection (if asked), then
 * each composite. Only Photoshop is awaited inside; each buffer is disposed as soon as it is copied.
 */
export async function readCapture(docId: number, request: CaptureRequest, settings: ModalSettings): Promise<CaptureResult> {
  const im = requireImaging();
  const answer = await runModal(
    "Infill: capturing",
    async (scope): Promise<CaptureResult | PlanFailure> => {
      const { checkpoint } = scope;
      const doc = requireDocument(docId);
      const document = snapshot(doc);
      const selection = request.selection ? await selectionIn(im, doc, checkpoint) : null;
      let wanted: CompositeRequest[];
      try {
        wanted = typeof request.composites === "function" ? request.composites({ document, selection }) : request.composites;
      } catch (e) {
        return new PlanFailure(e);
      }
      const composites: RGBAImage[] = [];
      for (const r of wanted) {
        checkpoint();
        composites.push(await readIn(im, doc, r, scope));
      }
      return { document, selection, composites };
    },
    { failCode: "capture_failed", failMessage: "Infill could not read the document.", settings },
  );
  if (answer instanceof PlanFailure) throw answer.error;
  return answer;
}
