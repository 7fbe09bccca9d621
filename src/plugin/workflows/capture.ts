// Capture: read the active document in ONE Host.capture (one short modal scope in Photoshop: the
// selection and every composite the job needs, windows planned from what it found), plus one more
// capture per other document a style/structure reference comes from; check the document can be worked
// on, plan the geometry, and build the job's request. Pixels are read at the size they are sent at (one
// downscale, done by the host). What each kind reads and plans is in kinds/.

import { SEED_MAX } from "../../common/firefly";
import type { DocumentSnapshot } from "../../common/host";
import type { JobParams } from "../../common/jobs";
import { nameFromPrompt } from "../../common/imaging/plans";
import { documentError, unsupportedModeMessage } from "./errors";
import { kindOf } from "./kinds";
import { placedSelection } from "./place";
import type { CaptureContext } from "./kinds/kind";
import type { Captured, RequestShared, WorkflowDeps } from "./types";

export type { Captured } from "./types";
export { REFERENCE_MAX_SIDE } from "./reading";
export { defaultBand } from "./kinds/fill";

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

/** Captures one job of any kind: the checks every kind shares, then the kind's own capture. */
export async function captureJob(params: JobParams, jobId: string, deps: WorkflowDeps): Promise<Captured> {
  const { host } = deps;
  const now = deps.now ?? Date.now;
  const active: DocumentSnapshot | null = await host.activeDocument();
  if (!active) throw documentError("Open a document first.");
  const modeProblem = unsupportedModeMessage(active.mode);
  if (modeProblem) throw documentError(modeProblem, `mode ${active.mode}, ${active.bitDepth}-bit`);
  const seeds = chooseSeeds(params, deps.random ?? Math.random);
  const label = kindOf(params.kind).label;
  const prompt = "prompt" in params ? params.prompt : undefined;
  const ctx: CaptureContext = {
    deps,
    capture: (request) => host.capture(active.id, request),
    placedSelection: (id) => placedSelection(id, deps),
    shared: (doc): RequestShared => ({
      version: 2,
      jobId,
      docId: doc.id,
      docTitle: doc.title,
      docSize: { width: doc.width, height: doc.height },
      capturedAt: now(),
      seeds,
      groupName: nameFromPrompt(prompt, `Infill ${label}`),
      historyName: `Infill: ${label}`,
    }),
  };
  return kindOf(params.kind).capture(params, active, ctx);
}
