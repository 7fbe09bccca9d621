// After placing: show one variation, keep only one, re-place kept results, dismiss them.

import type { LayerPlan } from "../../common/host";
import type { JobError, JobState } from "../../common/jobs";
import { keepOnlyPlan, selectVariationPlan } from "../../common/imaging/plans";
import { decodeOutputs, type OutputBytes } from "./decode";
import { WorkflowError, toJobError } from "./errors";
import { saveRecord } from "./lifecycle";
import { readStoredRequest } from "./migrate";
import { placeVariations, storedSelection, withKeptSelection, type DecodedVariation } from "./place";
import { previewToReplace } from "./preview";
import { resultKey, type WorkflowDeps } from "./types";

function placedIds(job: JobState): number[] {
  return job.variations.map((v) => {
    if (v.layerId === undefined) throw new WorkflowError({ category: "document", message: "These results are not placed in the document yet." });
    return v.layerId;
  });
}

async function updateRecord(job: JobState, deps: WorkflowDeps): Promise<void> {
  const rec = await deps.store.getJob(job.jobId);
  if (rec) await saveRecord(deps, job, rec.request);
}

/** Apply a plan over the placed variation layers; returns the error to show, or null. */
async function applyToPlaced(
  job: JobState,
  deps: WorkflowDeps,
  build: (size: { width: number; height: number }, ids: number[]) => LayerPlan,
): Promise<JobError | null> {
  try {
    const ids = placedIds(job);
    const doc = (await deps.host.documents()).find((d) => d.id === job.docId);
    if (!doc) throw new WorkflowError({ category: "document", message: `“${job.docTitle}” is closed.` });
    await deps.host.apply(job.docId, build({ width: doc.width, height: doc.height }, ids));
    return null;
  } catch (e) {
    return toJobError(e);
  }
}

/** Show one variation, hide the others. */
export async function selectVariation(job: JobState, index: number, deps: WorkflowDeps): Promise<JobState> {
  const error = await applyToPlaced(job, deps, (size, ids) => selectVariationPlan(size, ids, index));
  if (error) return { ...job, error };
  const next: JobState = { ...job, error: undefined, variations: job.variations.map((v, i) => ({ ...v, visible: i === index })) };
  await updateRecord(next, deps);
  return next;
}

/** Keep one variation: the other variation layers are deleted. */
export async function keepOnly(job: JobState, index: number, deps: WorkflowDeps): Promise<JobState> {
  const error = await applyToPlaced(job, deps, (size, ids) => keepOnlyPlan(size, ids, index));
  if (error) return { ...job, error };
  const next: JobState = { ...job, error: undefined, variations: [{ ...job.variations[index], visible: true }] };
  await updateRecord(next, deps);
  return next;
}

export async function reapplyKept(jobId: string, deps: WorkflowDeps, onState: (s: JobState) => void): Promise<JobState> {
  const rec = await deps.store.getJob(jobId);
  if (!rec) throw new WorkflowError({ category: "not_found", message: "These results are no longer stored." });
  const stored = readStoredRequest(rec.request);
  const req = stored.request;
  let state: JobState = { ...rec.state, phase: "placing", error: undefined };
  onState(state);
  try {
    // The same document if it is still open; otherwise one reopened under the same title and size.
    const docs = await deps.host.documents();
    const target =
      docs.find((d) => d.id === req.docId) ?? docs.find((d) => d.title === req.docTitle && d.width === req.docSize.width && d.height === req.docSize.height);
    const selection = await storedSelection(jobId, req, deps);
    const outputs: OutputBytes[] = [];
    for (let i = 0; i < req.seeds.length; i++) {
      const bytes = await deps.store.getBytes(jobId, resultKey(i));
      if (!bytes) break;
      outputs.push({ bytes, placement: stored.placements?.[i] });
    }
    if (outputs.length === 0) throw new WorkflowError({ category: "not_found", message: "The stored results are missing, so they cannot be placed." });
    const { images, note } = decodeOutputs(outputs);
    const decoded: DecodedVariation[] = images.flatMap((image, i) =>
      image ? [{ seed: stored.outputSeeds?.[i] ?? req.seeds[i], image, tone: stored.tones?.[i] ?? null }] : [],
    );
    const docId = target?.id ?? req.docId;
    const placed = await placeVariations(req, docId, selection, decoded, deps, undefined, await previewToReplace(deps, stored.preview, docId));
    state = { ...state, ...placed, ...(note ? { note } : {}) };
  } catch (e) {
    state = { ...state, phase: "kept", error: toJobError(e) };
  }
  onState(state);
  await saveRecord(deps, state, state.phase === "done" ? await withKeptSelection(jobId, stored, deps) : stored);
  if (state.phase === "done") await deps.store.deleteBytes(jobId);
  return state;
}

export async function dismissKept(jobId: string, deps: WorkflowDeps): Promise<void> {
  await deps.store.deleteJob(jobId);
}

/** Jobs whose results are stored but not placed (for the panel's "kept" list after a reload). */
export async function listKept(deps: WorkflowDeps): Promise<JobState[]> {
  return (await deps.store.listJobs())
    .filter((r) => r.state.phase === "kept" || r.state.phase === "placing" || r.state.phase === "downloading")
    .map((r) => r.state);
}
