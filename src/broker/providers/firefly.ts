// The firefly provider: Adobe's Firefly v3 async API with an IMS token. Adds the auth headers,
// refreshes the token once and replays once on a 401, retries idempotent calls on 5xx/network
// errors with backoff and jitter, and never retries a submit itself (the broker's queue decides,
// and only when the submit provably never reached Adobe).

import { randomUUID } from "crypto";
import type { Readable } from "stream";
import {
  AcceptResponseSchema,
  BROKER_ERROR_CODES,
  FIREFLY_JOB_STATUSES,
  SUBMIT_PATHS,
  UploadResponseSchema,
  compositeJobId,
  isCompositeEndpoint,
  readUpscaleOutputs,
  upscaleJobId,
  type SubmitEndpoint,
} from "../../common/firefly";
import { fetchUpstream, jsonBody, NetworkError, streamUpstream, type UpstreamResponse, type UpstreamTarget } from "../http/upstream";
import { ImsTokens } from "./ims";
import { Provider, ProviderError, ProviderHealth, ProviderJobStatus, ProviderOutput, readAll, UploadContentType } from "./provider";
import { redactThenCut } from "../log";
import { OutputHostPolicy } from "./output-hosts";

export interface FireflyProviderOptions {
  fireflyUrl: string;
  clientId: string;
  ims: ImsTokens;
  outputHosts: OutputHostPolicy;
  timeouts?: Partial<{ get: number; submit: number; upload: number; output: number }>;
  /** Attempts after the first for GET/PUT on 5xx and network errors (default 3). */
  retries?: number;
  retryBaseMs?: number;
  /** Masks the broker's secrets in upstream text passed on (default: none known). */
  redact?: (text: string) => string;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;
const RETRY_STATUSES = new Set([500, 502, 503, 504]);

type Kind = "idempotent" | "submit" | "upload";

export function createFireflyProvider(options: FireflyProviderOptions): Provider {
  return new FireflyProvider(options);
}

class FireflyProvider implements Provider {
  readonly kind = "firefly" as const;
  /** The Firefly origin, and the path it is served under ("" for Adobe's host). */
  private readonly origin: string;
  private readonly prefix: string;
  private lastSeenAt: number | undefined;
  private lastError: string | undefined;
  private reachable = true;
  private readonly t: { get: number; submit: number; upload: number; output: number };
  private readonly redact: (text: string) => string;

  constructor(private readonly o: FireflyProviderOptions) {
    const base = new URL(o.fireflyUrl);
    this.origin = base.origin;
    this.prefix = base.pathname.replace(/\/+$/, "");
    this.t = { get: 30_000, submit: 60_000, upload: 120_000, output: 120_000, ...o.timeouts };
    this.redact = o.redact ?? ((text) => text);
  }

  /** `samplingMask` is the local engine's; Firefly has no sampling area, so it is refused before the job is queued. */
  refuse(_endpoint: SubmitEndpoint, _modelVersion: string | undefined, body: unknown): ProviderError | undefined {
    if (typeof body !== "object" || body === null || !("samplingMask" in body)) return undefined;
    const msg = "samplingMask is an option of the local engine; Firefly has no sampling area: leave it out";
    return new ProviderError({
      status: 422,
      body: { error_code: "validation_error", message: msg, validation_errors: [{ loc: ["body", "samplingMask"], msg, type: "value_error" }] },
      message: msg,
    });
  }

  /** Where a Firefly path is (`path` holds only URL-safe characters; the query is encoded here). */
  private url(path: string, query?: Record<string, string>): UpstreamTarget {
    const q = query ? new URLSearchParams(query).toString() : "";
    return { origin: this.origin, path: this.prefix + path + (q ? `?${q}` : "") };
  }

  private seen(ok: boolean, detail?: string): void {
    this.reachable = ok;
    if (ok) this.lastSeenAt = Date.now();
    else this.lastError = detail;
  }

  /** One call with token, one 401 refresh+replay, and retries for idempotent kinds. */
  private async call(
    kind: Kind,
    method: "GET" | "POST" | "PUT",
    url: UpstreamTarget,
    headers: Record<string, string>,
    body: () => Buffer | string | Readable | undefined,
    timeoutMs: number,
  ): Promise<UpstreamResponse> {
    const retries = kind === "idempotent" ? (this.o.retries ?? 3) : 0;
    const base = this.o.retryBaseMs ?? 200;
    let refreshed = false;
    for (let attempt = 0; ;) {
      const token = this.o.ims.current() ?? (await this.o.ims.get());
      let res: UpstreamResponse;
      try {
        res = await fetchUpstream({
          method,
          url,
          headers: { ...headers, authorization: `Bearer ${token}`, "x-api-key": this.o.clientId, accept: "application/json" },
          body: body(),
          timeoutMs,
          freshConnection: kind === "submit",
          pool: kind === "upload" ? "upload" : "short",
        });
      } catch (err) {
        const ne = err instanceof NetworkError ? err : new NetworkError("EUNKNOWN", false);
        this.seen(false, ne.code);
        if (attempt < retries) {
          await backoff(base, attempt++);
          continue;
        }
        throw new ProviderError({
          status: 0,
          notSent: ne.notSent,
          body: { error_code: BROKER_ERROR_CODES.upstreamUnreachable, message: "The broker could not reach Firefly." },
          detail: `Firefly ${method} ${url.path.split("?")[0]}: ${ne.code}`,
        });
      }
      this.seen(res.status < 500, `HTTP ${res.status}`);
      if (res.status === 401 && !refreshed) {
        // The token expired early or was revoked: one fresh token, one replay. A 401 was not processed.
        refreshed = true;
        this.o.ims.invalidate(token);
        continue;
      }
      if (RETRY_STATUSES.has(res.status) && attempt < retries) {
        await backoff(base, attempt++);
        continue;
      }
      return res;
    }
  }

  private fail(res: UpstreamResponse, what: string, submit = false): never {
    const body = jsonBody(res.body);
    const headers = pick(res.headers, ["retry-after", "x-access-error", "x-access-rate-limit-level"]);
    for (const name in headers) headers[name] = this.redact(headers[name]);
    throw new ProviderError({
      status: res.status,
      body:
        typeof body === "object" && body !== null
          ? (JSON.parse(this.redact(JSON.stringify(body))) as unknown)
          : { message: typeof body === "string" ? redactThenCut(body.replace(/<[^>]*>/g, " ").trim(), 300, this.redact) : undefined },
      headers,
      // Adobe did not take the job on a 429 or 503: safe to send again later.
      notSent: submit && (res.status === 429 || res.status === 503),
      detail: `Firefly ${what}: HTTP ${res.status}`,
    });
  }

  async upload(body: Readable, contentType: UploadContentType, _owner: string): Promise<{ uploadId: string }> {
    // The broker hands over a body already read (and capped); kept whole so a 401 can be replayed.
    const bytes = await readAll(body);
    const headers: Record<string, string> = { "content-type": contentType, "content-length": String(bytes.length) };
    const res = await this.call("upload", "POST", this.url("/v2/storage/image"), headers, () => bytes, this.t.upload);
    if (res.status !== 200) this.fail(res, "upload");
    const parsed = UploadResponseSchema.safeParse(jsonBody(res.body));
    if (!parsed.success) throw unexpected("upload");
    return { uploadId: parsed.data.images[0].id };
  }

  async submit(endpoint: SubmitEndpoint, body: unknown, modelVersion: string | undefined): Promise<{ jobId: string }> {
    const json = JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(json)) };
    if (modelVersion) headers["x-model-version"] = modelVersion;
    const res = await this.call("submit", "POST", this.url(SUBMIT_PATHS[endpoint]), headers, () => json, this.t.submit);
    if (res.status !== 202 && res.status !== 200) this.fail(res, `submit ${endpoint}`, true);
    const answer = jsonBody(res.body);
    const parsed = AcceptResponseSchema.safeParse(answer);
    const jobId =
      endpoint === "upscale" ? upscaleJobId(answer) : isCompositeEndpoint(endpoint) ? compositeJobId(answer) : parsed.success ? parsed.data.jobId : undefined;
    if (jobId === undefined || !JOB_ID.test(jobId)) throw unexpected(`submit ${endpoint}`);
    return { jobId };
  }

  async status(jobId: string): Promise<ProviderJobStatus> {
    if (!JOB_ID.test(jobId)) throw unexpected("status");
    const res = await this.call("idempotent", "GET", this.url(`/v3/status/${jobId}`), {}, () => undefined, this.t.get);
    if (res.status !== 200) this.fail(res, "status");
    const st = readJobStatus(jsonBody(res.body), this.redact);
    if (!st) throw unexpected("status");
    return st;
  }

  async cancel(jobId: string): Promise<void> {
    if (!JOB_ID.test(jobId)) throw unexpected("cancel");
    const res = await this.call("idempotent", "PUT", this.url(`/v3/cancel/${jobId}`), { "content-length": "0" }, () => undefined, this.t.get);
    if (res.status < 200 || res.status > 299) this.fail(res, "cancel");
  }

  async openOutput(url: string): Promise<ProviderOutput> {
    const target = this.o.outputHosts.check(url);
    if (!target) {
      throw new ProviderError({
        status: 502,
        body: { error_code: "output_host_not_allowed", message: "The output is on a host the broker does not fetch from." },
        detail: "output URL host not allow-listed",
      });
    }
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        // Pre-signed URLs: no Authorization / x-api-key (they would break the signature).
        const res = await streamUpstream({ method: "GET", url: target, headers: { accept: "image/*" }, timeoutMs: this.t.output });
        if (res.status === 200) {
          const len = Number(res.headers["content-length"]);
          return { stream: res.stream, contentType: safeImageType(res.headers["content-type"]), contentLength: Number.isFinite(len) ? len : undefined };
        }
        res.stream.resume();
        if (RETRY_STATUSES.has(res.status) && attempt < retries) {
          await backoff(this.o.retryBaseMs ?? 200, attempt);
          continue;
        }
        throw new ProviderError({
          status: res.status === 403 || res.status === 404 ? 410 : 502,
          body:
            res.status === 403 || res.status === 404
              ? { error_code: "output_expired", message: "This output has expired. Run the job again." }
              : { error_code: "runtime_error", message: "Could not fetch the output image." },
          detail: `output GET: HTTP ${res.status}`,
        });
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        if (attempt < retries) {
          await backoff(this.o.retryBaseMs ?? 200, attempt);
          continue;
        }
        throw new ProviderError({
          status: 0,
          body: { error_code: BROKER_ERROR_CODES.upstreamUnreachable, message: "Could not reach the output host." },
          detail: `output GET: ${err instanceof NetworkError ? err.code : "error"}`,
        });
      }
    }
  }

  async customModels(query: Record<string, string>): Promise<unknown> {
    const res = await this.call("idempotent", "GET", this.url("/v3/custom-models", query), { "x-request-id": randomUUID() }, () => undefined, this.t.get);
    if (res.status !== 200) this.fail(res, "custom-models");
    const body = jsonBody(res.body);
    if (typeof body !== "object" || body === null) throw unexpected("custom-models");
    return body;
  }

  health(): ProviderHealth {
    return { reachable: this.reachable, lastSeenAt: this.lastSeenAt, detail: this.reachable ? undefined : this.lastError };
  }

  async close(): Promise<void> {
    /* keep-alive agents are process-wide; nothing per provider */
  }
}

function backoff(base: number, attempt: number): Promise<void> {
  const ms = Math.min(base * 2 ** attempt, 10_000) * (0.5 + Math.random());
  return new Promise((r) => setTimeout(r, ms));
}

function unexpected(what: string): ProviderError {
  return new ProviderError({
    status: 502,
    body: { error_code: "runtime_error", message: "Firefly gave an answer the broker did not understand." },
    detail: `Firefly ${what}: unexpected body`,
  });
}

function pick(h: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (h[n] !== undefined) out[n] = h[n];
  return out;
}

function safeImageType(ct: string | undefined): string {
  const t = (ct ?? "").split(";")[0].trim().toLowerCase();
  return /^image\/(jpeg|png|webp|tiff|jxl|avif|gif)$/.test(t) ? t : "application/octet-stream";
}

/**
 * Firefly's job status, checked by hand (the hot path of every poll): the fields clients rely on,
 * typed; unknown fields dropped. Undefined when the body is not a job status.
 */
export function readJobStatus(body: unknown, redact: (text: string) => string = (text) => text): ProviderJobStatus | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  const status = b.status as ProviderJobStatus["status"];
  if (typeof b.jobId !== "string" || !b.jobId || !(FIREFLY_JOB_STATUSES as readonly string[]).includes(status)) return undefined;
  const out: ProviderJobStatus = { jobId: b.jobId, status };
  if (typeof b.progress === "number" && b.progress >= 0 && b.progress <= 100) out.progress = b.progress;
  if (typeof b.error_code === "string") out.error_code = redactThenCut(b.error_code, 200, redact);
  if (typeof b.message === "string") out.message = redactThenCut(b.message, 2000, redact);
  const r = b.result as Record<string, unknown> | undefined;
  const upscaled = r && typeof r === "object" && Array.isArray(r.outputs) ? readUpscaleOutputs(r.outputs) : undefined;
  if (upscaled) {
    out.result = { outputs: upscaled };
    if (typeof r!.version === "string") out.result.version = r!.version.slice(0, 100);
  } else if (r && typeof r === "object" && Array.isArray(r.outputs)) {
    const outputs: { seed: number; image: { url: string } }[] = [];
    for (const o of r.outputs as unknown[]) {
      const x = o as { seed?: unknown; image?: { url?: unknown } } | null;
      if (!x || !Number.isInteger(x.seed) || typeof x.image?.url !== "string" || x.image.url.length > 2083) return undefined;
      outputs.push({ seed: x.seed as number, image: { url: x.image.url } });
    }
    const result: ProviderJobStatus["result"] = { outputs };
    const size = r.size as { width?: unknown; height?: unknown } | undefined;
    if (size && Number.isInteger(size.width) && Number.isInteger(size.height)) result.size = { width: size.width as number, height: size.height as number };
    if (r.contentClass === "photo" || r.contentClass === "art") result.contentClass = r.contentClass;
    if (typeof r.altText === "string") result.altText = redactThenCut(r.altText, 4000, redact);
    for (const flag of ["promptHasDeniedWords", "promptHasBlockedArtists", "promptUsed"]) if (typeof r[flag] === "boolean") result[flag] = r[flag];
    out.result = result;
  } else if (status === "succeeded") return undefined;
  return out;
}
