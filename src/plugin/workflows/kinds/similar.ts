// Similar: new images like the selection's area or the whole document.

import { SIMILAR_SIZES } from "../../../common/firefly";
import type { SimilarRequest } from "../../../common/firefly";
import type { Rect } from "../../../common/host";
import { DEFAULT_GENERATE_MODEL } from "../../../common/jobs";
import { encodeJpeg } from "../../../common/imaging/codecs";
import { selectionExtent } from "../../../common/imaging/compose";
import { closestPreset } from "../../../common/imaging/placement";
import { documentError } from "../errors";
import { REFERENCE_MAX_SIDE, canvasOf, fitWithin, opaque } from "../reading";
import { coverOf, coverPlacing, coverTargetSize } from "./cover";
import type { KindWorkflow } from "./kind";
import { SOURCE_JPEG_QUALITY, variationsOf } from "./submit-parts";

const NO_SELECTION = "Make a selection first, or choose the whole document as the source.";

export const similar: KindWorkflow<"similar"> = {
  label: "Similar",

  async capture(params, _active, ctx) {
    const fromSelection = params.source === "selection";
    const planned: { target?: Rect } = {};
    const found = await ctx.capture({
      selection: fromSelection,
      composites: ({ document, selection }) => {
        if (fromSelection && !selection) throw documentError(NO_SELECTION);
        const target = (planned.target = selection ? selectionExtent(selection) : canvasOf(document));
        return [{ window: target, targetSize: fitWithin(coverTargetSize(target), REFERENCE_MAX_SIDE) }];
      },
    });
    const { selection } = found;
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
