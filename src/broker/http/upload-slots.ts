// How many uploads may be in progress at once, per key and in all. An upload holds its slot from
// its first byte until Firefly has answered it, so one key's slow or numerous uploads cannot take
// every upstream connection or buffer without bound (each holds at most 15 MB).

import { httpError } from "./errors";

export interface UploadLimits {
  perKey: number;
  total: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { perKey: 4, total: 32 };

export class UploadSlots {
  private readonly byKey = new Map<string, number>();
  private inUse = 0;

  constructor(private readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {}

  /** A slot for `owner`'s upload, released by calling the function returned; a 429 when none is free. */
  take(owner: string): () => void {
    const mine = this.byKey.get(owner) ?? 0;
    if (mine >= this.limits.perKey || this.inUse >= this.limits.total) {
      const message =
        mine >= this.limits.perKey
          ? `This key already has ${this.limits.perKey} uploads in progress. Wait for one to finish.`
          : "The broker is handling as many uploads as it takes at once. Try again in a moment.";
      throw httpError(429, "rate_limited", "rate_limited", message, { "retry-after": "1" });
    }
    this.byKey.set(owner, mine + 1);
    this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const left = (this.byKey.get(owner) ?? 1) - 1;
      if (left <= 0) this.byKey.delete(owner);
      else this.byKey.set(owner, left);
    };
  }

  /** Uploads in progress (for /health and tests). */
  get active(): number {
    return this.inUse;
  }
}
