// Reading an upload's body whole before anything goes upstream: at most MAX_UPLOAD_BYTES, its
// first bytes checked against the declared image type as soon as they arrive. A client that
// drops the connection part way is reported as ClientAbortedError; nothing upstream was started.

import type { IncomingMessage } from "http";
import { MAX_UPLOAD_BYTES } from "../../common/firefly";
import { UploadTooLargeError } from "../providers/provider";
import { looksLike } from "./body";
import { httpError } from "./errors";

/** The client closed the connection before its upload was complete. */
export class ClientAbortedError extends Error {
  constructor() {
    super("The client closed the connection before the upload was complete.");
    this.name = "ClientAbortedError";
  }
}

/** Bytes of the start that the magic-number check looks at. */
const MAGIC_BYTES = 12;

/** How much of an upload has arrived so far. */
export interface UploadProgress {
  received: number;
}

/** The whole upload body of declared type `contentType`, or the reason it was refused; `progress` follows the bytes as they arrive. */
export function readUpload(req: IncomingMessage, contentType: string, progress: UploadProgress = { received: 0 }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let checked = false;
    let done = false;
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onAborted);
      req.off("close", onClose);
      req.off("error", onAborted);
      if (err) {
        // Stop reading: the rest of the body is not wanted.
        req.pause();
        reject(err);
      } else resolve(body!);
    };
    const check = (): Error | undefined => {
      checked = true;
      return looksLike(contentType, Buffer.concat(chunks).subarray(0, MAGIC_BYTES))
        ? undefined
        : httpError(415, "invalid_content_type", "invalid_input", `The bytes are not a ${contentType.slice(6).toUpperCase()} image.`);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      progress.received = size;
      if (size > MAX_UPLOAD_BYTES) return finish(new UploadTooLargeError(MAX_UPLOAD_BYTES));
      chunks.push(c);
      if (!checked && size >= MAGIC_BYTES) {
        const bad = check();
        if (bad) finish(bad);
      }
    };
    const onEnd = () => {
      if (size === 0) return finish(httpError(400, "empty_input_body", "invalid_input", "The upload is empty."));
      const bad = checked ? undefined : check();
      finish(bad, bad ? undefined : Buffer.concat(chunks, size));
    };
    const onAborted = () => finish(new ClientAbortedError());
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("aborted", onAborted);
    req.on("close", onClose);
    req.on("error", onAborted);
  });
}
