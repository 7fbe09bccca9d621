// Generate: a new image from a prompt, covering the selection or the canvas, with optional style and
// structure references read from any open document.

import { generateSizesFor } from "../../../common/firefly";
import type { GenerateRequest } from "../../../common/firefly";
import { encodeJpeg } from "../../../common/imaging/codecs";
import { selectionExtent } from "../../../common/imaging/compose";
import { closestPreset } from "../../../common/imaging/placement";
import { WorkflowError } from "../errors";
import { canvasOf, opaque, planReference, readOtherDocuments, type ReferenceRead } from "../reading";
import { coverOf, coverPlacing, coverTargetSize } from "./cover";
import type { KindWorkflow, Upload } from "./kind";
import { REFERENCE_JPEG_QUALITY, clampInt, optionalText, variationsOf } from "./submit-parts";
import type { RGBAImage } from "../../../common/host";
import { DEFAULT_GENERATE_MODEL } from "../../../common/jobs";

const reference = (img: RGBAImage | undefined): Upload | undefined => img && { encode: () => encodeJpeg(img, REFERENCE_JPEG_QUALITY), type: "image/jpeg" };

export const generate: KindWorkflow<"generate"> = {
  label: "Generate",

  async capture(params, active, ctx) {
    if (!params.prompt || !params.prompt.trim())
      throw new WorkflowError({ category: "invalid_input", message: "Generate needs a prompt: describe what to create." });
    const style = params.styleReference ? await planReference(params.styleReference, "style", ctx.deps) : undefined;
    const structure = params.structureReference ? await planReference(params.structureReference, "structure", ctx.deps) : undefined;
    const refs = [style, structure].filter((r): r is ReferenceRead => !!r);
    // References from the job's own document are read in the job's capture; others one per document.
    const own = refs.filter((r) => r.docId === active.id);
    const found = await ctx.capture({ selection: true, composites: own.map((r) => r.request) });
    const images = await readOtherDocuments(refs, active.id, ctx.deps.host);
    own.forEach((r, i) => images.set(r, found.composites[i]));
    const read = (r: ReferenceRead | undefined): RGBAImage | undefined => {
      const img = r && images.get(r);
      return img && opaque(img);
    };
    const { selection, document } = found;
    const target = selection ? selectionExtent(selection) : canvasOf(document);
    // A custom model names its own version (image3_custom or image4_custom), so none is assumed for it.
    const modelVersion = params.modelVersion ?? (params.customModelId ? undefined : DEFAULT_GENERATE_MODEL);
    return {
      request: {
        ...ctx.shared(document),
        kind: "generate",
        params: modelVersion ? { ...params, modelVersion } : params,
        blend: params.blend ?? { bandPx: 0, toneMatch: false },
        sendSize: closestPreset(coverTargetSize(target), generateSizesFor(modelVersion)),
        cover: coverOf(target, selection),
      },
      selection,
      styleReference: read(style),
      structureReference: read(structure),
    };
  },

  async submit(cap, upload) {
    const { request: req } = cap;
    const p = req.params;
    const ids = await upload({ style: reference(cap.styleReference), structure: reference(cap.structureReference) });
    const style: NonNullable<GenerateRequest["style"]> = {};
    if (p.stylePresets?.length) style.presets = [...new Set(p.stylePresets)];
    if (ids.style && p.styleReference) {
      style.imageReference = { source: { uploadId: ids.style } };
      style.strength = clampInt(p.styleReference.strength, 1, 100);
    }
    const body: GenerateRequest = {
      prompt: p.prompt.trim(),
      ...optionalText("negativePrompt", p.negativePrompt),
      ...(p.contentClass ? { contentClass: p.contentClass } : {}),
      size: { ...req.sendSize },
      ...(Object.keys(style).length ? { style } : {}),
      ...(ids.structure && p.structureReference
        ? { structure: { imageReference: { source: { uploadId: ids.structure } }, strength: clampInt(p.structureReference.strength, 0, 100) } }
        : {}),
      ...(p.visualIntensity !== undefined ? { visualIntensity: clampInt(p.visualIntensity, 2, 10) } : {}),
      ...(p.customModelId ? { customModelId: p.customModelId } : {}),
      ...variationsOf(req),
    };
    return { endpoint: "generate", body, modelVersion: p.modelVersion };
  },

  ...coverPlacing,
};
