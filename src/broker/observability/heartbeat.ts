// This instance's heartbeat in the store: written at start and every HEARTBEAT_MS, so the admin
// overview lists every instance on a shared store with its version and health, and shows which
// ones went quiet.

import type { InstanceBeat, InstanceRegistry } from "../store/store";

export const HEARTBEAT_MS = 5_000;

/** An instance whose last beat is older than this is shown as silent. */
export const SILENT_AFTER_MS = 3 * HEARTBEAT_MS;

/** Instances the overview lists: those that beat within this. */
export const LISTED_FOR_MS = 24 * 3600_000;

export interface Heartbeat {
  /** Beat now (awaitable: the first beat before the broker says it is up). */
  beat(): Promise<void>;
  stop(): void;
}

/**
 * Beats `describe()` (stamped `now()`) into `store` every `everyMs`. A failed write is reported
 * to `onError` and tried again at the next beat.
 */
export function startHeartbeat(
  store: InstanceRegistry,
  describe: () => Omit<InstanceBeat, "beatAt">,
  now: () => number,
  onError: (err: unknown) => void,
  everyMs = HEARTBEAT_MS,
): Heartbeat {
  const beat = () => store.heartbeat({ ...describe(), beatAt: now() }).catch(onError);
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}
