// HTTP client for the Infill broker, which serves Firefly's own paths. fetch-based and free of Node
// APIs (UXP, browser, Node). Answers are parsed with the shared contract's schemas; failures are
// classified by the shared classifier; network failures become category "network".

import {
  AcceptResponseSchema,
  CustomModelsResponseSchema,
  JobStatusResponseSchema,
  SUBMIT_PATHS,
  UploadResponseSchema,
  classifyError,
  validateSubmit,
  type AcceptResponse,
  type CustomModelsResponse,
  type JobStatusResponse,
  type SubmitEndpoint,
  type SubmitRequest,
} from "../../common/firefly";
import type { ErrorCategory } from "../../common/jobs";
import { cropQuery, parsePlacement, type OutputCrop, type OutputPlacement } from "../../common/imaging/crop";
import { listAllCustomModels } from "./custom-models";
import { parseWebAddress } from "../../common/net/web-address";
import { raceAbort } from "./abort";
import { REQUEST_ID_HEADER, REQUEST_ID_RE } from "../../common/request-id";
import { QUOTA_PATH, QuotaAnswerSchema, type QuotaAnswer } from "./quota";
import { numberUpscaleOutputs } from "./upscale";

export class BrokerError extends Error {
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly detail: string,
    readonly status: number,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "BrokerError";
  }
}

export interface StatusAnswer {
  job: JobStatusResponse;
  /** From a retry-after header on the status answer, if any. */
  retryAfterMs?: number;
}

/** A submit's answer, with the broker's request id of the submit when it sent a sane one. */
export type Submitted = AcceptResponse & { requestId?: string };

export interface BrokerClient {
  upload(bytes: Uint8Array, contentType: "image/jpeg" | "image/png", signal?: AbortSignal): Promise<string>;
  submit<E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], modelVersion?: string, signal?: AbortSignal): Promise<Submitted>;
  status(jobId: string, signal?: AbortSignal): Promise<StatusAnswer>;
  cancel(jobId: string): Promise<void>;
  /** Output URLs are broker-signed: fetched without the Authorization header. */
  download(url: string, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Only part of an output: asked of the broker's own output links (which crop and say where the
   * crop lies); any other link is downloaded whole. `placement` is null when the whole output came.
   */
  downloadCropped?(url: string, crop: OutputCrop, signal?: AbortSignal): Promise<CroppedDownload>;
  /** The whole listing, every page (see custom-models.ts). */
  customModels(signal?: AbortSignal): Promise<CustomModelsResponse>;
  /** The organisation's usage and the queue's estimated waits (GET /v1/quota). */
  quota?(signal?: AbortSignal): Promise<QuotaAnswer>;
  /** An instant preview from the broker's local engine for the same body as a fill or expand submit: the image's bytes. */
  preview?(endpoint: PreviewEndpoint, body: SubmitRequest[PreviewEndpoint], signal?: AbortSignal): Promise<Uint8Array>;
}

/** The submits the broker makes instant previews for (POST /v1/preview/{endpoint}). */
export type PreviewEndpoint = "fill" | "expand";

export interface CroppedDownload {
  bytes: Uint8Array;
  placement: OutputPlacement | null;
}

/** The broker's signed output route (src/broker/routes/outputs.ts). */
const OUTPUT_ROUTE = /^\/v1\/outputs\/[^/?#]+\/\d{1,2}\?/;

export interface HttpBrokerClientOptions {
  baseUrl: string;
  key: string;
  fetch?: typeof fetch;
  now?: () => number;
}

type Fetch = typeof fetch;

/** A response body, or "cancelled" as soon as the signal aborts (the body is then dropped). */
async function readOrCancel<T>(body: Promise<T>, signal: AbortSignal | null | undefined, what: string): Promise<T> {
  try {
    return await raceAbort(body, signal);
  } catch (e) {
    if (signal?.aborted) throw new BrokerError("cancelled", "Cancelled.", what, 0);
    throw e;
  }
}

export function createBrokerClient(opts: HttpBrokerClientOptions): BrokerClient {
  const f: Fetch = opts.fetch ?? ((...a: Parameters<Fetch>) => fetch(...a));
  const base = opts.baseUrl.replace(/\/+$/, "");
  const now = opts.now ?? Date.now;

  const fail = (status: number, body: unknown, headers: Headers | undefined, networkError?: string): BrokerError => {
    const c = classifyError({ status, body, headers, networkError, nowMs: now() });
    return new BrokerError(c.category, c.message, c.detail, status, c.code, c.retryAfterMs);
  };

  async function call(path: string, init: RequestInit, auth = true): Promise<{ body: unknown; headers: Headers }> {
    const headers: Record<string, string> = { accept: "application/json", ...((init.headers as Record<string, string>) ?? {}) };
    if (auth) headers.authorization = `Bearer ${opts.key}`;
    let res: Response;
    try {
      res = await raceAbort(f(path.startsWith("http") ? path : base + path, { ...init, headers }), init.signal);
    } catch (e) {
      if (init.signal?.aborted) throw new BrokerError("cancelled", "Cancelled.", "request aborted", 0);
      throw fail(0, undefined, undefined, e instanceof Error ? e.message : String(e));
    }
    const text = await readOrCancel(res.text(), init.signal, "request aborted");
    let body: unknown = text;
    if (text && (res.headers.get("content-type") ?? "").includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        /* keep text */
      }
    }
    if (!res.ok) throw fail(res.status, body, res.headers);
    return { body, headers: res.headers };
  }

  async function get(url: string, signal?: AbortSignal, init: RequestInit = { method: "GET" }): Promise<{ bytes: Uint8Array; headers: Headers }> {
    const full = /^https?:\/\//.test(url) ? url : base + (url.startsWith("/") ? url : `/${url}`);
    let res: Response;
    try {
      res = await raceAbort(f(full, { ...init, signal }), signal);
    } catch (e) {
      if (signal?.aborted) throw new BrokerError("cancelled", "Cancelled.", "download aborted", 0);
      throw fail(0, undefined, undefined, e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) throw fail(res.status, await readOrCancel(res.text(), signal, "download aborted"), res.headers);
    return { bytes: new Uint8Array(await readOrCancel(res.arrayBuffer(), signal, "download aborted")), headers: res.headers };
  }

  /** The path + query of one of this broker's output links (relative, or absolute on its origin), else null. */
  function ownOutputPath(url: string): string | null {
    let path = url;
    if (/^https?:\/\//.test(url)) {
      const u = parseWebAddress(url);
      const b = parseWebAddress(base);
      if (!u || !b || u.origin !== b.origin) return null;
      path = u.pathname + u.search;
    }
    return OUTPUT_ROUTE.test(path) && !/[?&](crop|of)=/.test(path) ? path : null;
  }

  const parse = <T>(
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } },
    body: unknown,
    what: string,
  ): T => {
    const r = schema.safeParse(typeof body === "string" && body.startsWith("{") ? JSON.parse(body) : body);
    if (!r.success)
      throw new BrokerError(
        "service_unavailable",
        "The broker sent an answer Infill does not understand. Check that broker and panel versions match.",
        `${what}: ${r.error.message}`,
        200,
      );
    return r.data;
  };

  return {
    async upload(bytes, contentType, signal) {
      const { body } = await call("/v2/storage/image", {
        method: "POST",
        body: bytes as unknown as BodyInit,
        headers: { "content-type": contentType },
        signal,
      });
      return parse(UploadResponseSchema, body, "upload").images[0].id;
    },
    async submit(endpoint, request, modelVersion, signal) {
      const checked = validateSubmit(endpoint, request, modelVersion);
      if (!checked.ok) {
        throw new BrokerError(
          "invalid_input",
          `This request can't be sent: ${checked.body.message}.`,
          JSON.stringify(checked.body.validation_errors),
          422,
          "validation_error",
        );
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (modelVersion) headers["x-model-version"] = modelVersion;
      const { body, headers: replied } = await call(SUBMIT_PATHS[endpoint], { method: "POST", body: JSON.stringify(request), headers, signal });
      const accepted = parse(AcceptResponseSchema, body, "submit");
      const requestId = replied.get(REQUEST_ID_HEADER);
      return requestId && REQUEST_ID_RE.test(requestId) ? { ...accepted, requestId } : accepted;
    },
    async status(jobId, signal) {
      const { body, headers } = await call(`/v3/status/${jobId}`, { method: "GET", signal });
      const ra = headers.get("retry-after");
      const job = parse(JobStatusResponseSchema, numberUpscaleOutputs(body), "status");
      return { job, retryAfterMs: ra ? classifyError({ status: 429, headers, nowMs: now() }).retryAfterMs : undefined };
    },
    async cancel(jobId) {
      try {
        await call(`/v3/cancel/${jobId}`, { method: "PUT" });
      } catch (e) {
        // Already finished or already cancelled: nothing left to cancel.
        if (e instanceof BrokerError && (e.status === 409 || e.status === 410 || e.status === 404)) return;
        throw e;
      }
    },
    async download(url, signal) {
      return (await get(url, signal)).bytes;
    },
    async downloadCropped(url, crop, signal) {
      const own = ownOutputPath(url);
      if (own === null) return { bytes: (await get(url, signal)).bytes, placement: null };
      const { bytes, headers } = await get(`${own}&${cropQuery(crop)}`, signal);
      return { bytes, placement: parsePlacement((name) => headers.get(name)) };
    },
    customModels(signal) {
      return listAllCustomModels(async (start, limit) => {
        const { body } = await call(`/v3/custom-models?start=${start}&limit=${limit}`, { method: "GET", signal });
        return parse(CustomModelsResponseSchema, body, "custom models");
      });
    },
    async preview(endpoint, request, signal) {
      const headers = { authorization: `Bearer ${opts.key}`, "content-type": "application/json", accept: "image/png, application/json" };
      return (await get(`/v1/preview/${endpoint}`, signal, { method: "POST", body: JSON.stringify(request), headers })).bytes;
    },
    async quota(signal) {
      const { body } = await call(QUOTA_PATH, { method: "GET", signal });
      return parse(QuotaAnswerSchema, body, "quota");
    },
  };
}
