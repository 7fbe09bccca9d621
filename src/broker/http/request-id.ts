// The request id: one per request, in its log line and in the `x-request-id` response header, so
// a client's record of a request can be matched to the broker's log. A client may send its own.

import { randomUUID } from "crypto";
import type { IncomingMessage } from "http";
import { REQUEST_ID_HEADER, REQUEST_ID_RE } from "../../common/request-id";

export { REQUEST_ID_HEADER };

/** The client's `x-request-id` when it is sane (REQUEST_ID_RE), else a new random one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === "string" && REQUEST_ID_RE.test(sent) ? sent : randomUUID();
}
