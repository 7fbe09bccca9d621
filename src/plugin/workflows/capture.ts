// Capture: read the active document (and any reference documents) once, check it can be worked on,
// plan the geometry, and build the job's request. Pixels are read at the size they are sent at (one
// downscale, done by the host).

import { EXPAND_MAX_SIDE, FILL_SIZES, SEED_MAX, SIMILAR_SIZES, generateSizesFor } from "../../common/firefly";
import type { DocumentSnapshot, GrayImage, Rect, RGBAImage, SelectionMask, Size } from "../../common/host";
import type { BlendSettings, ImageReference, JobParams } from "../../common/jobs";
import { matte } from "../../common/imaging/codecs";
import { selectionExtent } from "../../common/imaging/compose";
import { planFillGeometry } from "../../common/imaging/context";
import { planExpandGeometry } from "../../common/imaging/expand";
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
  const seeds = new Set<number>();
  while (seeds.size < n) seeds.add(Math.floor(random() * SEED_MAX));
  return [...seeds];
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

async function readReference(ref: ImageReference, what: string, deps: WorkflowDeps): Promise<RGBAImage> {
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
  return opaque(await deps.host.composite(ref.docId, { window, layerId: ref.layerId, targetSize: fitWithin(size, REFERENCE_MAX_SIDE) }));
}

export async function captureJob(params: JobParams, jobId: string, deps: WorkflowDeps): Promise<Captured> {
  const { host } = deps;
  const now = deps.now ?? Date.now;
  const doc: DocumentSnapshot | null = await host.activeDocument();
  if (!doc) throw documentError("Open a document first.");
  const modeProblem = unsupportedModeMessage(doc.mode);
  if (modeProblem) throw documentError(modeProblem, `mode ${doc.mode}, ${doc.bitDepth}-bit`);
  const docSize = { width: doc.width, height: doc.height };
  const canvas: Rect = { left: 0, top: 0, right: doc.width, bottom: doc.height };
  const seeds = chooseSeeds(params, deps.random ?? Math.random);
  const prompt = "prompt" in params ? params.prompt : undefined;
  const base = {
    version: 1 as const,
    jobId,
    kind: params.kind,
    params,
    docId: doc.id,
    docTitle: doc.title,
    docSize,
    capturedAt: now(),
    seeds,
    groupName: nameFromPrompt(prompt, `Infill ${KIND_LABEL[params.kind]}`),
    historyName: `Infill: ${KIND_LABEL[params.kind]}`,
  };

  if (params.kind === "fill") {
    const selection = await host.selection(doc.id);
    if (!selection) throw documentError("Make a selection first: Fill generates inside the selection.");
    const extent = selectionExtent(selection);
    const geometry = planFillGeometry(docSize, extent, FILL_SIZES, deps.fillContext);
    const blend: BlendSettings = params.blend ?? { bandPx: defaultBand(extent), toneMatch: true };
    const { window, sendSize } = geometry;
    const source = opaque(await host.composite(doc.id, { window, targetSize: sendSize }));
    const winMask = createGray(rectWidth(window), rectHeight(window));
    pasteGray(winMask, hardMask(selection.mask), selection.bounds.left - window.left, selection.bounds.top - window.top);
    const sendMask = resampleGray(winMask, sendSize.width, sendSize.height);
    return {
      request: { ...base, blend, sendSize, fill: { geometry, selectionBounds: selection.bounds } },
      selection,
      source,
      sendMask,
    };
  }

  if (params.kind === "expand") {
    let geometry;
    try {
      geometry = planExpandGeometry(docSize, params.target, EXPAND_MAX_SIDE);
    } catch (e) {
      throw new WorkflowError({ category: "invalid_input", message: e instanceof Error ? e.message : String(e) });
    }
    const blend: BlendSettings = params.blend ?? { bandPx: 16, toneMatch: true };
    const source = opaque(await host.composite(doc.id, { targetSize: geometry.sourceSize }));
    return { request: { ...base, blend, sendSize: geometry.outputSize, expand: { geometry } }, selection: null, source };
  }

  if (params.kind === "generate") {
    if (!params.prompt || !params.prompt.trim()) throw new WorkflowError({ category: "invalid_input", message: "Generate needs a prompt: describe what to create." });
    const selection = await host.selection(doc.id);
    const target = selection ? selectionExtent(selection) : canvas;
    const sendSize = closestPreset({ width: rectWidth(target), height: rectHeight(target) }, generateSizesFor(params.modelVersion));
    const styleReference = params.styleReference ? await readReference(params.styleReference, "style", deps) : undefined;
    const structureReference = params.structureReference ? await readReference(params.structureReference, "structure", deps) : undefined;
    return {
      request: {
        ...base,
        blend: params.blend ?? { bandPx: 0, toneMatch: false },
        sendSize,
        modelVersion: params.modelVersion,
        cover: { target, masked: !!selection, selectionBounds: selection?.bounds },
      },
      selection,
      styleReference,
      structureReference,
    };
  }

  // similar
  const selection = params.source === "selection" ? await host.selection(doc.id) : null;
  if (params.source === "selection" && !selection) throw documentError("Make a selection first, or choose the whole document as the source.");
  const target = selection ? selectionExtent(selection) : canvas;
  const targetSize = { width: rectWidth(target), height: rectHeight(target) };
  const source = opaque(await host.composite(doc.id, { window: target, targetSize: fitWithin(targetSize, REFERENCE_MAX_SIDE) }));
  const sendSize = closestPreset(targetSize, SIMILAR_SIZES);
  return {
    request: {
      ...base,
      blend: params.blend ?? { bandPx: 0, toneMatch: false },
      sendSize,
      modelVersion: params.modelVersion,
      cover: { target, masked: !!selection, selectionBounds: selection?.bounds },
    },
    selection,
    source,
  };
}
