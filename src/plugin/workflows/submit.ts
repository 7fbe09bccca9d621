// Uploading a captured job's images (encoded one after another, sent in parallel) and building its
// Firefly call; what each kind sends is in kinds/.

import type { BrokerClient } from "../broker-client";
import { kindOf, type SubmitCall, type Upload, type UploadIds, type Uploader, type UploadSet } from "./kinds";
import { withRetry } from "./retry";
import type { Captured } from "./types";

export { REFERENCE_JPEG_QUALITY, SOURCE_JPEG_QUALITY } from "./kinds/submit-parts";

export interface Transfer {
  /** Bytes sent to the broker (uploads). */
  bytesUp: number;
  bytesDown: number;
}

/** What the job sent, under the store key it is kept as (see Upload.keepAs). */
export interface KeptUpload {
  key: string;
  bytes: Uint8Array;
}

/** An uploader through the broker, with retries; counts the bytes sent and reports those to keep. */
export function brokerUploader(
  broker: BrokerClient,
  signal: AbortSignal,
  transfer: Transfer,
  sleep: (ms: number, s?: AbortSignal) => Promise<void>,
  onKept?: (kept: KeptUpload) => void,
): Uploader {
  return async <T extends UploadSet>(images: T): Promise<UploadIds<T>> => {
    const entries = Object.entries(images).filter((e): e is [string, Upload] => e[1] !== undefined);
    // Encode one after another (CPU), send all at once (network).
    const encoded = entries.map(([name, u]) => ({ name, bytes: u.encode(), type: u.type, keepAs: u.keepAs }));
    for (const e of encoded) if (e.keepAs) onKept?.({ key: e.keepAs, bytes: e.bytes });
    const ids = await Promise.all(
      encoded.map(async ({ name, bytes, type }) => {
        transfer.bytesUp += bytes.length;
        return [name, await withRetry(() => broker.upload(bytes, type, signal), signal, sleep)] as const;
      }),
    );
    // Every given image has its id; absent ones stay absent, as the Uploader type says.
    return Object.fromEntries(ids) as UploadIds<T>;
  };
}

/** Uploads what the job sends and builds its Firefly call (the kind's submit). */
export function submitJob(cap: Captured, upload: Uploader): Promise<SubmitCall> {
  return kindOf(cap.request.kind).submit(cap, upload);
}
