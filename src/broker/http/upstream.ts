// A small HTTP client for the broker's upstream calls (IMS, Firefly, output hosts), on undici's
// keep-alive pools: no redirects followed, capped response bodies, and one fact the submit rules
// need — whether a failed request provably never left the broker. undici rather than node:http,
// and its handler interface rather than streams for read bodies: a status poll's upstream leg is
// the largest part of what the broker spends on it.
//
// Timeouts are undici's own (its coarse shared timers; no timer of ours per request): `timeoutMs`
// is the connect timeout of a fresh connection, the headers timeout, and the longest silence
// while a body is read. The whole exchange is also checked against `timeoutMs` at the headers
// and at every chunk, so a body that keeps trickling ends at the deadline; one that stops
// altogether ends `timeoutMs` after its last byte. A request that waited for a free pooled
// connection past its deadline ends, unsent, when it gets one.
//
// Every finished call (status, or network error code, and its time) is told to the observers
// registered with observeUpstream (each broker's metrics).

import type { Readable } from "stream";
import { Agent, Client, util, type Dispatcher } from "undici";
import type { UpstreamCall } from "../observability/metrics";

/** Where a request goes, split as undici takes it (callers that send often keep these). */
export interface UpstreamTarget {
  /** `scheme://host[:port]`. */
  origin: string;
  /** Path and query, starting with "/". */
  path: string;
}

export interface UpstreamRequest {
  method: "GET" | "POST" | "PUT";
  url: URL | UpstreamTarget;
  headers?: Record<string, string>;
  /** Request body: bytes, or a stream (sent chunked unless content-length is given). */
  body?: Buffer | string | Readable;
  /** Abort when the whole exchange takes longer, or upstream is silent that long (ms). */
  timeoutMs: number;
  /** Use a fresh connection (submits: a reused socket closed by the server makes "was it sent?" unknowable). */
  freshConnection?: boolean;
  /** Which connection pool: uploads have their own, so they never hold up short calls (default "short"). */
  pool?: "short" | "upload";
  /** Largest response body read into memory (default 4 MB). */
  maxResponseBytes?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface UpstreamStream {
  status: number;
  headers: Record<string, string>;
  stream: Readable;
}

/** No response: the connection failed, timed out, or was cut. */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    /** True when no byte of the request can have reached the server (the connection was never made). */
    readonly notSent: boolean,
  ) {
    super(`upstream network error (${code})`);
    this.name = "NetworkError";
  }
}

const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "CONNECT_TIMEOUT"]);

/** Keep-alive pools, one per origin. Every request sets its own headers and body timeouts. */
const shared = new Agent({ connections: 64, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000 });
/** Uploads' own pools: however many are in flight, status polls and other short calls never queue behind them. */
export const UPLOAD_CONNECTIONS = 16;
const uploads = new Agent({ connections: UPLOAD_CONNECTIONS, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000 });

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** A read response whose header object is built only when asked for (a status poll never asks). */
class ReadResponse implements UpstreamResponse {
  private flat: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    private readonly raw: Buffer[],
    readonly body: Buffer,
  ) {}

  get headers(): Record<string, string> {
    return (this.flat ??= flatHeaders(util.parseHeaders(this.raw)));
  }
}

const targetOf = (url: URL | UpstreamTarget): UpstreamTarget => (url instanceof URL ? { origin: url.origin, path: url.pathname + url.search } : url);

/** A connection of its own for one request (submits), and whether it was ever made. */
function freshClient(req: UpstreamRequest, origin: string): { client: Client; connected: () => boolean } {
  let connected = false;
  const client = new Client(origin, { pipelining: 1, connect: { timeout: req.timeoutMs } });
  client.once("connect", () => (connected = true));
  return { client, connected: () => connected };
}

/** undici's failure as a NetworkError; refused or unreachable means the connection was never made. */
function networkError(err: unknown): NetworkError {
  if (err instanceof NetworkError) return err;
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  let code = e?.cause?.code ?? e?.code ?? "EUNKNOWN";
  if (code === "UND_ERR_CONNECT_TIMEOUT") code = "CONNECT_TIMEOUT";
  else if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") code = "TIMEOUT";
  else if (code === "UND_ERR_SOCKET" || code === "UND_ERR_ABORTED" || code === "ECONNABORTED") code = "ECONNRESET";
  else if (code === "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH") code = "BODY_ERROR";
  return new NetworkError(code, NEVER_CONNECTED.has(code));
}

const requestOptions = (req: UpstreamRequest, { origin, path }: UpstreamTarget): Dispatcher.DispatchOptions => ({
  origin,
  path,
  method: req.method,
  headers: req.headers,
  body: req.body,
  headersTimeout: req.timeoutMs,
  bodyTimeout: req.timeoutMs,
});

/**
 * Send a request and read the whole (capped) response body within `timeoutMs`. Uses undici's
 * handler interface: the body arrives as chunks, with no stream or promise per chunk.
 */
/** Told of every finished upstream call (the brokers' metrics). */
export type UpstreamObserver = (call: UpstreamCall) => void;
const observers = new Set<UpstreamObserver>();

/** Be told of every upstream call made in this process from now on; returns the unsubscribe. */
export function observeUpstream(observer: UpstreamObserver): () => void {
  observers.add(observer);
  return () => void observers.delete(observer);
}

function report(target: UpstreamTarget, started: number, status: number | undefined, err: NetworkError | undefined): void {
  if (!observers.size) return;
  const call: UpstreamCall = { origin: target.origin, path: target.path, status, errorCode: err?.code, seconds: (performance.now() - started) / 1000 };
  for (const o of observers) o(call);
}

export function fetchUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  const cap = req.maxResponseBytes ?? 4 * 1024 * 1024;
  const target = targetOf(req.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const fresh = req.freshConnection ? freshClient(req, target.origin) : undefined;
    let abort: ((err?: Error) => void) | undefined;
    let settled = false;
    const deadline = performance.now() + req.timeoutMs;
    let status = 0;
    let raw: Buffer[] = [];
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: NetworkError | undefined, res?: UpstreamResponse) => {
      if (settled) return;
      settled = true;
      report(target, started, res?.status, err);
      if (fresh) void fresh.client.destroy().catch(() => undefined);
      if (err) {
        abort?.(err);
        reject(err);
      } else resolve(res!);
    };
    (fresh?.client ?? (req.pool === "upload" ? uploads : shared)).dispatch(requestOptions(req, target), {
      onConnect(a) {
        abort = a;
        // undici's timeouts start once the request is written: one that waited for a free
        // connection past its deadline ends here, before a byte of it is sent.
        if (performance.now() > deadline) finish(new NetworkError("TIMEOUT", true));
      },
      onHeaders(code, headers) {
        if (performance.now() > deadline) {
          finish(new NetworkError("TIMEOUT", false));
          return false;
        }
        status = code;
        raw = headers;
        return true;
      },
      onData(c) {
        if (performance.now() > deadline) {
          finish(new NetworkError("TIMEOUT", false));
          return false;
        }
        size += c.length;
        if (size > cap) {
          finish(new NetworkError("RESPONSE_TOO_LARGE", false));
          return false;
        }
        chunks.push(c);
        return true;
      },
      onComplete() {
        finish(undefined, new ReadResponse(status, raw, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      },
      onError(err) {
        const e = networkError(err);
        // A fresh connection that never came up was never sent, whatever undici called it.
        finish(fresh && !fresh.connected() && e.code === "TIMEOUT" ? new NetworkError("CONNECT_TIMEOUT", true) : e);
      },
    });
  });
}

/**
 * Send a request and hand back the response stream (outputs). The caller must consume or destroy
 * it. `timeoutMs` bounds the wait for the headers and any silence of the body while the caller
 * reads (not while it pauses); the caller reads at its own pace.
 */
export async function streamUpstream(req: UpstreamRequest): Promise<UpstreamStream> {
  const target = targetOf(req.url);
  const started = performance.now();
  try {
    const res = await shared.request(requestOptions(req, target));
    report(target, started, res.statusCode, undefined);
    return { status: res.statusCode, headers: flatHeaders(res.headers), stream: res.body };
  } catch (err) {
    const e = networkError(err);
    report(target, started, undefined, e);
    throw e;
  }
}

/**
 * Parse a JSON body leniently: undefined when empty, the text (whole: callers redact, then cut)
 * when it is not JSON.
 */
export function jsonBody(body: Buffer): unknown {
  if (!body.length) return undefined;
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
