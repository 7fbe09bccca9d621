// The request id: one per request, in its log line and in the `x-request-id` response header, so
// a client's record of a request can be matched to the broker's log. A client may send its own.

import { randomUUID } from "crypto";
import type { IncomingMessage } from "http";

export const REQUEST_ID_HEADER = "x-request-id";

/** What a client-sent id may be: 1–64 letters, digits and `._:-` (anything else is replaced). */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,64}$/;

/** The client's `x-request-id` when it is sane, else a new random one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === "string" && ACCEPTED.test(sent) ? sent : randomUUID();
}
