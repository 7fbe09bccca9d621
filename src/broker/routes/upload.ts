// POST /v2/storage/image: a raw image body (JPEG, PNG or WebP, at most 15 MB), its first bytes
// checked against the declared type, then streamed to the provider.

import type { IncomingMessage, ServerResponse } from "http";
import { Transform } from "stream";
import { MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES } from "../../common/firefly";
import { looksLike, readStart } from "../http/body";
import type { BrokerParts, RequestContext } from "../http/context";
import { HttpError, httpError } from "../http/errors";
import { UploadContentType, UploadTooLargeError } from "../providers/provider";
import { requireProvider } from "./provider-check";

export async function upload(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, owner: string): Promise<void> {
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
  requireProvider(parts);
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
    r = await parts.provider.upload(capped, ct as UploadContentType, owner, len).finally(() => (ctx.facts.upstreamMs = Math.round(performance.now() - t0)));
  } catch (err) {
    const streamErr = (capped as unknown as { errored?: Error }).errored;
    if (streamErr instanceof UploadTooLargeError || streamErr instanceof HttpError) throw streamErr;
    throw await parts.jobs.providerFailure(err);
  }
  await parts.jobs.uploaded(owner, r.uploadId);
  parts.respond.sendJson(res, 200, { images: [{ id: r.uploadId }] });
}
