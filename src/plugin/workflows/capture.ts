// Capture: read the active document in ONE Host.capture (one short modal scope in Photoshop: the
// selection and every composite the job needs, windows planned from what it found), plus one more
// capture per other document a style/structure reference comes from; check the document can be worked
// on, plan the geometry, and build the job's request. Pixels are read at the size they are sent at (one
// downscale, done by the host).

import { EXPAND_MAX_SIDE, FILL_SIZES, SEED_MAX, SIMILAR_SIZES, generateSizesFor } from "../../common/firefly";
import type { CompositeRequest, DocumentSnapshot, GrayImage, Host, Rect, RGBAImage, SelectionMask, Size } from "../../common/host";
import type { BlendSettings, ImageReference, JobParams } from "../../common/jobs";
import { matte } from "../../common/imaging/codecs";
import { selectionExtent } from "../../common/imaging/compose";
import { planFillGeometry, type FillGeometry } from "../../common/imaging/context";
import { planExpandGeometry, type ExpandGeometry } from "../../common/imaging/expand";
import { createGray, pasteGray } from "../../common/imaging/image";
import { hardMask } from "../../common/imaging/masks";
import { closestPreset } from "../../common/imaging/placement";
import { nameFromPrompt } from "../../common/imaging/plans";
import { rectHeight, rectWidth } from "../../common/imaging/rect";
import { resampleGray } from "../../common/imaging/resample";
import { WorkflowError, documentError, unsupportedModeMessage } from "./errors";
import type { JobRequest, WorkflowDeps } from "./types";

export interface Captured {
  request: JobRequest;
  /** The selection at capture (native resolution), when the job uses one. */
  selection: SelectionMask | null;
  /** The image sent as the job's source (fill, expand, similar). */
  source?: RGBAImage;
  /** Fill: the mask sent with the source, same size. */
  sendMask?: GrayImage;
  styleReference?: RGBAImage;
  structureReference?: RGBAImage;
}

const KIND_LABEL = { fill: "Fill", expand: "Expand", generate: "Generate", similar: "Similar" } as const;
/** References and similar sources are read at most this large (Firefly generates at ≤ 2688 px). */
export const REFERENCE_MAX_SIDE = 2048;

export function chooseSeeds(params: JobParams, random: () => number): number[] {
  const n = Math.max(1, Math.min(4, Math.floor(params.numVariations || 1)));
  if (params.seeds && params.seeds.length === n && new Set(params.seeds).size === n) return params.seeds.slice();
  // Seeds must be unique. A repeated draw steps to the next free value, so even a degenerate random
  // source (a fixed one in tests, a broken one anywhere) cannot loop forever.
  const seeds: number[] = [];
  for (let i = 0; i < n; i++) {
    let seed = Math.floor(random() * SEED_MAX) % SEED_MAX;
    while (seeds.includes(seed)) seed = (seed + 1) % SEED_MAX;
    seeds.push(seed);
  }
  return seeds;
}

/** Default band: about 1/40 of the selection's longest side, 4..32 px. */
export function defaultBand(extent: Rect): number {
  return Math.max(4, Math.min(32, Math.round(Math.max(rectWidth(extent), rectHeight(extent)) / 40)));
}

function fitWithin(size: Size, maxSide: number): Size {
  const s = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * s)), height: Math.max(1, Math.round(size.height * s)) };
}

function opaque(img: RGBAImage): RGBAImage {
  for (let p = 3; p < img.data.length; p += 4) if (img.data[p] !== 255) return matte(img);
  return img;
}

/** Where a reference is read from: its document and the composite request (window, layer, size). */
interface ReferenceRead {
  docId: number;
  request: CompositeRequest;
}

async function planReference(ref: ImageReference, what: string, deps: WorkflowDeps): Promise<ReferenceRead> {
  const doc = (await deps.host.documents()).find((d) => d.id === ref.docId);
  if (!doc) throw documentError(`The ${what} reference document is no longer open. Open it again or pick another reference.`);
  let size: Size = { width: doc.width, height: doc.height };
  let window: Rect | undefined;
  if (ref.layerId !== undefined) {
    const layer = (await deps.host.layers(ref.docId)).find((l) => l.id === ref.layerId);
    if (!layer) throw documentError(`The ${what} reference layer no longer exists. Pick another reference.`);
    if (rectWidth(layer.bounds) <= 0 || rectHeight(layer.bounds) <= 0) throw documentError(`The ${what} reference layer is empty. Pick a layer with pixels.`);
    window = layer.bounds;
    size = { width: rectWidth(layer.bounds), height: rectHeight(layer.bounds) };
  }
  return { docId: ref.docId, request: { window, layerId: ref.layerId, targetSize: fitWithin(size, REFERENCE_MAX_SIDE) } };
}

/**
 * Reads references that live in other documents than the job's: one `capture` (one modal scope in
 * Photoshop) per document, never more. References from the job's own document are read with the job.
 */
async function readOtherDocuments(reads: ReferenceRead[], jobDocId: number, host: Host): Promise<Map<ReferenceRead, RGBAImage>> {
  const out = new Map<ReferenceRead, RGBAImage>();
  const byDoc = new Map<number, ReferenceRead[]>();
  for (const r of reads) if (r.docId !== jobDocId) byDoc.set(r.docId, [...(byDoc.get(r.docId) ?? []), r]);
  for (const [docId, list] of byDoc) {
    const got = await host.capture(docId, { selection: false, composites: list.map((r) => r.request) });
    list.forEach((r, i) => out.set(r, got.composites[i]));
  }
  return out;
}

export async function captureJob(params: JobParams, jobId: string, deps: WorkflowDeps): Promise<Captured> {
  const { host } = deps;
  const now = deps.now ?? Date.now;
  const active: DocumentSnapshot | null = await host.activeDocument();
  if (!active) throw documentError("Open a document first.");
  const modeProblem = unsupportedModeMessage(active.mode);
  if (modeProblem) throw documentError(modeProblem, `mode ${active.mode}, ${active.bitDepth}-bit`);
  const seeds = chooseSeeds(params, deps.random ?? Math.random);
  const prompt = "prompt" in params ? params.prompt : undefined;
  const base = (doc: DocumentSnapshot) => ({
    version: 1 as const,
    jobId,
    kind: params.kind,
    params,
    docId: doc.id,
    docTitle: doc.title,
    docSize: { width: doc.width, height: doc.height },
    capturedAt: now(),
    seeds,
    groupName: nameFromPrompt(prompt, `Infill ${KIND_LABEL[params.kind]}`),
    historyName: `Infill: ${KIND_LABEL[params.kind]}`,
  });
  const canvasOf = (doc: DocumentSnapshot): Rect => ({ left: 0, top: 0, right: doc.width, bottom: doc.height });
  const sizeOf = (doc: DocumentSnapshot): Size => ({ width: doc.width, height: doc.height });

  // Every kind reads its document in ONE capture: the windows that depend on the selection (fill,
  // similar) or on the document's size (expand) are planned from what that capture found, inside it.
  if (params.kind === "fill") {
    let geometry: FillGeometry | undefined;
    const found = await host.capture(active.id, {
      selection: true,
      composites: ({ document, selection }) => {
        if (!selection) throw documentError("Make a selection first: Fill generates inside the selection.");
        geometry = planFillGeometry(sizeOf(document), selectionExtent(selection), FILL_SIZES, deps.fillContext);
        return [{ window: geometry.window, targetSize: geometry.sendSize }];
      },
    });
    const selection = found.selection!;
    const extent = selectionExtent(selection);
    const blend: BlendSettings = params.blend ?? { bandPx: defaultBand(extent), toneMatch: true };
    const { window, sendSize } = geometry!;
    const source = opaque(found.composites[0]);
    const winMask = createGray(rectWidth(window), rectHeight(window));
    pasteGray(winMask, hardMask(selection.mask), selection.bounds.left - window.left, selection.bounds.top - window.top);
    const sendMask = resampleGray(winMask, sendSize.width, sendSize.height);
    return {
      request: { ...base(found.document), blend, sendSize, fill: { geometry: geometry!, selectionBounds: selection.bounds } },
      selection,
      source,
      sendMask,
    };
  }

  if (params.kind === "expand") {
    let geometry: ExpandGeometry | undefined;
    const found = await host.capture(active.id, {
      selection: false,
      composites: ({ document }) => {
        try {
          geometry = planExpandGeometry(sizeOf(document), params.target, EXPAND_MAX_SIDE);
        } catch (e) {
          throw new WorkflowError({ category: "invalid_input", message: e instanceof Error ? e.message : String(e) });
        }
        return [{ targetSize: geometry.sourceSize }];
      },
    });
    const blend: BlendSettings = params.blend ?? { bandPx: 16, toneMatch: true };
    const source = opaque(found.composites[0]);
    return { request: { ...base(found.document), blend, sendSize: geometry!.outputSize, expand: { geometry: geometry! } }, selection: null, source };
  }

  if (params.kind === "generate") {
    if (!params.prompt || !params.prompt.trim()) throw new WorkflowError({ category: "invalid_input", message: "Generate needs a prompt: describe what to create." });
    const style = params.styleReference ? await planReference(params.styleReference, "style", deps) : undefined;
    const structure = params.structureReference ? await planReference(params.structureReference, "structure", deps) : undefined;
    const refs = [style, structure].filter((r): r is ReferenceRead => !!r);
    // References from the job's own document are read in the job's capture; others one per document.
    const own = refs.filter((r) => r.docId === active.id);
    const found = await host.capture(active.id, { selection: true, composites: own.map((r) => r.request) });
    const images = await readOtherDocuments(refs, active.id, host);
    own.forEach((r, i) => images.set(r, found.composites[i]));
    const { selection, document } = found;
    const target = selection ? selectionExtent(selection) : canvasOf(document);
    const sendSize = closestPreset({ width: rectWidth(target), height: rectHeight(target) }, generateSizesFor(params.modelVersion));
    return {
      request: {
        ...base(document),
        blend: params.blend ?? { bandPx: 0, toneMatch: false },
        sendSize,
        modelVersion: params.modelVersion,
        cover: { target, masked: !!selection, selectionBounds: selection?.bounds },
      },
      selection,
      styleReference: style ? opaque(images.get(style)!) : undefined,
      structureReference: structure ? opaque(images.get(structure)!) : undefined,
    };
  }

  // similar
  const fromSelection = params.source === "selection";
  let target: Rect | undefined;
  const found = await host.capture(active.id, {
    selection: fromSelection,
    composites: ({ document, selection }) => {
      if (fromSelection && !selection) throw documentError("Make a selection first, or choose the whole document as the source.");
      target = selection ? selectionExtent(selection) : canvasOf(document);
      return [{ window: target, targetSize: fitWithin({ width: rectWidth(target), height: rectHeight(target) }, REFERENCE_MAX_SIDE) }];
    },
  });
  const selection = found.selection;
  const source = opaque(found.composites[0]);
  const sendSize = closestPreset({ width: rectWidth(target!), height: rectHeight(target!) }, SIMILAR_SIZES);
  return {
    request: {
      ...base(found.document),
      blend: params.blend ?? { bandPx: 0, toneMatch: false },
      sendSize,
      modelVersion: params.modelVersion,
      cover: { target: target!, masked: !!selection, selectionBounds: selection?.bounds },
    },
    selection,
    source,
  };
}
