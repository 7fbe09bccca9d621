// Finishing jobs a previous panel session left behind (a reload or a crash). A job the broker had
// accepted is polled again with its stored broker job id; its results are downloaded, tone-fitted
// against what was sent, stored and kept, with a message: the artist places them with Re-apply (the
// same path and the same closed/resized-document checks as any kept result), or dismisses them.
// Results downloaded before the reload are kept the same way. A job that never reached the broker,
// or that the broker no longer knows, ends failed with a message saying so: nothing is dropped
// silently.

import { TERMINAL_PHASES, type JobState, type VariationState } from "../../common/jobs";
import { decodeGrayPng, decodeImage, decodePlaced } from "../../common/imaging/codecs";
import { BrokerError } from "../broker-client";
import type { JobRecord } from "../store";
import { WorkflowError, toJobError } from "./errors";
import { composeVariation, thumbnailOf, toneFor } from "./place";
import { abortableSleep } from "./retry";
import { downloadResults, noteFor, pollRemote, saveRecord } from "./run";
import { SELECTION_KEY, SENT_MASK_KEY, SENT_SOURCE_KEY, resultKey, type RunningJob, type StoredRequest, type WorkflowDeps } from "./types";

const INTERRUPTED_BEFORE_SUBMIT =
  "Infill was closed or reloaded before this job reached the service, so nothing was generated. Run it again.";
const UNKNOWN_REMOTE =
  "Infill was reloaded while this job ran, and the broker no longer has it (it expired or the broker's data was reset), so its results are lost. Run it again.";

const keptMessage = (title: string): string =>
  `Infill was reloaded while this job ran; its results were downloaded and kept. Choose Re-apply to place them in “${title}”, or dismiss them.`;

/** The kept variations' previews (composed as Re-apply would place them); without one when it cannot be made. */
async function keptVariations(jobId: string, stored: StoredRequest, deps: WorkflowDeps): Promise<VariationState[]> {
  const req = stored.request;
  const selBytes = await deps.store.getBytes(jobId, SELECTION_KEY);
  const selBounds = req.fill?.selectionBounds ?? req.cover?.selectionBounds;
  const selection = selBytes && selBounds ? { bounds: selBounds, mask: decodeGrayPng(selBytes) } : null;
  const out: VariationState[] = [];
  const n = stored.outputSeeds?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const seed = stored.outputSeeds![i];
    const v: VariationState = { index: i, seed };
    try {
      const bytes = await deps.store.getBytes(jobId, resultKey(i));
      if (bytes && (selection || !req.fill)) {
        const image = decodePlaced(bytes, stored.placements?.[i], stored.region);
        v.thumbnail = thumbnailOf(composeVariation(req, selection, { seed, image, tone: stored.tones?.[i] ?? null }));
      }
    } catch {
      // No preview; the results can still be re-applied or dismissed.
    }
    out.push(v);
  }
  return out;
}

/** Whether a stored record is a job the previous session did not finish. */
function unfinished(rec: JobRecord): boolean {
  return !TERMINAL_PHASES.includes(rec.state.phase);
}

async function allResultsStored(rec: JobRecord, deps: WorkflowDeps): Promise<boolean> {
  const stored = rec.request as StoredRequest;
  const n = stored.outputSeeds?.length;
  if (!n) return false;
  for (let i = 0; i < n; i++) if (!(await deps.store.getBytes(rec.jobId, resultKey(i)))) return false;
  return true;
}

/**
 * Every unfinished job in the store, taken up again. Jobs that cannot be finished end at once
 * (failed, with the reason); the others are returned running, each with its own cancel.
 */
export async function resumeJobs(deps: WorkflowDeps, onState: (s: JobState) => void): Promise<RunningJob[]> {
  const out: RunningJob[] = [];
  for (const rec of await deps.store.listJobs()) {
    if (!unfinished(rec)) continue;
    out.push(resumeOne(rec, deps, onState));
  }
  return out;
}

function resumeOne(rec: JobRecord, deps: WorkflowDeps, onState: (s: JobState) => void): RunningJob {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const controller = new AbortController();
  const signal = controller.signal;
  let stored = rec.request as StoredRequest;
  let state: JobState = { ...rec.state, error: undefined };
  const emit = (patch: Partial<JobState>): void => {
    state = { ...state, ...patch };
    onState(JSON.parse(JSON.stringify(state)) as JobState);
  };
  const jobId = rec.jobId;

  const run = async (): Promise<JobState> => {
    if (await allResultsStored(rec, deps)) {
      // Downloaded before the reload: kept for Re-apply.
      emit({ phase: "kept", variations: await keptVariations(jobId, stored, deps), finishedAt: now(), error: { category: "document", message: keptMessage(state.docTitle) } });
      await saveRecord(deps, state, stored);
      return state;
    }
    const remote = stored.remote;
    if (!remote) throw new WorkflowError({ category: "cancelled", message: INTERRUPTED_BEFORE_SUBMIT });
    const req = stored.request;
    emit({ phase: "running", note: undefined });
    let result;
    try {
      result = await pollRemote(remote.jobId, deps, signal, sleep, emit);
    } catch (e) {
      if (e instanceof BrokerError && (e.status === 404 || e.status === 410 || e.category === "not_found")) {
        throw new WorkflowError({ category: "not_found", message: UNKNOWN_REMOTE, detail: `${e.status} ${e.code ?? ""} ${e.detail}`.trim() });
      }
      throw e;
    }
    emit({ phase: "downloading", queuePosition: undefined, progress: 100 });
    const { outputs, got } = await downloadResults(jobId, result, req, stored.region, deps, signal, sleep);
    stored = { ...stored, outputSeeds: outputs.map((o) => o.seed), placements: got.map((g) => g.placement) };
    emit({ note: noteFor(result) });
    await saveRecord(deps, state, stored);
    // Tone fitted against what was sent, as the running job would have.
    const sentSource = await deps.store.getBytes(jobId, SENT_SOURCE_KEY);
    const sentMask = await deps.store.getBytes(jobId, SENT_MASK_KEY);
    if (sentSource && (sentMask || req.expand)) {
      const source = decodeImage(sentSource);
      const mask = sentMask ? decodeGrayPng(sentMask) : undefined;
      stored = { ...stored, tones: got.map((g) => toneFor(req, source, mask, decodePlaced(g.bytes, g.placement, stored.region))) };
    }
    emit({ phase: "kept", variations: await keptVariations(jobId, stored, deps), finishedAt: now(), error: { category: "document", message: keptMessage(state.docTitle) } });
    await saveRecord(deps, state, stored);
    return state;
  };

  let detached = false;
  const done = run().catch(async (e: unknown): Promise<JobState> => {
    if (detached) return state;
    const cancelled = signal.aborted;
    if (cancelled && stored.remote) await deps.broker.cancel(stored.remote.jobId).catch(() => undefined);
    if (cancelled) emit({ phase: "cancelled", finishedAt: now(), error: { category: "cancelled", message: "Cancelled. The document was not changed." } });
    else emit({ phase: "failed", finishedAt: now(), error: toJobError(e) });
    await deps.store.deleteBytes(jobId).catch(() => undefined);
    await saveRecord(deps, state, stored).catch(() => undefined);
    return state;
  });
  const detach = (): void => {
    detached = true;
    controller.abort();
  };
  return { jobId, done, cancel: () => controller.abort(), detach };
}
