// Finishing jobs a previous panel session left behind (a reload or a crash). A job the broker had
// accepted is polled again with its stored broker job id; its results are downloaded, tone-fitted
// against what was sent, stored and kept, with a message: the artist places them with Re-apply (the
// same path and the same closed/resized-document checks as any kept result), or dismisses them.
// Results downloaded before the reload are kept the same way. A job that never reached the broker,
// or that the broker no longer knows, ends failed with a message saying so: nothing is dropped
// silently. A Native-detail fill runs its upscales before it is kept (see upscale.ts). Records written
// by earlier versions are read through migrate.ts.

import { TERMINAL_PHASES, type JobState, type VariationState } from "../../common/jobs";
import { decodeGrayPng, decodeImage, decodePlaced } from "../../common/imaging/codecs";
import { BrokerError } from "../broker-client";
import type { JobRecord } from "../store";
import { decodeOutputs } from "./decode";
import { WorkflowError } from "./errors";
import { runLife, type JobLife } from "./lifecycle";
import { readStoredRequest } from "./migrate";
import { composeVariation, storedSelection, thumbnailOf, toneFor } from "./place";
import { previewEnding } from "./preview";
import { abortableSleep } from "./retry";
import { downloadResults, noteFor, pollRemote } from "./run";
import { finishTiles } from "./tiles";
import { storeUpscaled, upscaleStored } from "./upscale";
import { SENT_MASK_KEY, SENT_SOURCE_KEY, resultKey, type RunningJob, type StoredRequest, type WorkflowDeps } from "./types";

const INTERRUPTED_BEFORE_SUBMIT = "Infill was closed or reloaded before this job reached the service, so nothing was generated. Run it again.";
const UNKNOWN_REMOTE =
  "Infill was reloaded while this job ran, and the broker no longer has it (it expired or the broker's data was reset), so its results are lost. Run it again.";

const keptMessage = (title: string): string =>
  `Infill was reloaded while this job ran; its results were downloaded and kept. Choose Re-apply to place them in “${title}”, or dismiss them.`;

/** The kept variations' previews (composed as Re-apply would place them); without one when it cannot be made. */
async function keptVariations(jobId: string, stored: StoredRequest, deps: WorkflowDeps): Promise<VariationState[]> {
  const req = stored.request;
  const selection = await storedSelection(jobId, req, deps);
  return Promise.all(
    (stored.outputSeeds ?? []).map(async (seed, i): Promise<VariationState> => {
      const v: VariationState = { index: i, seed };
      try {
        const bytes = await deps.store.getBytes(jobId, resultKey(i));
        if (bytes) {
          const image = decodePlaced(bytes, stored.placements?.[i], stored.region);
          v.thumbnail = thumbnailOf(composeVariation(req, selection, { seed, image, tone: stored.tones?.[i] ?? null }));
        }
      } catch {
        // No preview; the results can still be re-applied or dismissed.
      }
      return v;
    }),
  );
}

/** Whether a stored record is a job the previous session did not finish. */
function unfinished(rec: JobRecord): boolean {
  return !TERMINAL_PHASES.includes(rec.state.phase);
}

async function allResultsStored(jobId: string, stored: StoredRequest, deps: WorkflowDeps): Promise<boolean> {
  const n = stored.outputSeeds?.length;
  if (!n) return false;
  for (let i = 0; i < n; i++) if (!(await deps.store.getBytes(jobId, resultKey(i)))) return false;
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
  const jobId = rec.jobId;
  let stored: StoredRequest | undefined;
  let unreadable: unknown;
  try {
    stored = readStoredRequest(rec.request);
  } catch (e) {
    unreadable = e;
  }

  const run = async (life: JobLife): Promise<void> => {
    const { emit, signal } = life;
    if (!stored) throw unreadable;
    life.onEnd = previewEnding(deps, undefined, () => stored?.preview);
    // A Native-detail fill's upscales run before its results are kept, so Re-apply places them at native detail.
    const io = { deps, signal, sleep, emit, moved: () => undefined };
    const kept = async (downloaded: StoredRequest): Promise<void> => {
      const s = await upscaleStored(jobId, downloaded, io);
      life.stored = s;
      emit({
        phase: "kept",
        variations: await keptVariations(jobId, s, deps),
        finishedAt: now(),
        error: { category: "document", message: keptMessage(life.state.docTitle) },
      });
      await life.save();
    };
    // Downloaded before the reload: kept for Re-apply.
    if (await allResultsStored(jobId, stored, deps)) return kept(stored);
    // A tiled fill: the tiles not yet finished are polled again and the blend is kept.
    if (stored.tiles) {
      emit({ phase: "running", note: undefined });
      return kept(await storeUpscaled(jobId, stored, await finishTiles(life, io), deps));
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
    const { region } = stored;
    const { outputs, got } = await downloadResults(jobId, result, req, region, deps, signal, sleep);
    life.stored = stored = { ...stored, outputSeeds: outputs.map((o) => o.seed), placements: got.map((g) => g.placement) };
    emit({ note: noteFor(result) });
    await life.save();
    // Tone fitted against what was sent, as the running job would have.
    const sentSource = await deps.store.getBytes(jobId, SENT_SOURCE_KEY);
    const sentMask = await deps.store.getBytes(jobId, SENT_MASK_KEY);
    if (sentSource) {
      const sent = { source: decodeImage(sentSource), ...(sentMask ? { mask: decodeGrayPng(sentMask) } : {}) };
      stored = { ...stored, tones: decodeOutputs(got, region).images.map((image) => image && toneFor(req, sent, image)) };
    }
    await kept(stored);
  };

  return runLife(
    {
      jobId,
      state: { ...rec.state, error: undefined },
      stored,
      remoteJobId: stored?.remote?.jobId,
      remoteJobIds: stored?.tiles?.filter((t) => !t.done).flatMap((t) => [...(t.remoteJobId ? [t.remoteJobId] : []), ...(t.upscaleJobIds ?? [])]),
      rawRequest: rec.request,
    },
    deps,
    onState,
    run,
    {},
  );
}
