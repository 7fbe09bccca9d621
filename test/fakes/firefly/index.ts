// A fake Adobe IMS + Firefly v3 async service on loopback, for tests and benches. It checks what
// Adobe checks (IMS client credentials; `Authorization: Bearer <issued token>` and `x-api-key` on
// every Firefly call; request bodies and `x-model-version` against the shared contract; upload
// types and the 15 MB cap; output URLs fetched *without* auth headers, as S3 pre-signed URLs
// require) and can inject failures: 401 token expiry, 403 quota, 429 (seconds or HTTP-date), 451,
// 5xx, slow and hanging responses, dropped connections and failed jobs.
//
//   const ff = await startFakeFirefly();
//   env: FIREFLY_SERVICES_CLIENT_ID=ff.clientId, FIREFLY_SERVICES_CLIENT_SECRET=ff.clientSecret,
//        INFILL_IMS_URL=ff.imsUrl, INFILL_FIREFLY_URL=ff.url
//   ff.inject({ route: "submit", status: 429, headers: { "retry-after": "2" } });
//   ff.calls.filter((c) => c.route === "submit").length
//   await ff.close();

import { randomBytes, randomUUID } from "crypto";
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import {
  compositeSeeds,
  isCompositeEndpoint,
  MAX_UPLOAD_BYTES,
  UPSCALE_MAX_OUTPUT_SIDE,
  validateSubmit,
  type AdaptiveCompositeRequest,
  type PreciseCompositeRequest,
  type SubmitEndpoint,
  type UpscaleRequest,
} from "../../../src/common/firefly";
import type { RGBAImage } from "../../../src/common/host";
import { decodeImage } from "../../../src/common/imaging/codecs";
import { fakeComposite, type CompositeParams } from "./composite";
import { fakeUpscale } from "./upscale";

export type FakeRoute = "ims" | "upload" | "submit" | "status" | "cancel" | "custom-models" | "output" | "other";

export interface FakeCall {
  route: FakeRoute;
  method: string;
  path: string;
  /** The query string, with its "?" (or ""). */
  query: string;
  status: number;
  at: number;
  /** Whether the call carried Authorization / x-api-key headers. */
  hadAuth: boolean;
  /** Submit: the endpoint and the JSON body Firefly received. */
  endpoint?: SubmitEndpoint;
  body?: unknown;
  modelVersion?: string;
  /** Submit: the job id created. */
  jobId?: string;
}

export interface Injection {
  route: FakeRoute | "any";
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Answer with this status/body/headers instead of the real behaviour. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (slow upstream). */
  delayMs?: number;
  /** Wait for this promise before answering (a gate the test opens). */
  until?: Promise<unknown>;
  /** Never answer (the socket stays open until the client gives up or the fake closes). */
  hang?: boolean;
  /** Drop the connection without answering. */
  reset?: boolean;
  /** Submit only: accept the job, but make it end `failed` with this code and message. */
  jobFails?: { error_code: string; message?: string };
  /** Submit only: accept the job, but make it end with this status (`timeout`, `cancelled`…). */
  jobEnds?: "timeout" | "cancelled" | "failed";
}

export interface FakeFireflyOptions {
  clientId?: string;
  clientSecret?: string;
  /** IMS `expires_in` in seconds (default 86399). */
  tokenTtlSec?: number;
  /** Status polls a job takes to finish: pending → running … → succeeded (default 2). */
  pollsToFinish?: number;
  /** Bytes served for every output image (default a 1×1 PNG). */
  outputImage?: Buffer;
  /** Reject submits beyond this many per rolling minute with 429 (default: no limit). */
  ratePerMinute?: number;
  /** `retry-after` sent with those 429s (default "60"). */
  rateRetryAfter?: string;
  /** The custom models listed, paged by `start`/`limit` as Firefly does (default: one style model). */
  customModels?: Record<string, unknown>[];
  /**
   * The composites' 202: `described` (default) is Adobe's AsyncJobResponse `{status, jobId, statusUrl,
   * cancelUrl}`; `links` is upscale's `{links: {result, cancel}}`, the shape Adobe's guide speaks of.
   */
  compositeAccept?: "described" | "links";
}

export const FAKE_CUSTOM_MODEL = {
  assetId: "urn:aaid:sc:VA6C2:00000000-0000-4000-8000-000000000001",
  displayName: "Fake Style",
  trainingMode: "style",
  publishedState: "published",
  createdDate: 1733928288871,
};

export interface FakeFirefly {
  /** Firefly base URL (also the output host). */
  url: string;
  /** IMS token endpoint URL. */
  imsUrl: string;
  clientId: string;
  clientSecret: string;
  /** Every request, in arrival order. */
  calls: FakeCall[];
  /** Tokens issued so far (for "no token leaks" assertions). */
  tokens: string[];
  inject(injection: Injection): void;
  /** Make every token issued so far invalid (the next Firefly call answers 401). */
  expireTokens(): void;
  /** Env for a broker pointed at this fake. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export const ONE_PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

interface FakeJob {
  id: string;
  endpoint: SubmitEndpoint;
  polls: number;
  status: string;
  numOutputs: number;
  seeds: number[];
  ends?: Injection["jobEnds"];
  fails?: Injection["jobFails"];
  /** Upscale and the composites: the PNG each output serves (the same content for every seed). */
  image?: Buffer;
}

const SUBMIT_PATHS: Record<string, SubmitEndpoint> = {
  "/v3/images/fill-async": "fill",
  "/v3/images/expand-async": "expand",
  "/v3/images/generate-async": "generate",
  "/v3/images/generate-similar-async": "similar",
  "/v3/images/upscale": "upscale",
  "/v3/images/adaptive-composite": "adaptive",
  "/v3/images/precise-composite": "precise",
};
const UPLOAD_TYPES = ["image/jpeg", "image/png", "image/webp", "image/tiff", "image/jxl"];

function routeOf(p: string): FakeRoute {
  if (p === "/ims/token/v3") return "ims";
  if (p === "/v2/storage/image") return "upload";
  if (SUBMIT_PATHS[p]) return "submit";
  if (p.startsWith("/v3/status/")) return "status";
  if (p.startsWith("/v3/cancel/")) return "cancel";
  if (p === "/v3/custom-models") return "custom-models";
  if (p.startsWith("/outputs/")) return "output";
  return "other";
}

export async function startFakeFirefly(options: FakeFireflyOptions = {}): Promise<FakeFirefly> {
  const clientId = options.clientId ?? `fake-client-${randomBytes(6).toString("hex")}`;
  const clientSecret = options.clientSecret ?? `p8e-${randomBytes(24).toString("base64url")}`;
  const ttl = options.tokenTtlSec ?? 86399;
  const pollsToFinish = options.pollsToFinish ?? 2;
  const image = options.outputImage ?? ONE_PIXEL_PNG;
  const calls: FakeCall[] = [];
  const tokens: string[] = [];
  const valid = new Map<string, number>(); // token → expiry ms
  const injections: Injection[] = [];
  const jobs = new Map<string, FakeJob>();
  /** Upload id → the bytes (kept for upscale and the composites, whose outputs come from them). */
  const uploads = new Map<string, Buffer>();
  /** An uploaded image, decoded; or why it cannot be read (this fake reads uploads only, not URLs). */
  const readUpload = (source: { uploadId?: string }): RGBAImage | string => {
    const bytes = source.uploadId ? uploads.get(source.uploadId) : undefined;
    if (!bytes) return "this fake reads uploaded images only";
    try {
      return decodeImage(bytes);
    } catch {
      return "the input image could not be read";
    }
  };
  const submitTimes: number[] = [];
  const sockets = new Set<Socket>();
  const outputSecret = randomBytes(16).toString("hex");
  let base = "";

  const takeInjection = (route: FakeRoute): Injection | undefined => {
    const i = injections.findIndex((x) => x.route === route || x.route === "any");
    if (i < 0) return undefined;
    const inj = injections[i];
    const left = (inj.times ?? 1) - 1;
    if (left <= 0) injections.splice(i, 1);
    else inj.times = left;
    return inj;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const route = routeOf(url.pathname);
    const call: FakeCall = {
      route,
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      at: Date.now(),
      hadAuth: !!(req.headers.authorization || req.headers["x-api-key"]),
    };
    calls.push(call);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (typeof body === "string" || Buffer.isBuffer(body)) {
        res.writeHead(status, { "content-type": "text/html", ...headers });
        res.end(body);
      } else if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
      } else {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(text);
      }
    };
    const readBody = (cap: number): Promise<Buffer | "too_large"> =>
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let over = false;
        req.on("data", (c: Buffer) => {
          size += c.length;
          if (size > cap) over = true;
          else chunks.push(c);
        });
        req.on("end", () => resolve(over ? "too_large" : Buffer.concat(chunks)));
        req.on("error", () => resolve(Buffer.alloc(0)));
      });

    const inj = takeInjection(route);
    if (inj?.delayMs) await new Promise((r) => setTimeout(r, inj.delayMs));
    if (inj?.until) await inj.until;
    if (inj?.hang) return; // never answer
    if (inj?.reset) {
      req.socket.destroy();
      return;
    }
    if (inj?.status !== undefined) {
      const raw = await readBody(64 * 1024 * 1024);
      if (route === "submit" && raw !== "too_large") {
        call.endpoint = SUBMIT_PATHS[url.pathname];
        try {
          call.body = JSON.parse(raw.toString("utf8"));
        } catch {
          /* recorded as received: not JSON */
        }
      }
      return send(inj.status, inj.body ?? {}, inj.headers);
    }

    // ---- IMS ----
    if (route === "ims") {
      if (method !== "POST") return send(405, { error: "invalid_request" });
      const body = await readBody(64 * 1024);
      if (body === "too_large" || !String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return send(400, { error: "invalid_request", error_description: "form body required" });
      }
      const form = new URLSearchParams(body.toString("utf8"));
      if (form.get("grant_type") !== "client_credentials")
        return send(400, { error: "unsupported_grant_type", error_description: "grant_type must be client_credentials" });
      if (!form.get("scope")) return send(400, { error: "invalid_scope", error_description: "scope is required" });
      if (form.get("client_id") !== clientId) return send(400, { error: "invalid_client", error_description: "invalid client_id parameter" });
      if (form.get("client_secret") !== clientSecret) return send(401, { error: "invalid_client", error_description: "invalid client_secret parameter" });
      const token = `eyJ${randomBytes(24).toString("base64url")}.${randomBytes(16).toString("base64url")}`;
      tokens.push(token);
      valid.set(token, Date.now() + ttl * 1000);
      return send(200, { access_token: token, token_type: "bearer", expires_in: ttl });
    }

    // ---- outputs: pre-signed, must come without auth headers ----
    if (route === "output") {
      if (call.hadAuth) return send(400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
      if (url.searchParams.get("X-Amz-Signature") !== outputSecret) return send(403, "<Error><Code>AccessDenied</Code></Error>");
      call.status = 200;
      const jobId = decodeURIComponent(url.pathname.split("/")[2] ?? "");
      const served = jobs.get(jobId)?.image ?? image;
      res.writeHead(200, { "content-type": "image/png", "content-length": String(served.length) });
      res.end(served);
      return;
    }

    // ---- Firefly: the gateway checks first ----
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""));
    if (!auth) return send(401, { error_code: "403010", message: "Oauth token is missing." });
    const exp = valid.get(auth[1]);
    if (exp === undefined || exp < Date.now()) return send(401, { error_code: "401013", message: "Oauth token is not valid" });
    if (!req.headers["x-api-key"]) return send(403, { error_code: "403000", message: "Api Key is required" });
    if (req.headers["x-api-key"] !== clientId) return send(403, { error_code: "403003", message: "Api Key is invalid" });

    if (route === "upload") {
      if (method !== "POST") return send(405, { error_code: "bad_request" });
      const ct = String(req.headers["content-type"] ?? "")
        .split(";")[0]
        .trim();
      if (!UPLOAD_TYPES.includes(ct)) {
        await readBody(MAX_UPLOAD_BYTES * 2);
        return send(415, { error_code: "invalid_content_type", message: "Unsupported content type" });
      }
      const body = await readBody(MAX_UPLOAD_BYTES);
      if (body === "too_large") return send(413, "<html><body><h1>413 Request Entity Too Large</h1></body></html>");
      if (body.length === 0) return send(400, { error_code: "10075", message: "Bad Request" });
      const id = randomUUID();
      uploads.set(id, body);
      return send(200, { images: [{ id }] });
    }

    if (route === "submit") {
      if (method !== "POST") return send(405, { error_code: "bad_request" });
      const endpoint = SUBMIT_PATHS[url.pathname];
      call.endpoint = endpoint;
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
        return send(415, { error_code: "invalid_content_type", message: "use application/json" });
      const raw = await readBody(1024 * 1024);
      if (raw === "too_large") return send(413, "<html>Request Entity Too Large</html>");
      if (raw.length === 0) return send(400, { error_code: "empty_input_body", message: "empty body" });
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return send(400, { error_code: "bad_request", message: "invalid JSON" });
      }
      call.body = body;
      const mv = req.headers["x-model-version"];
      call.modelVersion = typeof mv === "string" ? mv : undefined;
      const v = validateSubmit(endpoint, body, call.modelVersion);
      if (!v.ok) return send(422, v.body);
      // Unknown upload ids fail like Firefly does with an unusable input.
      const ids = JSON.stringify(body).match(/"uploadId":"([^"]+)"/g) ?? [];
      for (const m of ids) {
        const id = m.slice(12, -1);
        if (!uploads.has(id)) return send(400, { error_code: "bad_request", message: `unknown uploadId ${id}` });
      }
      const now = Date.now();
      while (submitTimes.length && submitTimes[0] <= now - 60_000) submitTimes.shift();
      if (options.ratePerMinute !== undefined && submitTimes.length >= options.ratePerMinute) {
        return send(429, { error_code: "rate_limited" }, { "retry-after": options.rateRetryAfter ?? "60", "x-access-rate-limit-level": "org" });
      }
      submitTimes.push(now);
      const b = body as { numVariations?: number; seeds?: number[] };
      const n = b.numVariations ?? b.seeds?.length ?? 1;
      let served: Buffer | undefined;
      if (endpoint === "upscale") {
        const u = v.value as UpscaleRequest;
        const input = readUpload(u.image.source);
        if (typeof input === "string") return send(400, { error_code: "bad_request", message: input });
        const factor = u.upscaleFactor ?? 2;
        if (Math.max(input.width, input.height) * factor > UPSCALE_MAX_OUTPUT_SIDE) {
          return send(422, { error_code: "validation_error", message: `the output would exceed ${UPSCALE_MAX_OUTPUT_SIDE} px per side` });
        }
        served = fakeUpscale(input, factor);
      }
      if (isCompositeEndpoint(endpoint)) {
        const c = v.value as AdaptiveCompositeRequest | PreciseCompositeRequest;
        const images = [c.background.image, c.background.fillAreaMask, c.object.image, "mask" in c.object ? c.object.mask : undefined].map((r) =>
          r ? readUpload(r.source) : undefined,
        );
        const unreadable = images.find((i) => typeof i === "string");
        if (typeof unreadable === "string") return send(400, { error_code: "bad_request", message: unreadable });
        const [background, fillAreaMask, object, objectMask] = images as (RGBAImage | undefined)[];
        const params = { kind: endpoint, body: c } as CompositeParams;
        const made = fakeComposite({ background: background!, fillAreaMask: fillAreaMask!, object: object!, objectMask }, params);
        if (typeof made === "string") return send(422, { error_code: "validation_error", message: made });
        served = made;
      }
      const id = `urn:ff:jobs:fake:${randomUUID()}`;
      const seeds = isCompositeEndpoint(endpoint) ? compositeSeeds(b) : (b.seeds ?? Array.from({ length: n }, (_, i) => 1000 + i));
      jobs.set(id, { id, endpoint, polls: 0, status: "pending", numOutputs: seeds.length, seeds, ends: inj?.jobEnds, fails: inj?.jobFails, image: served });
      call.jobId = id;
      const links = { links: { result: { href: `${base}/v3/status/${id}` }, cancel: { href: `${base}/v3/cancel/${id}` } } };
      const described = { jobId: id, statusUrl: `${base}/v3/status/${id}`, cancelUrl: `${base}/v3/cancel/${id}` };
      if (endpoint === "upscale") return send(202, links);
      if (isCompositeEndpoint(endpoint)) return send(202, options.compositeAccept === "links" ? links : { status: "pending", ...described });
      return send(202, described);
    }

    if (route === "status" || route === "cancel") {
      const id = decodeURIComponent(url.pathname.slice(route === "status" ? 11 : 11));
      const job = jobs.get(id);
      if (route === "status" && method !== "GET") return send(405, { error_code: "bad_request" });
      if (route === "cancel" && method !== "PUT") return send(405, { error_code: "bad_request" });
      if (!job) return send(404, { error_code: "unknown_job_id", message: "The job id is unknown." });
      if (route === "cancel") {
        if (job.status === "succeeded" || job.status === "failed") return send(409, { error_code: "job_completed", message: "The job was already completed." });
        if (job.status === "cancelled" || job.status === "cancel_pending")
          return send(409, { error_code: "job_already_canceled", message: "The job was already cancelled." });
        job.status = "cancel_pending";
        return send(200, { jobId: id, status: "cancel_pending" });
      }
      job.polls++;
      if (job.status === "cancel_pending") job.status = "cancelled";
      else if (job.status === "pending" || job.status === "running") {
        if (job.polls >= pollsToFinish) job.status = job.fails ? "failed" : (job.ends ?? "succeeded");
        else job.status = "running";
      }
      const out: Record<string, unknown> = { jobId: id, status: job.status };
      if (job.status === "running") out.progress = Math.round((100 * job.polls) / pollsToFinish);
      const outputUrl = (i: number) => `${base}/outputs/${encodeURIComponent(id)}/${i}.png?X-Amz-Expires=3600&X-Amz-Signature=${outputSecret}`;
      if (job.status === "succeeded" && job.endpoint === "upscale") {
        out.result = { outputs: job.seeds.map((_, i) => ({ id: randomUUID(), presignedUrl: outputUrl(i) })), version: "precise_upsampler_v1" };
      } else if (job.status === "succeeded" && isCompositeEndpoint(job.endpoint)) {
        out.result = { outputs: job.seeds.map((seed, i) => ({ seed, image: { url: outputUrl(i) } })) };
      } else if (job.status === "succeeded") {
        out.result = {
          size: { width: 2048, height: 2048 },
          outputs: job.seeds.map((seed, i) => ({ seed, image: { url: outputUrl(i) } })),
        };
      }
      if (job.status === "failed") {
        out.error_code = job.fails?.error_code ?? "runtime_error";
        out.message = job.fails?.message ?? "The job failed.";
      }
      if (job.status === "timeout") out.error_code = "timeout_error";
      return send(200, out);
    }

    if (route === "custom-models") {
      if (!req.headers["x-request-id"]) return send(400, { reason: "Bad Request", message: "x-request-id is required" });
      // Firefly's paging: `start` (default 0, required with `limit`), `limit` 1..50.
      const models = options.customModels ?? [FAKE_CUSTOM_MODEL];
      const startText = url.searchParams.get("start");
      const limitText = url.searchParams.get("limit");
      if (limitText !== null && startText === null) return send(400, { reason: "Bad Request", message: "start is required if a limit is specified" });
      const start = Number(startText ?? "0");
      const limit = Number(limitText ?? "50");
      if (!Number.isInteger(start) || start < 0 || !Number.isInteger(limit) || limit < 1 || limit > 50)
        return send(400, { reason: "Bad Request", message: "invalid start or limit" });
      const next = start + limit < models.length ? { next: { href: `/v3/custom-models?start=${start + limit}&limit=${limit}` } } : {};
      return send(200, {
        custom_models: models.slice(start, start + limit),
        _links: { page: { href: "/v3/custom-models?start={start}&limit={limit}", rel: "page", templated: true }, ...next },
        total_count: models.length,
      });
    }
    return send(404, { error_code: "not_found", message: "no such route" });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    imsUrl: `${base}/ims/token/v3`,
    clientId,
    clientSecret,
    calls,
    tokens,
    inject: (i) => injections.push({ ...i }),
    expireTokens: () => {
      for (const t of valid.keys()) valid.set(t, 0);
    },
    env: () => ({
      FIREFLY_SERVICES_CLIENT_ID: clientId,
      FIREFLY_SERVICES_CLIENT_SECRET: clientSecret,
      INFILL_IMS_URL: `${base}/ims/token/v3`,
      INFILL_FIREFLY_URL: base,
    }),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
