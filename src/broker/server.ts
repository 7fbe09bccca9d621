// The broker's HTTP server: Firefly v3 async paths for clients holding a broker key, the signed
// output links, health, usage, and the static playground / panel UI. Every answer the broker
// makes itself is JSON; every request is logged as one redacted JSON line.

import * as http from "http";
import * as path from "path";
import * as fs from "fs";
import { Transform, pipeline } from "stream";
import { MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES, BROKER_ERROR_CODES, type SubmitEndpoint } from "../common/firefly";
import type { BrokerConfig } from "./config";
import { HttpError, httpError } from "./http/errors";
import { resolveStatic, sendFile } from "./http/static";
import { JobService, RequestFacts } from "./jobs/service";
import { Dispatcher } from "./jobs/dispatcher";
import { KeyEntry, KeyRing } from "./keys";
import { Logger, LogSink, Redactor, stdoutSink } from "./log";
import { loadSigningKey, OutputSigner } from "./outputs";
import { createFireflyProvider } from "./providers/firefly";
import { ImsTokens } from "./providers/ims";
import { OutputHostPolicy } from "./providers/output-hosts";
import { LocalProviderFactory, Provider, UploadContentType, UploadTooLargeError } from "./providers/provider";
import { createUnavailableProvider } from "./providers/unavailable";
import { createStoreFromEnv, storeHealth } from "./store/from-env";
import { isStoreUnavailable } from "./store/redis/errors";
import { Store, utcDay } from "./store/store";

export interface BrokerOptions {
  config: BrokerConfig;
  /** Default: the journal-file store in `config.dataDir`. */
  store?: Store;
  /** Default: from `config.mode`. */
  provider?: Provider;
  /** Default: `require("./local").createLocalProvider` when it exists. */
  localProviderFactory?: LocalProviderFactory | null;
  /** Where log lines go (default stdout). */
  logSink?: LogSink;
  /** Clock for the queue, pacing and links (tests). */
  now?: () => number;
}

export interface Broker {
  url: string;
  port: number;
  config: BrokerConfig;
  store: Store;
  provider: Provider;
  dispatcher: Dispatcher;
  jobs: JobService;
  log: Logger;
  ims?: ImsTokens;
  /** Why the provider is not available (local engine missing), if so. */
  providerProblem?: string;
  close(): Promise<void>;
}

const SUBMIT_ROUTES: Record<string, SubmitEndpoint> = {
  "fill-async": "fill",
  "expand-async": "expand",
  "generate-async": "generate",
  "generate-similar-async": "similar",
};
const JSON_BODY_CAP = 64 * 1024;
/** Finished jobs are forgotten after two days (their output links expire after one hour). */
const JOB_RETENTION_MS = 48 * 3600_000;
/** Refused requests with a body up to this size are read (and discarded) before the answer. */
const DRAIN_LIMIT = 1024 * 1024;
const SECRET_QUERY = /^(key|api[_-]?key|apikey|access[_-]?token|id[_-]?token|token|client[_-]?secret|secret|authorization|auth|password|bearer)$/i;
const CUSTOM_MODEL_QUERY = new Set(["sortBy", "start", "limit", "publishedState"]);

function version(): string {
  try {
    let dir = __dirname;
    for (let i = 0; i < 6; i++, dir = path.dirname(dir)) {
      const p = path.join(dir, "package.json");
      if (fs.existsSync(p)) return String(JSON.parse(fs.readFileSync(p, "utf8")).version ?? "0.0.0");
    }
  } catch {
    /* fall through */
  }
  return "0.0.0";
}

/** Read at least `n` bytes of the body (or all of it, if shorter), then pause. */
function readStart(req: http.IncomingMessage, n: number): Promise<{ head: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onAbort);
      req.off("error", onAbort);
    };
    const done = (ended: boolean) => {
      cleanup();
      if (!ended) req.pause();
      resolve({ head: Buffer.concat(chunks), ended });
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      len += c.length;
      if (len >= n) done(false);
    };
    const onEnd = () => done(true);
    const onAbort = () => {
      cleanup();
      reject(httpError(400, "bad_request", "invalid_input", "The upload was cut short."));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("aborted", onAbort);
    req.on("error", onAbort);
  });
}

/** Magic numbers of the upload types. */
function looksLike(contentType: string, head: Buffer): boolean {
  if (contentType === "image/png") return head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (contentType === "image/jpeg") return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  if (contentType === "image/webp") return head.length >= 12 && head.toString("latin1", 0, 4) === "RIFF" && head.toString("latin1", 8, 12) === "WEBP";
  return false;
}

function loadLocalFactory(): LocalProviderFactory | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("./local") as { createLocalProvider?: LocalProviderFactory };
    return typeof mod.createLocalProvider === "function" ? mod.createLocalProvider : undefined;
  } catch {
    return undefined;
  }
}

interface Ctx {
  route: string;
  key?: KeyEntry;
  facts: RequestFacts;
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const config = options.config;
  const redactor = new Redactor();
  redactor.add(config.clientSecret);
  for (const k of config.keys) redactor.add(k.plain);
  const log = new Logger(options.logSink ?? stdoutSink, redactor);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const signingKey = loadSigningKey(config.dataDir);
  redactor.add(signingKey.toString("base64url"));

  let ims: ImsTokens | undefined;
  let provider = options.provider;
  let providerProblem: string | undefined;
  if (!provider) {
    if (config.mode === "firefly") {
      ims = new ImsTokens({ url: config.imsUrl, clientId: config.clientId!, clientSecret: config.clientSecret!, scopes: config.imsScopes, onToken: (t) => redactor.add(t), retryBaseMs: config.retryBaseMs });
      provider = createFireflyProvider({
        fireflyUrl: config.fireflyUrl,
        clientId: config.clientId!,
        ims,
        outputHosts: new OutputHostPolicy(config.fireflyUrl, config.outputHosts),
        timeouts: { get: Math.min(config.upstreamTimeoutMs, 30_000), submit: config.upstreamTimeoutMs, upload: Math.max(config.upstreamTimeoutMs, 120_000), output: Math.max(config.upstreamTimeoutMs, 120_000) },
        retryBaseMs: config.retryBaseMs,
      });
    } else {
      const factory = options.localProviderFactory === undefined ? loadLocalFactory() : options.localProviderFactory ?? undefined;
      if (factory) {
        try {
          provider = factory({ dataDir: path.join(config.dataDir, "local"), log: (e) => log.log({ source: "local", ...e }) });
        } catch (err) {
          providerProblem = `The local engine failed to start (${(err as Error).message}).`;
        }
      } else {
        providerProblem = "The local engine is not part of this build yet. Set FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET to use Firefly.";
      }
      provider ??= createUnavailableProvider("local", providerProblem!);
    }
  }

  const store = options.store ?? createStoreFromEnv(config.storeEnv, { file: path.join(config.dataDir, "broker-store.jsonl"), log: (e) => log.log({ source: "store", ...e }) });
  try {
    await store.open();
  } catch (err) {
    await provider.close().catch(() => undefined);
    throw err;
  }
  const limits = { perMinute: config.ratePerMinute, perDay: config.ratePerDay };
  const dispatcher = new Dispatcher({ store, provider, log, limits, leaseMs: config.upstreamTimeoutMs + 60_000, retryBaseMs: Math.max(config.retryBaseMs, 1) * 4, now: options.now });
  const jobs = new JobService({ store, provider, dispatcher, signer: new OutputSigner(signingKey), log, limits, maxQueuedPerKey: config.maxQueuedPerKey, statusMinIntervalMs: config.statusMinIntervalMs, now: options.now });
  const keys = new KeyRing(config.keys);
  const ver = version();
  let closing = false;

  const allowedHosts = new Set(config.allowedHosts);
  const selfOrigins = new Set<string>();
  const corsOrigins = new Set(config.corsOrigins.map((o) => o.replace(/\/+$/, "")));

  const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 300_000, headersTimeout: 30_000, keepAliveTimeout: 5_000 });

  function baseUrl(req: http.IncomingMessage): string {
    return config.publicUrl ?? `http://${req.headers.host}`;
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Upstream text is passed on in error messages: never let a secret ride along.
    const text = redactor.redact(JSON.stringify(body));
    if (closing) headers = { ...headers, connection: "close" };
    res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.end(text);
  }

  function sendError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (isStoreUnavailable(err)) e = httpError(503, BROKER_ERROR_CODES.storeUnavailable, "service_unavailable", "The broker cannot reach its job store right now, so it is not accepting jobs.", { "retry-after": "5" });
    else if (err instanceof UploadTooLargeError) e = httpError(413, "payload_too_large", "invalid_input", `The image is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`);
    else {
      log.log({ event: "internal_error", error: String((err as Error)?.stack ?? err).slice(0, 2000) });
      e = httpError(500, "runtime_error", "service_unavailable", "The broker hit an unexpected error. Try again; if it keeps happening, tell your admin.");
    }
    if (req.complete || req.readableEnded) return sendJson(res, e.status, e.body, e.headers);
    // Refused before the body was read. A small body is drained first (closing a socket with
    // unread input can reset it and lose the answer); a large one is not worth reading: answer
    // and close the connection.
    const declared = Number(req.headers["content-length"]);
    if (!Number.isFinite(declared) || declared > DRAIN_LIMIT || req.readableFlowing || req.listenerCount("data") > 0) {
      e.headers["connection"] = "close";
      return sendJson(res, e.status, e.body, e.headers);
    }
    let sent = false;
    const answer = () => {
      if (sent) return;
      sent = true;
      clearTimeout(timer);
      sendJson(res, e.status, e.body, e.headers);
    };
    const timer = setTimeout(() => {
      e.headers["connection"] = "close";
      answer();
    }, 2000);
    req.on("end", answer);
    req.on("aborted", answer);
    req.on("error", answer);
    req.resume();
  }

  function hostName(host: string | undefined): string | undefined {
    if (!host) return undefined;
    const h = host.trim().toLowerCase();
    if (h.startsWith("[")) {
      const end = h.indexOf("]");
      return end > 0 ? h.slice(1, end) : undefined;
    }
    const m = /^([a-z0-9.-]+)(:\d{1,5})?$/.exec(h);
    return m ? m[1] : undefined;
  }

  function originAllowed(origin: string): boolean {
    if (corsOrigins.has(origin) || selfOrigins.has(origin)) return true;
    return false;
  }

  function authenticate(req: http.IncomingMessage, ctx: Ctx): KeyEntry {
    const h = req.headers.authorization;
    if (!h) throw httpError(401, BROKER_ERROR_CODES.keyMissing, "auth", "This broker needs a broker key: send Authorization: Bearer <key>.", { "www-authenticate": "Bearer" });
    const m = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(h);
    const key = m ? keys.find(m[1]) : undefined;
    if (!key) throw httpError(401, BROKER_ERROR_CODES.keyInvalid, "auth", "The broker key is not valid.", { "www-authenticate": "Bearer" });
    ctx.key = key;
    return key;
  }

  function readJson(req: http.IncomingMessage): Promise<unknown> {
    const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (ct !== "application/json") return Promise.reject(httpError(415, "invalid_content_type", "invalid_input", "Send the request as Content-Type: application/json."));
    const len = req.headers["content-length"];
    if (len !== undefined && Number(len) > JSON_BODY_CAP) return Promise.reject(httpError(413, "payload_too_large", "invalid_input", "The request body is too large."));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on("data", (c: Buffer) => {
        if (failed) return;
        size += c.length;
        if (size > JSON_BODY_CAP) {
          failed = true;
          reject(httpError(413, "payload_too_large", "invalid_input", "The request body is too large."));
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => {
        if (failed) return;
        if (size === 0) return reject(httpError(400, "empty_input_body", "invalid_input", "The request body is empty."));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          reject(httpError(400, "bad_request", "invalid_input", "The request body is not valid JSON."));
        }
      });
      req.on("error", () => {
        failed = true;
        reject(httpError(400, "bad_request", "invalid_input", "The request body could not be read."));
      });
      req.on("aborted", () => {
        failed = true;
        reject(httpError(400, "bad_request", "invalid_input", "The request body was cut short."));
      });
    });
  }

  function jobIdFrom(segment: string): string {
    try {
      return decodeURIComponent(segment);
    } catch {
      return "";
    }
  }

  function requireProvider(): void {
    if (providerProblem) throw httpError(503, "provider_unavailable", "service_unavailable", providerProblem);
  }

  async function upload(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx, owner: string): Promise<void> {
    const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(ct)) {
      throw httpError(415, "invalid_content_type", "invalid_input", `Upload the raw image with Content-Type ${UPLOAD_CONTENT_TYPES.join(", ")}.`);
    }
    const lenHeader = req.headers["content-length"];
    let len: number | undefined;
    if (lenHeader !== undefined) {
      if (!/^\d{1,12}$/.test(lenHeader)) throw httpError(400, "bad_request", "invalid_input", "Content-Length is not a number.");
      len = Number(lenHeader);
      if (len > MAX_UPLOAD_BYTES) throw new UploadTooLargeError(MAX_UPLOAD_BYTES);
      if (len === 0) throw httpError(400, "empty_input_body", "invalid_input", "The upload is empty.");
    }
    requireProvider();
    // Look at the first bytes before anything goes upstream: they must be the declared image type.
    const start = await readStart(req, 12);
    if (start.head.length === 0) throw httpError(400, "empty_input_body", "invalid_input", "The upload is empty.");
    if (!looksLike(ct, start.head)) throw httpError(415, "invalid_content_type", "invalid_input", `The bytes are not a ${ct.slice(6).toUpperCase()} image.`);
    let seen = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > MAX_UPLOAD_BYTES) cb(new UploadTooLargeError(MAX_UPLOAD_BYTES));
        else cb(null, chunk);
      },
      flush(cb) {
        cb(seen === 0 ? httpError(400, "empty_input_body", "invalid_input", "The upload is empty.") : null);
      },
    });
    req.on("aborted", () => capped.destroy(new Error("client aborted")));
    capped.write(start.head);
    if (start.ended) capped.end();
    else req.pipe(capped);
    let r: { uploadId: string };
    try {
      const t0 = performance.now();
      r = await provider!.upload(capped, ct as UploadContentType, owner, len).finally(() => (ctx.facts.upstreamMs = Math.round(performance.now() - t0)));
    } catch (err) {
      const streamErr = (capped as unknown as { errored?: Error }).errored;
      if (streamErr instanceof UploadTooLargeError || streamErr instanceof HttpError) throw streamErr;
      throw await jobs.providerFailure(err);
    }
    await store.recordUsage(owner, utcDay(Date.now()), { uploads: 1 });
    sendJson(res, 200, { images: [{ id: r.uploadId }] });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx): Promise<void> {
    const raw = req.url ?? "";
    if (!raw.startsWith("/")) throw httpError(400, "bad_request", "invalid_input", "Bad request target.");
    const qi = raw.indexOf("?");
    const pathname = qi < 0 ? raw : raw.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? "" : raw.slice(qi + 1));
    const method = req.method ?? "GET";

    const host = hostName(req.headers.host);
    if (!host || !allowedHosts.has(host)) {
      ctx.route = "host_check";
      throw httpError(421, BROKER_ERROR_CODES.hostNotAllowed, "invalid_input", "This broker does not answer to that host name.");
    }
    for (const name of query.keys()) {
      if (SECRET_QUERY.test(name)) {
        ctx.route = "query_check";
        throw httpError(400, "secret_in_query", "invalid_input", "Keys and tokens are never accepted in the URL; send Authorization: Bearer <key>.");
      }
    }
    const isApi = /^\/v[0-9]+(\/|$)/.test(pathname);
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (originAllowed(origin)) {
        res.setHeader("access-control-allow-origin", origin);
        res.setHeader("vary", "Origin");
        res.setHeader("access-control-expose-headers", "retry-after, x-access-error, x-access-rate-limit-level");
      } else if (isApi || method === "OPTIONS") {
        ctx.route = "cors_check";
        throw httpError(403, "origin_not_allowed", "auth", "This web origin may not call the broker (add it to INFILL_CORS_ORIGINS).");
      }
    }
    if (method === "OPTIONS") {
      ctx.route = "preflight";
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST, PUT, OPTIONS",
        "access-control-allow-headers": "authorization, content-type, x-model-version, x-request-id",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }

    if (pathname === "/health") {
      ctx.route = "GET /health";
      if (method !== "GET" && method !== "HEAD") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
      let stats = { depth: -1, submitting: -1 };
      let paused = 0;
      try {
        [stats, paused] = await Promise.all([store.queueStats(), store.pausedUntil()]);
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
      }
      const h = provider!.health();
      sendJson(res, 200, {
        status: closing ? "stopping" : providerProblem ? "degraded" : "ok",
        mode: config.mode,
        version: ver,
        queue: { depth: stats.depth, submitting: stats.submitting, pausedUntil: paused > Date.now() ? new Date(paused).toISOString() : undefined },
        upstream: { reachable: h.reachable, lastSeenAt: h.lastSeenAt ? new Date(h.lastSeenAt).toISOString() : undefined, detail: h.detail },
        store: storeHealth(store),
      });
      return;
    }

    const out = /^\/v1\/outputs\/([^/]{1,300})\/(\d{1,2})$/.exec(pathname);
    if (out) {
      ctx.route = "GET /v1/outputs";
      if (method !== "GET") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
      const expires = Number(query.get("expires"));
      const sig = query.get("sig") ?? "";
      const o = await jobs.output(jobIdFrom(out[1]), Number(out[2]), Number.isFinite(expires) ? expires : 0, sig, ctx.facts);
      res.writeHead(200, {
        "content-type": o.contentType,
        ...(o.contentLength !== undefined ? { "content-length": String(o.contentLength) } : {}),
        "cache-control": "private, max-age=300",
        "x-content-type-options": "nosniff",
      });
      pipeline(o.stream, res, () => undefined);
      return;
    }

    if (!isApi) {
      if (method !== "GET" && method !== "HEAD") {
        ctx.route = "static";
        throw httpError(405, "method_not_allowed", "invalid_input", "Only GET is served here.");
      }
      const ui = pathname === "/ui" || pathname.startsWith("/ui/");
      ctx.route = ui ? "GET /ui" : "GET /";
      const r = resolveStatic(ui ? config.uiDir : config.playgroundDir, ui ? pathname.slice(3) : pathname);
      if (r.kind === "file") return sendFile(res, r, method === "HEAD");
      if (r.kind === "forbidden") throw httpError(403, "forbidden", "invalid_input", "That path is not served.");
      throw httpError(404, BROKER_ERROR_CODES.notFound, "not_found", ui ? "The panel UI is not built (run npm run build)." : "Not found. (Is the playground built? Run npm run build.)");
    }

    // Everything below needs a broker key.
    ctx.route = "auth";
    const key = authenticate(req, ctx);
    const owner = key.name;
    const m = (re: RegExp) => re.exec(pathname);
    const only = (want: string, name: string) => {
      ctx.route = `${want} ${name}`;
      if (method !== want) throw httpError(405, "method_not_allowed", "invalid_input", `Use ${want}.`);
    };
    let g: RegExpExecArray | null;
    if (pathname === "/v2/storage/image") {
      only("POST", pathname);
      return upload(req, res, ctx, owner);
    }
    if ((g = m(/^\/v3\/images\/([a-z-]+)$/)) && SUBMIT_ROUTES[g[1]]) {
      only("POST", pathname);
      const body = await readJson(req);
      requireProvider();
      const mv = req.headers["x-model-version"];
      const accepted = await jobs.submit(owner, SUBMIT_ROUTES[g[1]], body, typeof mv === "string" ? mv.trim() : undefined, baseUrl(req), ctx.facts);
      sendJson(res, 202, accepted);
      return;
    }
    if ((g = m(/^\/v3\/status\/([^/]{1,300})$/))) {
      only("GET", "/v3/status/:jobId");
      sendJson(res, 200, await jobs.status(owner, jobIdFrom(g[1]), baseUrl(req), ctx.facts));
      return;
    }
    if ((g = m(/^\/v3\/cancel\/([^/]{1,300})$/))) {
      only("PUT", "/v3/cancel/:jobId");
      sendJson(res, 200, await jobs.cancel(owner, jobIdFrom(g[1]), ctx.facts));
      return;
    }
    if (pathname === "/v3/custom-models") {
      only("GET", pathname);
      requireProvider();
      const q: Record<string, string> = {};
      for (const [k, v] of query) if (CUSTOM_MODEL_QUERY.has(k) && v.length <= 64) q[k] = v;
      const t0 = performance.now();
      try {
        sendJson(res, 200, await provider!.customModels(q));
      } catch (err) {
        throw await jobs.providerFailure(err);
      } finally {
        ctx.facts.upstreamMs = Math.round(performance.now() - t0);
      }
      return;
    }
    if (pathname === "/v1/usage") {
      only("GET", pathname);
      if (!key.admin) throw httpError(403, "forbidden", "auth", "Usage is for admin keys only.");
      const since = query.get("since") ?? undefined;
      if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw httpError(400, "bad_request", "invalid_input", "since must be YYYY-MM-DD.");
      sendJson(res, 200, { usage: await store.usage(since) });
      return;
    }
    ctx.route = "unknown";
    throw httpError(404, BROKER_ERROR_CODES.notFound, "not_found", "No such route.");
  }

  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    const ctx: Ctx = { route: "unknown", facts: {} };
    if (closing) res.setHeader("connection", "close");
    res.on("finish", () => {
      if (closing) server.closeIdleConnections();
    });
    res.on("close", () => {
      log.log({
        key: ctx.key?.name ?? null,
        method: req.method,
        route: ctx.route,
        status: res.headersSent ? res.statusCode : 0,
        ms: Math.round((performance.now() - t0) * 10) / 10,
        upstreamMs: ctx.facts.upstreamMs,
        jobId: ctx.facts.jobId,
      });
    });
    route(req, res, ctx).catch((err) => sendError(req, res, err));
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = JSON.stringify({ error_code: status === 431 ? "headers_too_large" : status === 408 ? "timeout_error" : "bad_request", message: status === 431 ? "The request headers are too large." : "The request could not be read.", category: "invalid_input" });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    log.log({ key: null, route: "malformed", status, error: err.code });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await provider.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const addr = server.address() as { port: number };
  for (const h of allowedHosts) selfOrigins.add(`http://${h.includes(":") ? `[${h}]` : h}:${addr.port}`);
  if (config.publicUrl) selfOrigins.add(new URL(config.publicUrl).origin);

  await dispatcher.recoverInterrupted();
  dispatcher.kick(); // queued jobs from before a restart resume now
  const housekeeping = setInterval(() => {
    void dispatcher.recoverInterrupted().catch(() => undefined);
    void store.prune(Date.now() - JOB_RETENTION_MS).catch(() => undefined);
    dispatcher.kick();
  }, 60_000);
  housekeeping.unref();

  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host.includes(":") ? `[${config.host}]` : config.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    config,
    store,
    provider,
    dispatcher,
    jobs,
    log,
    ims,
    providerProblem,
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(housekeeping);
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await dispatcher.stop();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        await serverClosed;
        clearTimeout(force);
        await provider!.close();
        await store.close();
      })();
      return closed;
    },
  };
}
