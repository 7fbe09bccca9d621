// The request id the broker gives every request, sent back in the `x-request-id` response header
// and written in its log line; the panel keeps a submit's id in the job record, so a user's report
// can be matched to the broker's log.

export const REQUEST_ID_HEADER = "x-request-id";

/** What a request id may be: 1–64 letters, digits and `._:-`. */
export const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
