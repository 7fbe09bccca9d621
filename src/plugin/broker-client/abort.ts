// Cancelling without relying on AbortSignal events. UXP documents its AbortSignal for web streams
// only (no addEventListener) and its fetch lists no `signal` option, so a request is raced against
// its signal here and a late answer is dropped. When the signal cannot notify, `aborted` is checked
// every ABORT_CHECK_MS.

export const ABORT_CHECK_MS = 100;

/** The part of an AbortSignal this relies on; listeners are used only when present. */
export interface SignalLike {
  readonly aborted: boolean;
  addEventListener?: (type: "abort", fn: () => void, o?: { once?: boolean }) => void;
  removeEventListener?: (type: "abort", fn: () => void) => void;
}

/** Calls `fn` once when `signal` aborts; returns a function that stops watching. */
export function onAbort(signal: SignalLike, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  if (typeof signal.addEventListener === "function" && typeof signal.removeEventListener === "function") {
    signal.addEventListener("abort", fn, { once: true });
    return () => signal.removeEventListener?.("abort", fn);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    if (signal.aborted) fn();
    else timer = setTimeout(check, ABORT_CHECK_MS);
  };
  timer = setTimeout(check, ABORT_CHECK_MS);
  return () => clearTimeout(timer);
}

export class AbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortError";
  }
}

/** `work`, or a rejection with AbortedError as soon as `signal` aborts (whatever `work` does later is dropped). */
export function raceAbort<T>(work: Promise<T>, signal?: SignalLike | null): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(new AbortedError()));
    work.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e) => {
        stop();
        reject(e);
      },
    );
  });
}

/** What withDeadline rejects with when its time is up. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${Math.round(ms / 1000)} s`);
    this.name = "DeadlineError";
  }
}

/** `run(signal)`, rejected with a DeadlineError after `ms` whether or not `run` honours the signal. */
export function withDeadline<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineError(ms));
    }, ms);
  });
  return Promise.race([run(controller.signal), deadline]).finally(() => clearTimeout(timer));
}
