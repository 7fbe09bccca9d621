// The one error the Redis store throws when it cannot do its job: Redis unreachable, timed out,
// loading, read-only, out of memory. The broker answers it with 503 `store_unavailable` rather
// than accept work it could not track.

import { BROKER_ERROR_CODES } from "../../../common/firefly";

export class StoreUnavailableError extends Error {
  readonly code = BROKER_ERROR_CODES.storeUnavailable;
  /** HTTP status the broker should answer with. */
  readonly status = 503;

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "StoreUnavailableError";
  }
}

export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError || (!!err && typeof err === "object" && (err as { code?: unknown }).code === BROKER_ERROR_CODES.storeUnavailable);
}

/** A Redis URL fit for logs: no user name or password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}
