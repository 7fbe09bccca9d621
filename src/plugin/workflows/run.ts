// startJob: capture → encode → upload (parallel) → submit → poll → download → decode (each result on
// its own, see decode.ts) → compose → apply. Network work happens outside any host call; the document
// is touched once, at the end, by one plan. Failures and cancellation leave the document as it was.

import { classifyJobOutcome, isTerminalStatus, type JobResult } from "../../common/firefly";
import type { SelectionMask } from "../../common/host";
import type { JobParams, JobState } from "../../common/jobs";
import { encodeGrayPng } from "../../common/imaging/codecs";
import type { DecodeRegion, OutputPlacement } from "../../common/imaging/crop";
import { BrokerError } from "../broker-client";
import { captureJob } from "./capture";
import { decodeOutputs, joinNotes } from "./decode";
import { WorkflowError } from "./errors";
import { kindOf } from "./kinds";
import { runLife, type JobLife } from "./lifecycle";
import { placeVariations, toneFor, withKeptSelection, type DecodedVariation } from "./place";
import { PREVIEW_NOTE, previewEnding, previewToReplace, startPreview } from "./preview";
import { abortableSleep, backoffMs, isRetryable, withRetry } from "./retry";
import { brokerUploader, submitJob, type KeptUpload, type Transfer } from "./submit";
import { finishTiles, isTiled, submitTiles } from "./tiles";
import { nativeDetail, storeUpscaled } from "./upscale";
import { SELECTION_KEY, resultKey, type JobRequest, type RunningJob, type WorkflowDeps } from "./types";

export { saveRecord } from "./lifecycle";

export const DEFAULT_POLL_MS = 1500;
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** Per-phase timings and transfer sizes of the last runs (for the bench and diagnostics). */
export interface JobMetrics extends Transfer {
  phases: Record<string, number>;
}

export interface StartedJob extends RunningJob {
  /** Filled in as the job runs. */
  metrics: JobMetrics;
}

let counter = 0;
function newJobId(now: number, random: () => number): string {
  counter = (counter + 1) % 1e6;
  return `job-${now.toString(36)}-${Math.floor(random() * 36 ** 6).toString(36)}-${counter}`;
}

export function startJob(params: JobParams, deps: WorkflowDeps, onState: (s: JobState) => void): StartedJob {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? abortableSleep;
  const jobId = newJobId(now(), random);
  const metrics: JobMetrics = { phases: {}, bytesUp: 0, bytesDown: 0 };
  let phaseStart = now();
  const phase = (name: string): void => {
    const t = now();
    metrics.phases[name] = (metrics.phases[name] ?? 0) + (t - phaseStart);
    phaseStart = t;
  };
  const initial: JobState = { jobId, kind: params.kind, params, docId: -1, docTitle: "", phase: "capturing", startedAt: now(), variations: [] };

  /** Places the job's results (or keeps them, stored as they would be placed), then ends the job. */
  const place = async (life: JobLife, selection: SelectionMask | null, native: { request: JobRequest; variations: DecodedVariation[] }): Promise<void> => {
    const { signal, emit } = life;
    const req = life.stored!.request;
    const replaced = await previewToReplace(deps, life.stored?.preview, req.docId);
    const placed = await placeVariations(native.request, req.docId, selection, native.variations, deps, signal, replaced);
    phase("compose+apply");
    // Results kept rather than placed are kept upscaled, so Re-apply places them at native detail.
    if (placed.phase === "kept" && life.stored) life.stored = await storeUpscaled(jobId, life.stored, native, deps);
    emit(placed);
    if (life.state.phase === "done" && life.stored) life.stored = await withKeptSelection(jobId, life.stored, deps);
    await life.save();
    if (life.state.phase === "done") await deps.store.deleteBytes(jobId);
  };

  const moved = (up: number, down: number): void => {
    metrics.bytesUp += up;
    metrics.bytesDown += down;
  };
  const run = async (life: JobLife): Promise<void> => {
    const { signal, emit, checkAbort } = life;
    emit({});
    const cap = await captureJob(params, jobId, deps);
    const req = cap.request;
    const kind = kindOf(req.kind);
    phase("capture");
    life.stored = { request: req };
    // The request's parameters as run (a default model filled in), so the job's state re-runs exactly,
    // and the blend used: the artist's when the run sent one, otherwise the job's own default.
    emit({
      params: req.params,
      blend: { bandPx: req.blend.bandPx, toneMatch: req.blend.toneMatch, source: req.params.blend ? "artist" : "automatic" },
      docId: req.docId,
      docTitle: req.docTitle,
      docSizeAtCapture: req.docSize,
      phase: "uploading",
      detail: kind.detail?.(req),
    });
    if (cap.selection && kind.selectionBounds(req)) await deps.store.putBytes(jobId, SELECTION_KEY, encodeGrayPng(cap.selection.mask));
    await life.save();
    checkAbort();
    if (isTiled(req)) {
      const io = { deps, signal, sleep, emit, moved };
      await submitTiles(cap, life, io, metrics);
      emit({ phase: "running" });
      phase("encode+upload");
      const native = await finishTiles(life, io);
      phase("generate+upscale");
      checkAbort();
      return place(life, cap.selection, native);
    }

    // What was sent is kept while the job runs, so tone matching still works if the panel is reloaded
    // before the results come back (see resume.ts).
    const kept: KeptUpload[] = [];
    const upload = brokerUploader(deps.broker, signal, metrics, sleep, (k) => {
      if (req.blend.toneMatch) kept.push(k);
    });
    const { endpoint, body, modelVersion } = await submitJob(cap, upload);
    phase("encode+upload");
    checkAbort();
    const accept = await withRetry(() => deps.broker.submit(endpoint, body, modelVersion, signal), signal, sleep);
    life.remoteJobId = accept.jobId;
    emit({ phase: "running", ...(accept.requestId ? { requestId: accept.requestId } : {}) });
    // From here on the job can be finished by another panel session: the broker's job id, the crop to
    // ask for and what was sent are stored with the request.
    const region = kind.region(cap);
    for (const k of kept) await deps.store.putBytes(jobId, k.key, k.bytes);
    const remote = { jobId: accept.jobId, submittedAt: now(), ...(accept.requestId ? { requestId: accept.requestId } : {}) };
    life.stored = { request: req, remote, ...(region ? { region } : {}) };
    await life.save();
    phase("submit"); // submitting and storing what a later session needs to finish the job
    const preview = startPreview(
      cap,
      { endpoint, body, modelVersion },
      {
        deps,
        signal,
        state: () => life.state,
        placed: async (p) => {
          life.stored = { ...life.stored!, preview: p };
          emit({ note: PREVIEW_NOTE });
          await life.save();
        },
      },
    );
    life.onEnd = previewEnding(
      deps,
      preview,
      () => life.stored?.preview,
      () => {
        if (life.state.note === PREVIEW_NOTE) emit({ note: undefined });
      },
    );

    const result = await pollRemote(accept.jobId, deps, signal, sleep, emit);
    await preview?.finish(); // a preview not placed by now never will be
    phase("generate");
    emit({ phase: "downloading", queuePosition: undefined, progress: 100 });
    const { outputs, got } = await downloadResults(jobId, result, req, region, deps, signal, sleep);
    for (const g of got) metrics.bytesDown += g.bytes.length;
    life.stored = { ...life.stored, outputSeeds: outputs.map((o) => o.seed), placements: got.map((g) => g.placement) };
    await life.save();
    phase("download");
    checkAbort();

    const { images, note: unreadableNote } = decodeOutputs(got, region);
    emit({ phase: "placing", note: joinNotes(noteFor(result), unreadableNote) });
    const sent = kind.sent(cap);
    const tones = images.map((image) => image && toneFor(req, sent, image));
    const decoded: DecodedVariation[] = images.flatMap((image, i) => (image ? [{ seed: outputs[i].seed, image, tone: tones[i] }] : []));
    life.stored = { ...life.stored, tones };
    await life.save();
    phase("decode");
    checkAbort();
    const native = await nativeDetail(req, decoded, { deps, signal, sleep, emit, moved });
    phase("upscale");
    checkAbort();
    await place(life, cap.selection, native);
  };

  return runLife({ jobId, state: initial }, deps, onState, run, { metrics });
}

/** Polls the broker until the job ends (1–2 s, honouring retry-after), reporting queue position and progress. */
export async function pollRemote(
  id: string,
  deps: WorkflowDeps,
  signal: AbortSignal,
  sleep: (ms: number, s?: AbortSignal) => Promise<void>,
  emit: (patch: Partial<JobState>) => void,
): Promise<JobResult> {
  const now = deps.now ?? Date.now;
  const interval = deps.pollIntervalMs ?? DEFAULT_POLL_MS;
  const deadline = now() + (deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let wait = interval;
  let failures = 0;
  let paused: number | undefined;
  for (;;) {
    await sleep(wait, signal);
    if (now() > deadline)
      throw new WorkflowError({
        category: "timeout",
        message: "The job took too long and was stopped. Try again, perhaps with a smaller selection.",
        detail: `no result after ${Math.round((deps.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`,
      });
    try {
      const { job, retryAfterMs } = await deps.broker.status(id, signal);
      failures = 0;
      if (paused) emit({ pausedUntil: (paused = undefined) });
      if (isTerminalStatus(job.status)) {
        const err = classifyJobOutcome(job);
        if (!err && job.result) return job.result;
        const end = err ?? { category: "service_unavailable" as const, message: "The job ended without a result. Run it again.", detail: `job ${job.status}` };
        throw new WorkflowError({ category: end.category, message: end.message, detail: end.detail });
      }
      if (job.status === "queued") emit({ phase: "queued", queuePosition: job.queuePosition, progress: undefined });
      else emit({ phase: "running", queuePosition: undefined, progress: job.progress });
      wait = Math.max(interval, retryAfterMs ?? 0);
    } catch (e) {
      if (signal.aborted || !isRetryable(e) || ++failures > 5) {
        if (paused) emit({ pausedUntil: undefined }); // an ended job is not paused
        throw e;
      }
      wait = backoffMs(failures, e as BrokerError, interval);
      // A rate-limit pause is said on the job until a status poll gets through again.
      if (e.status === 429) emit({ pausedUntil: (paused = now() + wait) });
    }
  }
}

/**
 * Downloads a finished job's outputs (cropped to `region` by the broker, see result-region.ts) and stores them
 * under the job's result keys.
 */
export async function downloadResults(
  jobId: string,
  result: JobResult,
  req: JobRequest,
  region: DecodeRegion | undefined,
  deps: WorkflowDeps,
  signal: AbortSignal,
  sleep: (ms: number, s?: AbortSignal) => Promise<void>,
): Promise<{ outputs: JobResult["outputs"]; got: { bytes: Uint8Array; placement: OutputPlacement | null }[] }> {
  const outputs = result.outputs.slice(0, req.seeds.length);
  const got = await Promise.all(
    outputs.map((o) =>
      withRetry(
        async () => {
          if (region && deps.broker.downloadCropped) return deps.broker.downloadCropped(o.image.url, region, signal);
          return { bytes: await deps.broker.download(o.image.url, signal), placement: null };
        },
        signal,
        sleep,
      ),
    ),
  );
  for (let i = 0; i < got.length; i++) await deps.store.putBytes(jobId, resultKey(i), got[i].bytes);
  return { outputs, got };
}

export function noteFor(result: JobResult): string | undefined {
  if (result.promptUsed === false) return "The local engine filled from the surroundings; it does not read prompts.";
  if (result.promptHasDeniedWords || result.promptHasBlockedArtists) return "Firefly ignored part of the prompt (denied words or blocked artist names).";
  return undefined;
}
