// The `local` provider: the Firefly-shaped contract served by the built-in engine, with no
// credentials. Uploads and outputs live in `dataDir`; jobs run on the engine worker pool and go
// through Firefly's lifecycle (pending → running → succeeded | failed | cancel_pending → cancelled)
// with a `progress` percentage. Generate, generate-similar, upscale, the composites and custom
// models need Firefly.

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
import { MAX_INPUT_PIXELS, configureCodecs, decodeMask, decodeRgba, encodePng, probe } from "./codec";
import { placeSource } from "./engine";
import { EnginePool, TaskCancelledError, TaskInputError, defaultPoolSize, type PoolOptions } from "./pool";
import type { EngineTask } from "./pool-protocol";
import type { RgbaImage } from "./engine/types";

export const LOCAL_ENGINE_NOTE =
  "Made by Infill's local engine (content-aware fill from the surrounding image). The prompt was not used: prompts need Firefly credentials on the broker.";

const OUTPUT_PREFIX = "infill-local:/outputs/";
/** Firefly keeps outputs for an hour and uploads for 7 days; the local engine keeps both for a day. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_SIZE = { width: 2048, height: 2048 };

export interface LocalProviderExtraOptions {
  /** Pool overrides (tests: small resource limits, test hooks). */
  pool?: PoolOptions;
}

type JobState = ProviderJobStatus["status"];

interface LocalJob {
  id: string;
  owner: OwnerName;
  endpoint: "fill" | "expand";
  status: JobState;
  progress: number;
  createdAt: number;
  finishedAt?: number;
  seeds: number[];
  size?: { width: number; height: number };
  outputs: { seed: number; url: string }[];
  error?: { code: string; message: string };
  controller: AbortController;
}

interface StoredUpload {
  file: string;
  width: number;
  height: number;
  createdAt: number;
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
  const uploadsDir = path.join(options.dataDir, "uploads");
  const outputsDir = path.join(options.dataDir, "outputs");
  const uploads = new Map<string, StoredUpload>();
  const jobs = new Map<string, LocalJob>();
  const outputs = new Map<string, { file: string; createdAt: number }>();
  let lastSeenAt: number | undefined;
  let closed = false;
  const ready = Promise.all([fs.mkdir(uploadsDir, { recursive: true, mode: 0o700 }), fs.mkdir(outputsDir, { recursive: true, mode: 0o700 })]);
  log({ event: "local_engine_started", workers: pool.size, codecThreads });

  const sweep = setInterval(() => void prune(), 10 * 60 * 1000);
  sweep.unref();

  async function prune(): Promise<void> {
    const cutoff = Date.now() - RETENTION_MS;
    for (const [id, u] of uploads) if (u.createdAt < cutoff) { uploads.delete(id); await fs.rm(u.file, { force: true }); }
    for (const [url, o] of outputs) if (o.createdAt < cutoff) { outputs.delete(url); await fs.rm(o.file, { force: true }); }
    for (const [id, j] of jobs) if (j.finishedAt !== undefined && j.finishedAt < cutoff) jobs.delete(id);
  }

  async function readUpload(source: { uploadId?: string; url?: string }, loc: string[]): Promise<{ bytes: Buffer; info: StoredUpload }> {
    if (!source.uploadId) {
      throw validation([...loc, "url"], "the local engine reads only images uploaded to this broker (uploadId); pre-signed URLs need Firefly");
    }
    const info = uploads.get(source.uploadId);
    if (!info) throw validation([...loc, "uploadId"], "unknown uploadId: upload the image to this broker first (uploads are kept for a day)");
    return { bytes: await fs.readFile(info.file), info };
  }

  function setStatus(job: LocalJob, status: JobState): void {
    if (job.status === "succeeded" || job.status === "failed" || job.status === "cancelled") return;
    job.status = status;
    if (status === "succeeded" || status === "failed" || status === "cancelled") job.finishedAt = Date.now();
  }

  async function runJob(job: LocalJob, makeTask: () => Promise<EngineTask[]>): Promise<void> {
    try {
      const tasks = await makeTask();
      const fractions = tasks.map(() => 0);
      // One failing variation stops its siblings; the job settles only when every task has stopped.
      const failed = new AbortController();
      const signal = AbortSignal.any([job.controller.signal, failed.signal]);
      const settled = await Promise.allSettled(
        tasks.map((task, i) =>
          pool
            .run(task, {
              signal,
              onStart: () => { if (job.status === "pending") setStatus(job, "running"); },
              onProgress: (f) => {
                fractions[i] = f;
                // Keep 5 % for encoding, so 100 only ever means "done".
                job.progress = Math.max(job.progress, Math.floor((95 * fractions.reduce((a, b) => a + b, 0)) / tasks.length));
              },
            })
            .catch((e: unknown) => {
              if (!(e instanceof TaskCancelledError)) failed.abort();
              throw e;
            }),
        ),
      );
      if (job.controller.signal.aborted) throw new TaskCancelledError();
      const firstError = settled.find((r) => r.status === "rejected" && !(r.reason instanceof TaskCancelledError)) ?? settled.find((r) => r.status === "rejected");
      if (firstError) throw (firstError as PromiseRejectedResult).reason;
      const images = settled.map((r) => (r as PromiseFulfilledResult<RgbaImage>).value);
      for (let i = 0; i < images.length; i++) {
        const png = await encodePng(images[i]);
        const name = `${job.id}-${i}.png`;
        const file = path.join(outputsDir, name);
        await fs.writeFile(file, png, { mode: 0o600 });
        const url = OUTPUT_PREFIX + name;
        outputs.set(url, { file, createdAt: Date.now() });
        job.outputs.push({ seed: job.seeds[i], url });
      }
      job.size = { width: images[0].width, height: images[0].height };
      job.progress = 100;
      lastSeenAt = Date.now();
      setStatus(job, "succeeded");
      log({ event: "local_job_succeeded", jobId: job.id, ms: Date.now() - job.createdAt, variations: images.length });
    } catch (e) {
      if (e instanceof TaskCancelledError || job.controller.signal.aborted) {
        setStatus(job, "cancelled");
        job.error = { code: "cancelled", message: "The job was cancelled." };
        log({ event: "local_job_cancelled", jobId: job.id });
        return;
      }
      const err = e as Error;
      const input = e instanceof TaskInputError;
      job.error = {
        code: input ? "validation_error" : "runtime_error",
        message: input ? err.message : `The local engine failed: ${err.message}. Try again; if it keeps failing, try a smaller area.`,
      };
      setStatus(job, "failed");
      log({ event: "local_job_failed", jobId: job.id, error: err.message });
    }
  }

  const provider: Provider = {
    kind: "local",

    /** Generate, generate-similar, upscale and the composites need Firefly: refused at submit, before anything is queued. */
    refuse: refusal,

    async upload(body: Readable, contentType: UploadContentType, owner: OwnerName): Promise<{ uploadId: string }> {
      await ready;
      const bytes = await readAll(body);
      let info;
      try {
        info = await probe(bytes);
      } catch {
        throw jobError(400, "bad_request", `The uploaded ${contentType} file could not be read as an image.`);
      }
      if (info.width * info.height > MAX_INPUT_PIXELS) {
        throw jobError(400, "bad_request", `The image is ${info.width}×${info.height}; the local engine accepts at most ${MAX_INPUT_PIXELS / 1e6} megapixels.`);
      }
      const uploadId = randomUUID();
      const file = path.join(uploadsDir, uploadId);
      await fs.writeFile(file, bytes, { mode: 0o600 });
      uploads.set(uploadId, { file, width: info.width, height: info.height, createdAt: Date.now() });
      log({ event: "local_upload", owner, uploadId, width: info.width, height: info.height });
      return { uploadId };
    },

    async submit(endpoint: SubmitEndpoint, body: unknown, modelVersion: string | undefined, owner: OwnerName): Promise<{ jobId: string }> {
      if (closed) throw jobError(503, "runtime_error", "The local engine is shutting down.");
      if (endpoint !== "fill" && endpoint !== "expand") throw needsFirefly(NEEDS_FIREFLY[endpoint]);
      const checked = validateSubmit(endpoint, body, modelVersion);
      if (!checked.ok) throw new ProviderError({ status: 422, body: checked.body, message: checked.body.message });
      await ready;
      const req = checked.value as {
        image: { source: { uploadId?: string; url?: string } };
        mask?: { source: { uploadId?: string; url?: string }; invert?: boolean };
        numVariations?: number;
        seeds?: number[];
        size?: { width: number; height: number };
        placement?: { inset?: { left?: number; top?: number; right?: number; bottom?: number }; alignment?: { horizontal?: "left" | "center" | "right"; vertical?: "top" | "center" | "bottom" } };
      };
      const seeds = req.seeds ?? Array.from({ length: req.numVariations ?? 1 }, randomSeed);
      const src = await readUpload(req.image.source, ["image", "source"]);
      const mask = req.mask ? await readUpload(req.mask.source, ["mask", "source"]) : undefined;
      const invert = req.mask?.invert === true;
      let expandSize = { width: 0, height: 0 };
      if (endpoint === "fill") {
        if (!mask) throw validation(["mask"], "fill needs a mask");
        if (mask.info.width !== src.info.width || mask.info.height !== src.info.height) {
          throw validation(["mask", "source"], `the mask is ${mask.info.width}×${mask.info.height} but the image is ${src.info.width}×${src.info.height}; they must be the same size`);
        }
      } else {
        expandSize = req.size ?? (mask ? { width: mask.info.width, height: mask.info.height } : DEFAULT_SIZE);
        if (mask && (mask.info.width !== expandSize.width || mask.info.height !== expandSize.height)) {
          throw validation(["mask", "source"], `the expand mask is ${mask.info.width}×${mask.info.height} but the requested size is ${expandSize.width}×${expandSize.height}; they must match`);
        }
        if (expandSize.width * expandSize.height > MAX_INPUT_PIXELS) throw validation(["size"], "the requested size is too large for the local engine");
        const rect = placeSource(src.info.width, src.info.height, expandSize.width, expandSize.height, mask ? undefined : req.placement);
        if (!mask && rect.x <= 0 && rect.y <= 0 && rect.x + rect.width >= expandSize.width && rect.y + rect.height >= expandSize.height) {
          throw validation(["size"], "the requested size leaves nothing to expand: make it larger than the image");
        }
      }

      const job: LocalJob = {
        id: `local-${randomUUID()}`,
        owner,
        endpoint,
        status: "pending",
        progress: 0,
        createdAt: Date.now(),
        seeds,
        outputs: [],
        controller: new AbortController(),
      };
      jobs.set(job.id, job);
      log({ event: "local_job_submitted", jobId: job.id, endpoint, owner, variations: seeds.length });
      void runJob(job, async () => {
        const image = await decodeRgba(src.bytes);
        const maskImg = mask ? await decodeMask(mask.bytes, invert) : undefined;
        // Each variation gets its own copy of the inputs (they are transferred to a worker).
        return seeds.map((seed, i): EngineTask => {
          const img = i === seeds.length - 1 ? image : { ...image, data: image.data.slice() };
          const m = maskImg && (i === seeds.length - 1 ? maskImg : { ...maskImg, data: maskImg.data.slice() });
          return endpoint === "fill"
            ? { op: "fill", image: img, mask: m!, options: { seed } }
            : { op: "expand", image: img, request: { ...expandSize, placement: req.placement, mask: m }, options: { seed } };
        });
      });
      return { jobId: job.id };
    },

    async status(jobId: string): Promise<ProviderJobStatus> {
      const job = jobs.get(jobId);
      if (!job) throw jobError(404, "unknown_job_id", "The job id is unknown.");
      const s: ProviderJobStatus = { jobId: job.id, status: job.status, progress: job.progress };
      if (job.status === "succeeded") {
        s.result = {
          size: job.size,
          outputs: job.outputs.map((o) => ({ seed: o.seed, image: { url: o.url } })),
          promptUsed: false,
          engine: "local",
          note: LOCAL_ENGINE_NOTE,
        };
      } else if (job.error && (job.status === "failed" || job.status === "cancelled")) {
        s.error_code = job.error.code;
        s.message = job.error.message;
      }
      return s;
    },

    async cancel(jobId: string): Promise<void> {
      const job = jobs.get(jobId);
      if (!job) throw jobError(404, "unknown_job_id", "The job id is unknown.");
      if (job.status === "succeeded" || job.status === "failed") throw jobError(409, "job_completed", "The job was already completed.");
      if (job.status === "cancelled" || job.status === "cancel_pending") throw jobError(409, "job_already_canceled", "The job was already cancelled.");
      setStatus(job, "cancel_pending");
      job.controller.abort();
    },

    async openOutput(url: string): Promise<ProviderOutput> {
      const o = outputs.get(url);
      if (!o) throw jobError(404, "not_found", "This output does not exist or has expired.");
      const stat = await fs.stat(o.file).catch(() => null);
      if (!stat) throw jobError(404, "not_found", "This output does not exist or has expired.");
      return { stream: createReadStream(o.file), contentType: "image/png", contentLength: stat.size };
    },

    async customModels(): Promise<unknown> {
      throw needsFirefly("Custom models");
    },

    health(): ProviderHealth {
      const st = pool.stats();
      return { reachable: !closed, lastSeenAt, detail: `local engine: ${pool.size} workers, ${st.busy} busy, ${st.queued} queued` };
    },

    async close(): Promise<void> {
      closed = true;
      clearInterval(sweep);
      for (const job of jobs.values()) if (job.status === "pending" || job.status === "running") job.controller.abort();
      await pool.close();
    },
  };
  return provider;
}
