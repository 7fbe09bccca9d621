// More like this: the `similar` job that follows one placed variation. Pure.

import type { Rect, Size } from "../../common/host";
import type { JobState, SimilarParams } from "../../common/jobs";
import type { ErrorEventBody } from "../../common/protocol";

const SIMILAR_MODELS: readonly NonNullable<SimilarParams["modelVersion"]>[] = ["image3", "image4_standard", "image4_ultra"];

const coversCanvas = (r: Rect, size: Size) => r.left <= 0 && r.top <= 0 && r.right >= size.width && r.bottom >= size.height;

/**
 * The parameters of a `similar` job on the area variation `index` covers, or why there is none: the
 * variation must be placed. A job that covered the whole canvas reads the whole document; any other
 * reads the selection the job was run with (kept with its record), wherever the document's selection
 * is now: the new variations land where the source did. The model version
 * carries over when Similar supports it.
 */
export function similarParamsFor(job: JobState, index: number, numVariations: number): SimilarParams | ErrorEventBody {
  const v = job.variations.find((x) => x.index === index);
  if (job.phase !== "done" || !v || v.layerId === undefined) {
    return {
      category: "invalid_input",
      code: "variation_not_placed",
      message: "That variation is not placed in the document.",
      hint: "Place the results first, then ask for more like one of them.",
    };
  }
  const whole = !job.target || !job.docSizeAtCapture || coversCanvas(job.target, job.docSizeAtCapture);
  const params: SimilarParams = whole
    ? { kind: "similar", source: "document", numVariations }
    : { kind: "similar", source: "selection", fromJob: job.jobId, numVariations };
  const model = "modelVersion" in job.params ? job.params.modelVersion : undefined;
  const carried = SIMILAR_MODELS.find((m) => m === model);
  if (carried) params.modelVersion = carried;
  return params;
}
