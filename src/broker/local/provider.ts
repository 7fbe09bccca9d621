// The `local` provider: the Firefly-shaped contract served by the built-in engine, with no
// credentials. Uploads, jobs and outputs live in `dataDir`, each written durably before the client
// hears of it, and are read back at start: finished jobs and their outputs keep working across a
// restart and interrupted ones run again. Jobs run on the engine worker pool and go through
// Firefly's lifecycle (pending → running → succeeded | failed | cancel_pending → cancelled) with a
// `progress` percentage. Generate, generate-similar, upscale, the
// composites and custom models need Firefly.

import { randomUUID } from "crypto";
import { createReadStream, promises as fs } from "fs";
import * as path from "path";
import type { Readable } from "stream";
import { BROKER_ERROR_CODES, validateSubmit, type SubmitEndpoint } from "../../common/firefly";
import {
  ProviderError,
  readAll,
  type LocalProviderOptions,
  type OwnerName,
  type Provider,
  type ProviderHealth,
  type ProviderJobStatus,
  type ProviderOutput,
  type UploadContentType,
} from "../providers/provider";
import { MemoryBudget } from "./budget";
import { configureCodecs, probe } from "./codec";
import { placeSource } from "./engine";
import { describePixels, estimateTaskBytes, limitsFromEnv, type LocalLimits } from "./limits";
import { EnginePool, TaskCancelledError, TaskInputError, defaultPoolSize, type PoolOptions } from "./pool";
import type { FileInputs } from "./pool-protocol";
import { TMP_INFIX, makeFolders, readRecords, writeDurably, writeRecord } from "./records";
import { parseJobRecord, parseUploadRecord, type JobInputs, type JobRecord, type UploadRecord } from "./stored";

export const LOCAL_ENGINE_NOTE =
  "Made by Infill's local engine (content-aware fill from the surrounding image). The prompt was not used: prompts need Firefly credentials on the broker.";

const OUTPUT_PREFIX = "infill-local:/outputs/";
/** An output's file name: `<job id>-<variation>.png`. */
const OUTPUT_NAME_RE = /^(local-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d{1,2})\.png$/;
/** Firefly keeps outputs for an hour and uploads for 7 days; the local engine keeps both for a day. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often expired files are removed. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;
const DEFAULT_SIZE = { width: 2048, height: 2048 };

export interface LocalProviderExtraOptions {
  /** Pool overrides (tests: small resource limits, test hooks). */
  pool?: PoolOptions;
  /** Pixel limit and memory budget (default: `limitsFromEnv(process.env)`). */
  limits?: LocalLimits;
  /** How long uploads, finished jobs and outputs are kept (default a day), and how often expired ones are removed. */
  retentionMs?: number;
  sweepEveryMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

type JobState = ProviderJobStatus["status"];

/** A job as kept in memory: its record (as on disk) and what only lives while it runs. */
interface LocalJob {
  rec: JobRecord;
  status: JobState;
  progress: number;
  controller: AbortController;
}

/** Every submit but fill and expand needs Firefly; the name each refusal gives. */
const NEEDS_FIREFLY: Record<Exclude<SubmitEndpoint, "fill" | "expand">, string> = {
  generate: "Generate",
  similar: "Generate similar",
  upscale: "Upscale",
  adaptive: "Adaptive composite (Harmonize)",
  precise: "Precise composite (Harmonize)",
};

function needsFirefly(what: string): ProviderError {
  const message = `${what} needs Firefly credentials: this broker runs the local engine, which only does fill and expand. Ask your admin to configure Firefly (FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET).`;
  return new ProviderError({
    status: 400,
    body: { error_code: BROKER_ERROR_CODES.needsFirefly, message, category: "invalid_input" },
    message,
  });
}

function refusal(endpoint: SubmitEndpoint): ProviderError | undefined {
  return endpoint === "fill" || endpoint === "expand" ? undefined : needsFirefly(NEEDS_FIREFLY[endpoint]);
}

function validation(loc: (string | number)[], msg: string): ProviderError {
  return new ProviderError({
    status: 422,
    body: { error_code: "validation_error", message: msg, validation_errors: [{ loc: ["body", ...loc], msg, type: "value_error" }] },
    message: msg,
  });
}

function jobError(status: number, code: string, message: string): ProviderError {
  return new ProviderError({ status, body: { error_code: code, message }, message });
}

function randomSeed(): number {
  return 1 + Math.floor(Math.random() * 2147483646);
}

export function createLocalProvider(options: LocalProviderOptions & LocalProviderExtraOptions): Provider {
  const log = options.log ?? (() => undefined);
  const cores = defaultPoolSize();
  const codecThreads = configureCodecs(cores);
  const pool = new EnginePool({ size: options.workers ?? cores, ...options.pool });
  const limits = options.limits ?? limitsFromEnv(process.env);
  const budget = new MemoryBudget(limits.memoryBudgetBytes);
  const now = options.now ?? Date.now;
  const retentionMs = options.retentionMs ?? RETENTION_MS;
  const uploadsDir = path.join(options.dataDir, "uploads");
  const outputsDir = path.join(options.dataDir, "outputs");
  const jobsDir = path.join(options.dataDir, "jobs");
  makeFolders([uploadsDir, outputsDir, jobsDir]);
  const uploads = new Map<string, UploadRecord>();
  const jobs = new Map<string, LocalJob>();
  let lastSeenAt: number | undefined;
  let closed = false;
  const uploadFile = (id: string) => path.join(uploadsDir, id);
  const uploadRecordFile = (id: string) => path.join(uploadsDir, `${id}.json`);
  const jobRecordFile = (id: string) => path.join(jobsDir, `${id}.json`);
  const outputFile = (url: string) => path.join(outputsDir, url.slice(OUTPUT_PREFIX.length));

  const loadedUploads = readRecords(uploadsDir, parseUploadRecord);
  for (const u of loadedUploads.records) uploads.set(u.id, u);
  const loadedJobs = readRecords(jobsDir, parseJobRecord);
  const interrupted: LocalJob[] = [];
  for (const rec of loadedJobs.records) {
    const job: LocalJob = { rec, status: rec.state, progress: rec.state === "succeeded" ? 100 : 0, controller: new AbortController() };
    jobs.set(rec.id, job);
    if (rec.state === "pending") interrupted.push(job);
  }
  for (const bad of [...loadedUploads.bad, ...loadedJobs.bad]) log({ event: "local_record_unreadable", file: bad });
  log({
    event: "local_engine_started",
    workers: pool.size,
    codecThreads,
    maxPixels: limits.maxPixels,
    memoryBudgetBytes: limits.memoryBudgetBytes,
    uploads: uploads.size,
    jobs: jobs.size,
    resumed: interrupted.length,
  });

  const sweepNow = () => void prune().catch((e: Error) => log({ event: "local_sweep_failed", error: e.message }));
  const sweep = setInterval(sweepNow, options.sweepEveryMs ?? SWEEP_EVERY_MS);
  sweep.unref();

  /**
   * Remove what has expired: uploads, finished jobs with their outputs, and files no record names
   * (a crash between writing a file and its record, temporary files) once they are as old.
   */
  async function prune(): Promise<void> {
    // Forgotten at once (before the first await), removed from disk after: the record first, so
    // a crash in between leaves only files no record names, which a later sweep removes.
    const cutoff = now() - retentionMs;
    const doomed: string[] = [];
    for (const [id, u] of uploads) {
      if (u.createdAt >= cutoff) continue;
      uploads.delete(id);
      doomed.push(uploadRecordFile(id), uploadFile(id));
    }
    for (const [id, j] of jobs) {
      if (j.rec.finishedAt === undefined || j.rec.finishedAt >= cutoff) continue;
      jobs.delete(id);
      doomed.push(jobRecordFile(id), ...j.rec.outputs.map((o) => outputFile(o.url)));
    }
    const named = new Set<string>();
    for (const id of uploads.keys()) named.add(uploadFile(id)).add(uploadRecordFile(id));
    for (const [id, j] of jobs) {
      named.add(jobRecordFile(id));
      for (let i = 0; i < j.rec.seeds.length; i++) named.add(path.join(outputsDir, `${id}-${i}.png`));
    }
    for (const file of doomed) await fs.rm(file, { force: true });
    for (const dir of [uploadsDir, outputsDir, jobsDir]) {
      for (const name of await fs.readdir(dir)) {
        const file = path.join(dir, name);
        if (named.has(file)) continue;
        const st = await fs.stat(file).catch(() => undefined);
        if (st && st.isFile() && (st.mtimeMs < cutoff || (name.includes(TMP_INFIX) && st.mtimeMs < now() - 60_000))) await fs.rm(file, { force: true });
      }
    }
  }

  /** The job's record written durably, then its state shown: nobody hears of a state that could be lost. */
  async function settleJob(job: LocalJob, state: "succeeded" | "failed" | "cancelled", patch: Partial<JobRecord>): Promise<void> {
    const rec: JobRecord = { ...job.rec, ...patch, state, finishedAt: now() };
    try {
      await writeRecord(jobRecordFile(rec.id), rec);
    } catch (e) {
      log({ event: "local_job_record_failed", jobId: rec.id, error: (e as Error).message });
      if (state === "succeeded") {
        // Outputs that could not be recorded would vanish at the next start: fail the job instead.
        return settleJob(job, "failed", {
          error: { code: "runtime_error", message: "The local engine could not save the job's result (is the data folder full?). Try again." },
          outputs: [],
        });
      }
    }
    job.rec = rec;
    job.status = state;
    if (state === "succeeded") job.progress = 100;
  }

  function findUpload(source: { uploadId?: string; url?: string }, loc: string[]): UploadRecord {
    if (!source.uploadId) {
      throw validation([...loc, "url"], "the local engine reads only images uploaded to this broker (uploadId); pre-signed URLs need Firefly");
    }
    const info = uploads.get(source.uploadId);
    if (!info) throw validation([...loc, "uploadId"], "unknown uploadId: upload the image to this broker first (uploads are kept for a day)");
    return info;
  }

  /**
   * Run every variation: each waits until its estimated memory fits the budget, then a worker
   * decodes the inputs, runs the engine and encodes the output, which is written here at once.
   * When the engine closes (the broker stops) a job is left pending on disk and runs again at the
   * next start.
   */
  async function runJob(job: LocalJob): Promise<void> {
    const { rec } = job;
    const files: FileInputs = {
      endpoint: rec.inputs.endpoint,
      image: uploadFile(rec.inputs.image),
      mask: rec.inputs.mask && { file: uploadFile(rec.inputs.mask.uploadId), invert: rec.inputs.mask.invert },
      samplingMask: rec.inputs.samplingMask && { file: uploadFile(rec.inputs.samplingMask.uploadId), invert: rec.inputs.samplingMask.invert },
      expand: rec.inputs.expand,
      maxPixels: limits.maxPixels,
    };
    try {
      const fractions = rec.seeds.map(() => 0);
      // One failing variation stops its siblings; the job settles only when every task has stopped.
      const failed = new AbortController();
      const signal = AbortSignal.any([job.controller.signal, failed.signal]);
      const settled = await Promise.allSettled(
        rec.seeds.map(async (seed, i) => {
          let release: (() => void) | undefined;
          try {
            release = await budget.acquire(rec.taskBytes, signal).catch(() => {
              throw new TaskCancelledError();
            });
            const out = await pool.run(
              { op: "files", files, options: { seed } },
              {
                signal,
                onStart: () => {
                  if (job.status === "pending") job.status = "running";
                },
                onProgress: (f) => {
                  fractions[i] = f;
                  // Keep 5 % for writing, so 100 only ever means "done".
                  job.progress = Math.max(job.progress, Math.floor((95 * fractions.reduce((a, b) => a + b, 0)) / rec.seeds.length));
                },
              },
            );
            const url = `${OUTPUT_PREFIX}${rec.id}-${i}.png`;
            await writeDurably(outputFile(url), out.png);
            return { seed, url, width: out.width, height: out.height };
          } catch (e) {
            if (!(e instanceof TaskCancelledError)) failed.abort();
            throw e;
          } finally {
            release?.();
          }
        }),
      );
      if (closed) return;
      if (job.controller.signal.aborted) throw new TaskCancelledError();
      const firstError =
        settled.find((r) => r.status === "rejected" && !(r.reason instanceof TaskCancelledError)) ?? settled.find((r) => r.status === "rejected");
      if (firstError) throw (firstError as PromiseRejectedResult).reason;
      const done = settled.map((r) => (r as PromiseFulfilledResult<{ seed: number; url: string; width: number; height: number }>).value);
      lastSeenAt = now();
      await settleJob(job, "succeeded", { outputs: done.map(({ seed, url }) => ({ seed, url })), size: { width: done[0].width, height: done[0].height } });
      log({ event: "local_job_succeeded", jobId: rec.id, ms: now() - rec.createdAt, variations: rec.seeds.length });
    } catch (e) {
      if (closed) {
        log({ event: "local_job_interrupted", jobId: rec.id });
        return;
      }
      if (e instanceof TaskCancelledError || job.controller.signal.aborted) {
        await settleJob(job, "cancelled", { error: { code: "cancelled", message: "The job was cancelled." } });
        log({ event: "local_job_cancelled", jobId: rec.id });
        return;
      }
      const err = e as Error;
      const input = e instanceof TaskInputError;
      const error = {
        code: input ? "validation_error" : "runtime_error",
        message: input ? err.message : `The local engine failed: ${err.message}. Try again; if it keeps failing, try a smaller area.`,
      };
      await settleJob(job, "failed", { error });
      log({ event: "local_job_failed", jobId: rec.id, error: err.message });
    }
  }

  // What expired while the broker was stopped goes first; then jobs a stop interrupted run again
  // when their inputs are still here, else fail saying why.
  sweepNow();

  for (const job of interrupted) {
    const { inputs } = job.rec;
    if ([inputs.image, inputs.mask?.uploadId, inputs.samplingMask?.uploadId].every((id) => id === undefined || uploads.has(id))) void runJob(job);
    else
      void settleJob(job, "failed", {
        error: {
          code: "runtime_error",
          message: "The broker restarted while this job waited, and its uploaded images have expired since. Upload them again and resubmit.",
        },
      });
  }

  const provider: Provider = {
    kind: "local",

    /** Generate, generate-similar, upscale and the composites need Firefly: refused at submit, before anything is queued. */
    refuse: refusal,

    async upload(body: Readable, contentType: UploadContentType, owner: OwnerName): Promise<{ uploadId: string }> {
      const bytes = await readAll(body);
      let info;
      try {
        info = await probe(bytes);
      } catch {
        throw jobError(400, "bad_request", `The uploaded ${contentType} file could not be read as an image.`);
      }
      // Checked on the header's size, before anything is decoded.
      if (info.width * info.height > limits.maxPixels) {
        throw jobError(
          400,
          "image_too_large",
          `The image is ${info.width}×${info.height} (${describePixels(info.width * info.height)}); the local engine accepts at most ${describePixels(limits.maxPixels)}.`,
        );
      }
      const uploadId = randomUUID();
      const rec: UploadRecord = { id: uploadId, owner, width: info.width, height: info.height, createdAt: now() };
      await writeDurably(uploadFile(uploadId), bytes);
      await writeRecord(uploadRecordFile(uploadId), rec);
      uploads.set(uploadId, rec);
      log({ event: "local_upload", owner, width: info.width, height: info.height });
      return { uploadId };
    },

    async submit(endpoint: SubmitEndpoint, body: unknown, modelVersion: string | undefined, owner: OwnerName): Promise<{ jobId: string }> {
      if (closed) throw jobError(503, "runtime_error", "The local engine is shutting down.");
      if (endpoint !== "fill" && endpoint !== "expand") throw needsFirefly(NEEDS_FIREFLY[endpoint]);
      const checked = validateSubmit(endpoint, body, modelVersion);
      if (!checked.ok) throw new ProviderError({ status: 422, body: checked.body, message: checked.body.message });
      const req = checked.value as {
        image: { source: { uploadId?: string; url?: string } };
        mask?: { source: { uploadId?: string; url?: string }; invert?: boolean };
        samplingMask?: { source: { uploadId?: string; url?: string }; invert?: boolean };
        numVariations?: number;
        seeds?: number[];
        size?: { width: number; height: number };
        placement?: {
          inset?: { left?: number; top?: number; right?: number; bottom?: number };
          alignment?: { horizontal?: "left" | "center" | "right"; vertical?: "top" | "center" | "bottom" };
        };
      };
      const seeds = req.seeds ?? Array.from({ length: req.numVariations ?? 1 }, randomSeed);
      const src = { info: findUpload(req.image.source, ["image", "source"]), id: req.image.source.uploadId! };
      const mask = req.mask ? { info: findUpload(req.mask.source, ["mask", "source"]), id: req.mask.source.uploadId! } : undefined;
      const invert = req.mask?.invert === true;
      const sampling = req.samplingMask && { info: findUpload(req.samplingMask.source, ["samplingMask", "source"]), id: req.samplingMask.source.uploadId! };
      let expandSize = { width: 0, height: 0 };
      if (endpoint === "fill") {
        if (!mask) throw validation(["mask"], "fill needs a mask");
        if (mask.info.width !== src.info.width || mask.info.height !== src.info.height) {
          throw validation(
            ["mask", "source"],
            `the mask is ${mask.info.width}×${mask.info.height} but the image is ${src.info.width}×${src.info.height}; they must be the same size`,
          );
        }
      } else {
        expandSize = req.size ?? (mask ? { width: mask.info.width, height: mask.info.height } : DEFAULT_SIZE);
        if (mask && (mask.info.width !== expandSize.width || mask.info.height !== expandSize.height)) {
          throw validation(
            ["mask", "source"],
            `the expand mask is ${mask.info.width}×${mask.info.height} but the requested size is ${expandSize.width}×${expandSize.height}; they must match`,
          );
        }
        if (expandSize.width * expandSize.height > limits.maxPixels)
          throw validation(
            ["size"],
            `the requested size is ${expandSize.width}×${expandSize.height}; the local engine makes at most ${describePixels(limits.maxPixels)}`,
          );
        const rect = placeSource(src.info.width, src.info.height, expandSize.width, expandSize.height, mask ? undefined : req.placement);
        if (!mask && rect.x <= 0 && rect.y <= 0 && rect.x + rect.width >= expandSize.width && rect.y + rect.height >= expandSize.height) {
          throw validation(["size"], "the requested size leaves nothing to expand: make it larger than the image");
        }
      }

      const target = endpoint === "fill" ? src.info : expandSize;
      if (sampling && (sampling.info.width !== target.width || sampling.info.height !== target.height)) {
        throw validation(
          ["samplingMask", "source"],
          `the sampling mask is ${sampling.info.width}×${sampling.info.height} but the ${endpoint === "fill" ? "image" : "requested size"} is ${target.width}×${target.height}; they must be the same size`,
        );
      }

      const inputs: JobInputs = {
        endpoint,
        image: src.id,
        mask: mask && { uploadId: mask.id, invert },
        samplingMask: sampling && { uploadId: sampling.id, invert: req.samplingMask?.invert === true },
        expand: endpoint === "expand" ? { ...expandSize, placement: req.placement } : undefined,
      };
      const srcPixels = src.info.width * src.info.height;
      const outPixels = endpoint === "fill" ? srcPixels : expandSize.width * expandSize.height;
      const rec: JobRecord = {
        id: `local-${randomUUID()}`,
        owner,
        state: "pending",
        createdAt: now(),
        seeds,
        inputs,
        taskBytes: estimateTaskBytes(srcPixels, (mask ? mask.info.width * mask.info.height : 0) + (sampling ? outPixels : 0), outPixels),
        outputs: [],
      };
      // On disk before the job id is answered: a restart runs it again.
      await writeRecord(jobRecordFile(rec.id), rec);
      const job: LocalJob = { rec, status: "pending", progress: 0, controller: new AbortController() };
      jobs.set(rec.id, job);
      log({ event: "local_job_submitted", jobId: rec.id, endpoint, owner, variations: seeds.length });
      void runJob(job);
      return { jobId: rec.id };
    },

    async status(jobId: string): Promise<ProviderJobStatus> {
      const job = jobs.get(jobId);
      if (!job) throw jobError(404, "unknown_job_id", "The job id is unknown.");
      const { rec } = job;
      const s: ProviderJobStatus = { jobId: rec.id, status: job.status, progress: job.progress };
      if (job.status === "succeeded") {
        s.result = {
          size: rec.size,
          outputs: rec.outputs.map((o) => ({ seed: o.seed, image: { url: o.url } })),
          promptUsed: false,
          engine: "local",
          note: LOCAL_ENGINE_NOTE,
        };
      } else if (rec.error && (job.status === "failed" || job.status === "cancelled")) {
        s.error_code = rec.error.code;
        s.message = rec.error.message;
      }
      return s;
    },

    async cancel(jobId: string): Promise<void> {
      const job = jobs.get(jobId);
      if (!job) throw jobError(404, "unknown_job_id", "The job id is unknown.");
      if (job.status === "succeeded" || job.status === "failed") throw jobError(409, "job_completed", "The job was already completed.");
      if (job.status === "cancelled" || job.status === "cancel_pending") throw jobError(409, "job_already_canceled", "The job was already cancelled.");
      job.status = "cancel_pending";
      job.controller.abort();
    },

    async openOutput(url: string): Promise<ProviderOutput> {
      // Only a URL a succeeded job of this engine holds (so never a path of the caller's making).
      const gone = () => jobError(404, "not_found", "This output does not exist or has expired.");
      const m = OUTPUT_NAME_RE.exec(url.startsWith(OUTPUT_PREFIX) ? url.slice(OUTPUT_PREFIX.length) : "");
      const job = m ? jobs.get(m[1]) : undefined;
      if (!job || job.status !== "succeeded" || !job.rec.outputs.some((o) => o.url === url)) throw gone();
      const file = outputFile(url);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat) throw gone();
      return { stream: createReadStream(file), contentType: "image/png", contentLength: stat.size };
    },

    async customModels(): Promise<unknown> {
      throw needsFirefly("Custom models");
    },

    health(): ProviderHealth {
      const st = pool.stats();
      const mem = budget.stats();
      const mb = (n: number) => Math.round(n / (1024 * 1024));
      return {
        reachable: !closed,
        lastSeenAt,
        detail: `local engine: ${pool.size} workers, ${st.busy} busy, ${st.queued} queued; ${mb(mem.heldBytes)} of ${mb(budget.totalBytes)} MB of its memory budget held, ${mem.waiting} tasks waiting for it`,
      };
    },

    async close(): Promise<void> {
      closed = true;
      clearInterval(sweep);
      // A job whose cancel was asked is recorded as cancelled, not left to run again at the next start.
      const cancelling = [...jobs.values()].filter((j) => j.status === "cancel_pending");
      await Promise.all(cancelling.map((j) => settleJob(j, "cancelled", { error: { code: "cancelled", message: "The job was cancelled." } })));
      for (const job of jobs.values()) if (job.status === "pending" || job.status === "running") job.controller.abort();
      await pool.close();
    },
  };
  return provider;
}
