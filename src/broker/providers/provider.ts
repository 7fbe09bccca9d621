// The Provider: what the broker's routes call to get real work done.
//
// Two implementations share this interface:
//   - `firefly` (./firefly.ts): IMS token + Adobe's Firefly v3 async API upstream;
//   - `local`  (../local/, `createLocalProvider(options)`): the built-in engine, no credentials.
//
// Providers only *do* things. Queueing, pacing against the org's rate limit, fair ordering across
// keys, job ownership, broker job ids and signed output URLs all live in the broker (routes, queue,
// store) so both providers get them for free. A provider never sees a broker key, and owner names
// are passed only for bookkeeping (e.g. per-user temp folders) — never for access decisions.

import type { Readable } from "stream";
import type { SubmitEndpoint } from "../../common/firefly";

/** The broker key's name (not the key) of whoever asked. */
export type OwnerName = string;

export type UploadContentType = "image/jpeg" | "image/png" | "image/webp";

/** A Firefly-shaped job status as the provider knows it (provider job id, provider output URLs). */
export interface ProviderJobStatus {
  jobId: string;
  status: "pending" | "running" | "succeeded" | "failed" | "canceled" | "cancelled" | "cancel_pending" | "timeout";
  progress?: number;
  result?: {
    outputs: { seed: number; image: { url: string } }[];
    size?: { width: number; height: number };
    [extra: string]: unknown;
  };
  error_code?: string;
  message?: string;
  [extra: string]: unknown;
}

/** An output image opened for streaming. */
export interface ProviderOutput {
  stream: Readable;
  contentType: string;
  contentLength?: number;
}

/**
 * A failure a provider reports. `status` and `body` are Firefly-shaped (what Firefly would have
 * answered: e.g. 422 `{error_code:"validation_error", …}`, 429 with `retry-after`, 451 …);
 * `status: 0` means the upstream could not be reached at all (network error, timeout).
 * The broker turns it into its answer with `classifyError` from the shared contract.
 */
export class ProviderError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /**
   * True only when the request provably never reached the service (connection refused, DNS
   * failure, 429, 503 before processing). Only then may the broker send a submit again:
   * a generation submit must never be billed twice.
   */
  readonly notSent: boolean;
  /** Technical detail for logs (already free of secrets). */
  readonly detail: string;

  constructor(init: { status: number; body?: unknown; headers?: Record<string, string>; notSent?: boolean; detail?: string; message?: string }) {
    const body = init.body ?? {};
    const msg =
      init.message ??
      (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string"
        ? String((body as { message: string }).message)
        : `upstream answered ${init.status}`);
    super(msg);
    this.name = "ProviderError";
    this.status = init.status;
    this.body = body;
    this.headers = init.headers ?? {};
    this.notSent = init.notSent ?? false;
    this.detail = init.detail ?? msg;
  }
}

export interface ProviderHealth {
  reachable: boolean;
  /** Epoch ms of the last successful exchange with the upstream/engine, if any. */
  lastSeenAt?: number;
  detail?: string;
}

export interface Provider {
  readonly kind: "firefly" | "local";

  /**
   * Store an image. `body` is the client's raw image bytes, already limited by the broker to
   * MAX_UPLOAD_BYTES (the stream errors with `UploadTooLargeError` past the cap) and with a
   * checked content type. Resolves to the Firefly upload id (`images[0].id`).
   */
  upload(body: Readable, contentType: UploadContentType, owner: OwnerName, contentLength?: number): Promise<{ uploadId: string }>;

  /**
   * Start a generation job. `body` has already passed `validateSubmit(endpoint, …)`, and
   * `modelVersion` is the validated `x-model-version` header (undefined when absent).
   * Resolves to the provider's own job id. Throws ProviderError; `notSent` says if it may be retried.
   * The broker calls this at most once per accepted job unless `notSent` was true.
   */
  submit(endpoint: SubmitEndpoint, body: unknown, modelVersion: string | undefined, owner: OwnerName): Promise<{ jobId: string }>;

  /**
   * Optional, synchronous and cheap: refuse a submit this provider can never run (e.g. the local
   * engine and `generate`) so the client hears it at once instead of from a failed job. Return the
   * Firefly-shaped error, or undefined to accept. Called before the job is queued, with the
   * validated body.
   */
  refuse?(endpoint: SubmitEndpoint, modelVersion: string | undefined, body: unknown): ProviderError | undefined;

  /** Current status of a provider job (output URLs are the provider's; the broker re-signs them). */
  status(jobId: string): Promise<ProviderJobStatus>;

  /** Ask to cancel a provider job. Firefly-shaped errors (404, 409 job_completed, 410) as ProviderError. */
  cancel(jobId: string): Promise<void>;

  /**
   * Open one output image for streaming to the client. `url` is exactly a URL this provider put in
   * a `succeeded` status. Implementations must refuse URLs they would not have produced
   * (the firefly provider follows only allow-listed output hosts).
   */
  openOutput(url: string): Promise<ProviderOutput>;

  /** `GET /v3/custom-models` with the client's query parameters; resolves to the JSON body. */
  customModels(query: Record<string, string>): Promise<unknown>;

  /** Reachability as last seen, for `GET /health`. Must not call upstream on every health check. */
  health(): ProviderHealth;

  /** Release sockets, workers, timers. */
  close(): Promise<void>;
}

/** Options the broker passes to `createLocalProvider` (src/broker/local). */
export interface LocalProviderOptions {
  /** A folder the engine may use for uploads and outputs (created by the broker, owner-only). */
  dataDir: string;
  /** Worker threads to use (defaults to the number of cores). */
  workers?: number;
  /** Structured logger (one JSON object per call; never pass secrets). */
  log?: (entry: Record<string, unknown>) => void;
}

export type LocalProviderFactory = (options: LocalProviderOptions) => Provider;

/** Thrown by the upload body stream the broker hands to providers when the client sends > cap. */
export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The image is larger than ${Math.round(limit / (1024 * 1024))} MB.`);
    this.name = "UploadTooLargeError";
  }
}

/** Read a (capped) upload stream fully. For providers that need the bytes in memory. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
