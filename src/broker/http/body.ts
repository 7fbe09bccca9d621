// Reading request bodies: JSON (capped, content type checked), and the magic numbers an upload's
// first bytes must match (the upload itself is read by upload-body.ts).

import type { IncomingMessage } from "http";
import { httpError } from "./errors";

export const JSON_BODY_CAP = 64 * 1024;

/** Magic numbers of the upload types. */
export function looksLike(contentType: string, head: Buffer): boolean {
  if (contentType === "image/png") return head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (contentType === "image/jpeg") return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  if (contentType === "image/webp") return head.length >= 12 && head.toString("latin1", 0, 4) === "RIFF" && head.toString("latin1", 8, 12) === "WEBP";
  return false;
}

/** The JSON body: application/json only, at most JSON_BODY_CAP bytes, not empty. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  const ct = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    .trim()
    .toLowerCase();
  if (ct !== "application/json")
    return Promise.reject(httpError(415, "invalid_content_type", "invalid_input", "Send the request as Content-Type: application/json."));
  const len = req.headers["content-length"];
  if (len !== undefined && Number(len) > JSON_BODY_CAP)
    return Promise.reject(httpError(413, "payload_too_large", "invalid_input", "The request body is too large."));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > JSON_BODY_CAP) {
        failed = true;
        reject(httpError(413, "payload_too_large", "invalid_input", "The request body is too large."));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (failed) return;
      if (size === 0) return reject(httpError(400, "empty_input_body", "invalid_input", "The request body is empty."));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(httpError(400, "bad_request", "invalid_input", "The request body is not valid JSON."));
      }
    });
    req.on("error", () => {
      failed = true;
      reject(httpError(400, "bad_request", "invalid_input", "The request body could not be read."));
    });
    req.on("aborted", () => {
      failed = true;
      reject(httpError(400, "bad_request", "invalid_input", "The request body was cut short."));
    });
  });
}

/** A job id from a path segment (percent-decoded; malformed escapes give an id that matches nothing). */
export function jobIdFrom(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
