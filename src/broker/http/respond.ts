// Answers the broker makes itself: JSON, redacted, never cached; errors mapped to their HTTP
// status (unknown failures are logged and answered as a generic 500). A request refused before
// its body was read has a small body drained first, so the answer is not lost to a reset.

import type { IncomingMessage, ServerResponse } from "http";
import { BROKER_ERROR_CODES, MAX_UPLOAD_BYTES } from "../../common/firefly";
import { redactThenCut, type Logger, type Redactor } from "../log";
import { UploadTooLargeError } from "../providers/provider";
import { isStoreUnavailable } from "../store/redis/errors";
import { HttpError, httpError } from "./errors";

/** Refused requests with a body up to this size are read (and discarded) before the answer. */
const DRAIN_LIMIT = 1024 * 1024;

export interface Responder {
  sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
  sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void;
}

export function createResponder(redactor: Redactor, log: Logger, state: { closing: boolean }): Responder {
  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Upstream text is passed on in error messages: never let a secret ride along.
    const text = redactor.redact(JSON.stringify(body));
    if (state.closing) headers = { ...headers, connection: "close" };
    // Headers passed on from upstream (retry-after, x-access-error…) are redacted like the body.
    for (const name in headers) headers[name] = redactor.redact(headers[name]);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(text);
  }

  function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (isStoreUnavailable(err))
      e = httpError(
        503,
        BROKER_ERROR_CODES.storeUnavailable,
        "service_unavailable",
        "The broker cannot reach its job store right now, so it is not accepting jobs.",
        { "retry-after": "5" },
      );
    else if (err instanceof UploadTooLargeError)
      e = httpError(413, "payload_too_large", "invalid_input", `The image is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`);
    else {
      log.error({ event: "internal_error", error: redactThenCut(String((err as Error)?.stack ?? err), 2000, (t) => log.redactor.redact(t)) });
      e = httpError(500, "runtime_error", "service_unavailable", "The broker hit an unexpected error. Try again; if it keeps happening, tell your admin.");
    }
    if (req.complete || req.readableEnded) return sendJson(res, e.status, e.body, e.headers);
    // Refused before the body was read. A small body is drained first (closing a socket with
    // unread input can reset it and lose the answer); a large one is not worth reading: answer
    // and close the connection.
    const declared = Number(req.headers["content-length"]);
    if (!Number.isFinite(declared) || declared > DRAIN_LIMIT || req.readableFlowing || req.listenerCount("data") > 0 || e.headers["connection"] === "close") {
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

  return { sendJson, sendError };
}
