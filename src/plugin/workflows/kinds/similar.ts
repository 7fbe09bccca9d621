// Similar: new images like the selection's area or the whole document. More like this on a placed
// job's variation reads the area of the selection that job was run with, kept with its record, so the
// new variations land where the source did whatever the document's selection is now.

import { SIMILAR_SIZES } from "../../../common/firefly";
import type { SimilarRequest } from "../../../common/firefly";
import type { DocumentSnapshot, Rect, SelectionMask, Size } from "../../../common/host";
import { DEFAULT_GENERATE_MODEL } from "../../../common/jobs";
import { encodeJpeg } from "../../../common/imaging/codecs";
import { selectionExtent } from "../../../common/imaging/compose";
import { closestPreset } from "../../../common/imaging/placement";
import { documentError } from "../errors";
import { REFERENCE_MAX_SIDE, canvasOf, fitWithin, opaque } from "../reading";
import { coverOf, coverPlacing, coverTargetSize } from "./cover";
import type { CaptureContext, KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, variationsOf } from "./submit-parts";

const NO_SELECTION = "Make a selection first, or choose the whole document as the source.";
const SELECT_AGAIN = "Make the selection again and use More like this in Generate.";

/** The selection a placed job was run with, and the canvas size it was made on; its document must be the active one. */
async function keptArea(jobId: string, active: DocumentSnapshot, ctx: CaptureContext): Promise<{ selection: SelectionMask; docSize: Size }> {
  const placed = await ctx.placedSelection(jobId);
  if (!placed) throw documentError(`That job is no longer stored, so the area its variations cover is not known. ${SELECT_AGAIN}`);
  const { request } = placed;
  if (placed.docId !== active.id) throw documentError(`Bring “${request.docTitle}” to the front: More like this works in the document the variation is in.`);
  if (!placed.selection) throw documentError(`The selection that job was run with is not kept with it. ${SELECT_AGAIN}`);
  return { selection: placed.selection, docSize: request.docSize };
}

export const similar: KindWorkflow<"similar"> = {
  label: "Similar",

  async capture(params, active, ctx) {
    const fromSelection = params.source === "selection";
    const kept = fromSelection && params.fromJob ? await keptArea(params.fromJob, active, ctx) : undefined;
    const planned: { target?: Rect } = {};
    const found = await ctx.capture({
      selection: fromSelection && !kept,
      composites: ({ document, selection: current }) => {
        if (kept && (document.width !== kept.docSize.width || document.height !== kept.docSize.height)) {
          throw documentError(`The canvas changed size since that job ran, so its area no longer lines up. ${SELECT_AGAIN}`);
        }
        const selection = kept ? kept.selection : current;
        if (fromSelection && !selection) throw documentError(NO_SELECTION);
        const target = (planned.target = selection ? selectionExtent(selection) : canvasOf(document));
        return [{ window: target, targetSize: fitWithin(coverTargetSize(target), REFERENCE_MAX_SIDE) }];
      },
    });
    const selection = kept ? kept.selection : found.selection;
    const target = planned.target;
    if (!target) throw documentError(NO_SELECTION);
    return {
      request: {
        ...ctx.shared(found.document),
        kind: "similar",
        params: { ...params, modelVersion: params.modelVersion ?? DEFAULT_GENERATE_MODEL },
        blend: params.blend ?? { bandPx: 0, toneMatch: false },
        sendSize: closestPreset(coverTargetSize(target), SIMILAR_SIZES),
        cover: coverOf(target, selection),
      },
      selection,
      source: opaque(found.composites[0]),
    };
  },

  async submit(cap, upload) {
    const req = cap.request;
    const ids = await upload({ source: { encode: () => encodeJpeg(cap.source, SOURCE_JPEG_QUALITY), type: "image/jpeg" } });
    const body: SimilarRequest = { image: { source: { uploadId: ids.source } }, size: { ...req.sendSize }, ...variationsOf(req) };
    return { endpoint: "similar", body, modelVersion: req.params.modelVersion };
  },

  ...coverPlacing,
};
