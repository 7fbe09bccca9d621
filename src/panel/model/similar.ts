// More like this: what the panel asks for and why it cannot yet. Pure.

import type { JobState, SimilarParams } from "../../common/jobs";
import { commonBlock } from "./readiness";
import { MAX_VARIATIONS } from "./limits";
import type { PanelState } from "./state";

export type SimilarSource = SimilarParams["source"];

/** A variation count from a number field: whole, 1 to MAX_VARIATIONS (1 when not a number). */
export function clampVariations(v: number): number {
  return Number.isFinite(v) ? Math.min(MAX_VARIATIONS, Math.max(1, Math.round(v))) : 1;
}

/** The source Generate's More like this starts on: the selection when there is one. */
export const defaultSimilarSource = (s: PanelState): SimilarSource => (s.selection ? "selection" : "document");

/** Why More like this cannot run on this source, or null. */
export function similarBlocked(s: PanelState, source: SimilarSource): string | null {
  return commonBlock(s) ?? (source === "selection" && !s.selection ? "Make a selection first, or choose the whole document." : null);
}

export function similarParams(source: SimilarSource, numVariations: number): SimilarParams {
  return { kind: "similar", source, numVariations: clampVariations(numVariations) };
}

/** The variations of a job that More like this can start from: placed in the document. */
export function placedVariations(job: JobState): JobState["variations"] {
  return job.phase === "done" ? job.variations.filter((v) => v.layerId !== undefined) : [];
}
