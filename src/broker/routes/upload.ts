// POST /v2/storage/image: a raw image body (JPEG, PNG or WebP, at most 15 MB), its first bytes
// checked against the declared type, read whole while the key holds an upload slot, and only then
// handed to the provider. A client that drops the upload part way is counted and its request's
// log line says so (one line per upload); nothing went upstream for it.

import type { IncomingMessage, ServerResponse } from "http";
import { Readable } from "stream";
import { MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES } from "../../common/firefly";
import type { BrokerParts, RequestContext } from "../http/context";
import { httpError } from "../http/errors";
import { ClientAbortedError, readUpload, type UploadProgress } from "../http/upload-body";
import { UploadContentType, UploadTooLargeError } from "../providers/provider";
import { requireProvider } from "./provider-check";

export async function upload(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, owner: string): Promise<void> {
  const ct = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    .trim()
    .toLowerCase();
  if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(ct)) {
    throw httpError(415, "invalid_content_type", "invalid_input", `Upload the raw image with Content-Type ${UPLOAD_CONTENT_TYPES.join(", ")}.`);
  }
  const lenHeader = req.headers["content-length"];
  if (lenHeader !== undefined) {
    if (!/^\d{1,12}$/.test(lenHeader)) throw httpError(400, "bad_request", "invalid_input", "Content-Length is not a number.");
    const len = Number(lenHeader);
    if (len > MAX_UPLOAD_BYTES) throw new UploadTooLargeError(MAX_UPLOAD_BYTES);
    if (len === 0) throw httpError(400, "empty_input_body", "invalid_input", "The upload is empty.");
  }
  requireProvider(parts);
  const release = parts.uploads.take(owner);
  const progress: UploadProgress = { received: 0 };
  // A client that leaves before the upload is answered: counted, and said on the request's own
  // log line (written by the pipeline's "close" listener, so this one goes first).
  res.prependOnceListener("close", () => {
    if (res.headersSent || req.complete) return;
    parts.counters.uploadsAborted++;
    ctx.logFields = { event: "upload_aborted", received: progress.received };
  });
  try {
    let bytes: Buffer;
    try {
      bytes = await readUpload(req, ct, progress);
    } catch (err) {
      if (!(err instanceof ClientAbortedError)) throw err;
      res.destroy();
      return;
    }
    const t0 = performance.now();
    let r: { uploadId: string };
    try {
      r = await parts.provider.upload(Readable.from([bytes]), ct as UploadContentType, owner, bytes.length);
    } catch (err) {
      throw await parts.jobs.providerFailure(err);
    } finally {
      ctx.facts.upstreamMs = Math.round(performance.now() - t0);
    }
    await parts.jobs.uploaded(owner, r.uploadId);
    parts.previews?.keepUpload(r.uploadId, bytes, ct as UploadContentType, owner);
    parts.respond.sendJson(res, 200, { images: [{ id: r.uploadId }] });
  } finally {
    release();
  }
}
