// Retrying calls that clearly did not do their work: network failures, rate limits (after
// retry-after) and a paused service. Everything else fails at once.

import { BrokerError } from "../broker-client";
import { onAbort } from "../broker-client/abort";

export function isRetryable(e: unknown): e is BrokerError {
  return e instanceof BrokerError && (e.category === "network" || e.category === "rate_limited" || e.status === 503 || e.status === 502 || e.status === 504);
}

export function backoffMs(attempt: number, e: BrokerError | undefined, baseMs = 1000, capMs = 30000): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.max(exp, Math.min(e?.retryAfterMs ?? 0, 5 * 60 * 1000));
}

export async function withRetry<T>(fn: () => Promise<T>, signal: AbortSignal, sleep: (ms: number, s?: AbortSignal) => Promise<void>, attempts = 3): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (signal.aborted || i + 1 >= attempts || !isRetryable(e)) throw e;
      // Daily limits and full queues do not clear in seconds.
      if (e.code === "daily_limit_reached" || e.code === "queue_full") throw e;
      await sleep(backoffMs(i, e), signal);
    }
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (with or without abort events on the signal). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted"));
    const stop = signal
      ? onAbort(signal, () => {
          clearTimeout(t);
          reject(new Error("aborted"));
        })
      : () => undefined;
    const t = setTimeout(() => {
      stop();
      resolve();
    }, ms);
  });
}
