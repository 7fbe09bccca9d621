// A small HTTP client for the broker's upstream calls (IMS, Firefly, output hosts), on undici's
// keep-alive pools: no redirects followed, one timeout for the whole exchange, capped response
// bodies, and one fact the submit rules need — whether a failed request provably never left the
// broker. undici rather than node:http, and its handler interface rather than streams for read
// bodies: a status poll's upstream leg is the largest part of what the broker spends on it.

import type { Readable } from "stream";
import { Agent, Client, util, type Dispatcher } from "undici";
import { upstreamDeadlines } from "./deadlines";

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
  /** Abort when the whole exchange takes longer (ms). */
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

/** Keep-alive pools, one per origin. undici's own timeouts are longer than any of ours; ours decide. */
const shared = new Agent({ connections: 64, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
/** Uploads' own pools: however many are in flight, status polls and other short calls never queue behind them. */
export const UPLOAD_CONNECTIONS = 16;
const uploads = new Agent({ connections: UPLOAD_CONNECTIONS, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });

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
  const client = new Client(origin, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connect: { timeout: req.timeoutMs + 1_000 } });
  client.once("connect", () => (connected = true));
  return { client, connected: () => connected };
}

/** undici's failure as a NetworkError; refused or unreachable means the connection was never made. */
function networkError(err: unknown): NetworkError {
  if (err instanceof NetworkError) return err;
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  let code = e?.cause?.code ?? e?.code ?? "EUNKNOWN";
  if (code === "UND_ERR_CONNECT_TIMEOUT") code = "CONNECT_TIMEOUT";
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
});

/**
 * Send a request and read the whole (capped) response body, all within `timeoutMs`. Uses undici's
 * handler interface: the body arrives as chunks, with no stream or promise per chunk.
 */
export function fetchUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  const cap = req.maxResponseBytes ?? 4 * 1024 * 1024;
  const target = targetOf(req.url);
  return new Promise((resolve, reject) => {
    const fresh = req.freshConnection ? freshClient(req, target.origin) : undefined;
    let abort: ((err?: Error) => void) | undefined;
    let settled = false;
    let status = 0;
    let raw: Buffer[] = [];
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: NetworkError | undefined, res?: UpstreamResponse) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      if (fresh) void fresh.client.destroy().catch(() => undefined);
      if (err) {
        abort?.(err);
        reject(err);
      } else resolve(res!);
    };
    const deadline = upstreamDeadlines.after(req.timeoutMs, () => finish(fresh && !fresh.connected() ? new NetworkError("CONNECT_TIMEOUT", true) : new NetworkError("TIMEOUT", false)));
    (fresh?.client ?? (req.pool === "upload" ? uploads : shared)).dispatch(requestOptions(req, target), {
      onConnect(a) {
        abort = a;
        if (settled) a(); // already timed out
      },
      onHeaders(code, headers) {
        status = code;
        raw = headers;
        return true;
      },
      onData(c) {
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
        finish(networkError(err));
      },
    });
  });
}

/** Send a request and hand back the response stream (outputs). The caller must consume or destroy it. */
export async function streamUpstream(req: UpstreamRequest): Promise<UpstreamStream> {
  // The timeout covers getting the headers; the caller reads the stream at its own pace.
  const abort = new AbortController();
  let timedOut = false;
  const deadline = upstreamDeadlines.after(req.timeoutMs, () => {
    timedOut = true;
    abort.abort();
  });
  try {
    const res = await shared.request({ ...requestOptions(req, targetOf(req.url)), signal: abort.signal });
    return { status: res.statusCode, headers: flatHeaders(res.headers), stream: res.body };
  } catch (err) {
    throw timedOut ? new NetworkError("TIMEOUT", false) : networkError(err);
  } finally {
    deadline.cancel();
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
