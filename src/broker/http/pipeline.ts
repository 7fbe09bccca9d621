// The request pipeline: every request gets a context, passes the guards (host, query, CORS),
// is routed (health, metrics, output links, static files, then the keyed API), is counted, and is logged as one
// redacted JSON line, with its request id (also sent back as `x-request-id`), when it closes. Malformed requests Node cannot parse get a JSON 400/408/431.

import * as http from "http";
import type { Socket } from "net";
import { METRICS_PATH, metricsRoute } from "../observability/metrics-route";
import { adminPage, isAdminPagePath } from "../routes/admin-page";
import { api } from "../routes/api";
import { health } from "../routes/health";
import { matchOutput, output } from "../routes/outputs";
import { staticFiles } from "../routes/static";
import type { BrokerParts, RequestContext, Target } from "./context";
import { httpError } from "./errors";
import { requestEnded, requestInProgress, requestStarted } from "./connections";
import { checkHostAndQuery, handleCors, isApiPath } from "./guards";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id";

/** The query of every request without one (read only: nothing writes to a request's query). */
const NO_QUERY = new URLSearchParams();

function parseTarget(req: http.IncomingMessage): Target {
  const raw = req.url ?? "";
  if (!raw.startsWith("/")) throw httpError(400, "bad_request", "invalid_input", "Bad request target.");
  const qi = raw.indexOf("?");
  return {
    method: req.method ?? "GET",
    pathname: qi < 0 ? raw : raw.slice(0, qi),
    query: qi < 0 ? NO_QUERY : new URLSearchParams(raw.slice(qi + 1)),
  };
}

const ANSWERED = Promise.resolve();

/** The routes that read a request body: uploads, the async submits and the previews (all POST). */
function takesBody(target: Target): boolean {
  const p = target.pathname;
  return target.method === "POST" && (p === "/v2/storage/image" || p.startsWith("/v3/images/") || p.startsWith("/v1/preview/"));
}

/**
 * A body sent to a route that reads none is refused at once, and the connection closed: no
 * request may hold a connection open by trickling bytes nobody reads.
 */
function refuseUnwantedBody(req: http.IncomingMessage, target: Target, ctx: RequestContext): void {
  if (takesBody(target)) return;
  const len = req.headers["content-length"];
  if (req.headers["transfer-encoding"] === undefined && (len === undefined || len === "0")) return;
  ctx.route = "body_check";
  throw httpError(413, "payload_too_large", "invalid_input", "This route takes no request body.", { connection: "close" });
}

/**
 * The handler for a request (its checks throw at once). Not itself async: the route's promise is
 * handed on as it is, so a status poll takes no extra turns of the event loop here.
 */
function route(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext, parts: BrokerParts): Promise<void> {
  const target = parseTarget(req);
  refuseUnwantedBody(req, target, ctx);
  checkHostAndQuery(req, target, ctx, parts);
  if (handleCors(req, res, target, ctx, parts)) return ANSWERED;
  if (target.pathname === "/health") return health(req, res, ctx, parts, target);
  if (target.pathname === METRICS_PATH) return metricsRoute(req, res, ctx, parts, target);
  const out = matchOutput(target.pathname);
  if (out) return output(req, res, ctx, parts, target, out);
  if (isAdminPagePath(target.pathname)) return adminPage(req, res, ctx, parts, target);
  if (!isApiPath(target.pathname)) return staticFiles(req, res, ctx, parts, target);
  return api(req, res, ctx, parts, target);
}

/** Serve `parts` on `server`. */
export function attachPipeline(server: http.Server, parts: BrokerParts): void {
  const { log, state } = parts;
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    const ctx: RequestContext = { route: "unknown", requestId: requestIdOf(req), facts: {} };
    requestStarted(req.socket);
    res.setHeader(REQUEST_ID_HEADER, ctx.requestId);
    if (state.closing) res.setHeader("connection", "close");
    res.on("close", () => {
      requestEnded(req.socket, ctx.key !== undefined);
      if (state.closing) server.closeIdleConnections();
      const ms = performance.now() - t0;
      const status = res.headersSent ? res.statusCode : 0;
      parts.metrics.request(ctx.route, status, ms / 1000);
      log.log({
        reqId: ctx.requestId,
        key: ctx.key?.name ?? null,
        method: req.method,
        route: ctx.route,
        status,
        ms: Math.round(ms * 10) / 10,
        upstreamMs: ctx.facts.upstreamMs,
        jobId: ctx.facts.jobId,
        ...ctx.logFields,
      });
    });
    let handled: Promise<void>;
    try {
      handled = route(req, res, ctx, parts);
    } catch (err) {
      handled = Promise.reject(err);
    }
    handled.catch((err) => parts.respond.sendError(req, res, err));
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = JSON.stringify({
      error_code: status === 431 ? "headers_too_large" : status === 408 ? "timeout_error" : "bad_request",
      message: status === 431 ? "The request headers are too large." : "The request could not be read.",
      category: "invalid_input",
    });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // A request the client cut short by closing its end has a log line of its own (status 0).
    if (err.code !== "HPE_INVALID_EOF_STATE" || !requestInProgress(socket as Socket)) log.log({ key: null, route: "malformed", status, error: err.code });
  });
}
