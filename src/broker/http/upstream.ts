// A small HTTP client for the broker's upstream calls (IMS, Firefly, output hosts), on node:http
// with keep-alive agents: no redirects followed, whole-request timeouts, capped response bodies,
// and one fact the submit rules need — whether a failed request provably never left the broker.

import * as http from "http";
import * as https from "https";
import type { Readable } from "stream";

export interface UpstreamRequest {
  method: "GET" | "POST" | "PUT";
  url: URL;
  headers?: Record<string, string>;
  /** Request body: bytes, or a stream (sent chunked unless content-length is given). */
  body?: Buffer | string | Readable;
  /** Abort when the whole exchange takes longer (ms). */
  timeoutMs: number;
  /** Use a fresh connection (submits: a reused socket closed by the server makes "was it sent?" unknowable). */
  freshConnection?: boolean;
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
  stream: http.IncomingMessage;
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

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 }),
};

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** A read response whose header object is built only when asked for (a status poll never asks). */
class ReadResponse implements UpstreamResponse {
  private flat: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    private readonly message: http.IncomingMessage,
    readonly body: Buffer,
  ) {}

  get headers(): Record<string, string> {
    return (this.flat ??= flatHeaders(this.message.headers));
  }
}

/** Request options from a URL (what http.request would derive from it, without its generic conversion). */
function urlOptions(url: URL): http.RequestOptions {
  const host = url.hostname;
  const options: http.RequestOptions = {
    protocol: url.protocol,
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port: url.port || undefined,
    path: url.pathname + url.search,
  };
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return options;
}

/**
 * Start a request. `onResponse` gets the response headers and `done`: the one timer of the whole
 * exchange (`req.timeoutMs`) runs until the caller calls `done` (or the exchange fails).
 */
function start(req: UpstreamRequest, onResponse: (res: http.IncomingMessage, done: () => void) => void, onError: (err: NetworkError) => void): void {
  const isHttps = req.url.protocol === "https:";
  const mod = isHttps ? https : http;
  const agent = req.freshConnection ? false : isHttps ? agents.https : agents.http;
  let connected = false;
  let answered = false;
  let settled = false;
  const done = () => {
    settled = true;
    clearTimeout(timer);
  };
  const fail = (code: string) => {
    if (settled) return;
    done();
    onError(new NetworkError(code, !connected && NEVER_CONNECTED.has(code) ? true : !connected && code === "CONNECT_TIMEOUT"));
    r.destroy();
  };
  const options = urlOptions(req.url);
  options.method = req.method;
  options.headers = req.headers;
  options.agent = agent;
  const r = mod.request(options, (res) => {
    if (settled || answered) return res.resume();
    answered = true;
    onResponse(res, done);
  });
  r.on("socket", (socket) => {
    // A reused keep-alive socket is already connected; a new one says so once (TCP connect).
    if (!(socket as { connecting?: boolean }).connecting) connected = true;
    else socket.once("connect", () => (connected = true));
  });
  const timer = setTimeout(() => fail(connected ? "TIMEOUT" : "CONNECT_TIMEOUT"), req.timeoutMs);
  r.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? "EUNKNOWN"));
  const body = req.body;
  if (body === undefined) r.end();
  else if (typeof body === "string" || Buffer.isBuffer(body)) r.end(body);
  else {
    body.on("error", () => fail("BODY_ERROR"));
    body.pipe(r);
  }
}

/** Send a request and read the whole (capped) response body, all within `timeoutMs`. */
export function fetchUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  const cap = req.maxResponseBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    start(
      req,
      (res, done) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > cap) {
            done();
            res.destroy();
            reject(new NetworkError("RESPONSE_TOO_LARGE", false));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => {
          done();
          resolve(new ReadResponse(res.statusCode ?? 0, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        });
        // A body cut short errors the response (Node reports it as "aborted"); a body that stalls
        // is ended by the exchange's timer, which is still running.
        res.on("error", () => {
          done();
          reject(new NetworkError("ECONNRESET", false));
        });
      },
      reject,
    );
  });
}

/** Send a request and hand back the response stream (outputs). The caller must consume or destroy it. */
export function streamUpstream(req: UpstreamRequest): Promise<UpstreamStream> {
  return new Promise((resolve, reject) => {
    start(
      req,
      (res, done) => {
        // The timeout covers getting the headers; the caller reads the stream at its own pace.
        done();
        resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), stream: res });
      },
      reject,
    );
  });
}

/** Parse a JSON body leniently: undefined when it is not JSON. */
export function jsonBody(body: Buffer): unknown {
  if (!body.length) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return body.toString("utf8").slice(0, 2000);
  }
}

export function closeAgents(): void {
  agents.http.destroy();
  agents.https.destroy();
}
