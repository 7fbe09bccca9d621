// The broker's admin overview (`GET /v1/admin/overview`, admin keys only), as the broker answers
// it and the `/admin` page reads it. Names, numbers, codes and categories only: no request, prompt,
// message, key or link.

/** A limit: null when there is none. */
export type Limit = number | null;

export interface OverviewPerson {
  /** The key's name. */
  name: string;
  /** Jobs waiting in the queue. */
  waiting: number;
  /** Jobs being submitted or running upstream. */
  running: number;
  /** Today's totals (UTC day). */
  today: { jobs: number; images: number; failures: number; uploads: number };
}

export interface OverviewFailure {
  /** When the job failed (ms since epoch). */
  at: number;
  person: string;
  endpoint: string;
  /** HTTP status of a failed submit; absent for a job that failed upstream after it was accepted. */
  status?: number;
  code?: string;
  category: string;
}

/** Recent upstream call times to one target, on the instance that answered. */
export interface OverviewLatency {
  target: string;
  /** Calls the figures are from (the latest ones kept). */
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The latest call's time. */
  lastMs: number;
}

/** A broker instance's beat in the store. */
export interface InstanceBeat {
  /** The instance's id (its dispatcher's claimant name). */
  id: string;
  version: string;
  mode: "firefly" | "local";
  /** `degraded` when its provider is unavailable. */
  status: "ok" | "degraded";
  startedAt: number;
  /** When it last beat (ms since epoch). */
  beatAt: number;
}

export interface OverviewInstance extends InstanceBeat {
  /** No beat for a while: stopped or cut off from the store. */
  silent: boolean;
  /** The instance that answered. */
  self: boolean;
}

export interface AdminOverview {
  now: number;
  mode: "firefly" | "local";
  version: string;
  /** `file` or `redis` (its URL without credentials, and whether this instance is connected). */
  store: { kind: string; url?: string; connected?: boolean; status?: string; lastError?: string };
  pace: { perMinute: Limit; slotMs: number };
  /** ms since epoch while an upstream 429 holds the queue, else null. */
  pausedUntil: number | null;
  /** Submits in the rolling day and in the current window, against the limits. */
  day: { used: number; limit: Limit };
  minute: { used: number; limit: Limit; windowMs: number };
  queue: { depth: number; submitting: number };
  /** Everyone with jobs waiting or running or usage today, by name. */
  people: OverviewPerson[];
  /** The last failures, newest first (bounded). */
  failures: OverviewFailure[];
  /** Recent upstream call times of the instance that answered, per target. */
  upstream: OverviewLatency[];
  /** Every instance that beat in the last day, by id. */
  instances: OverviewInstance[];
}

export const ADMIN_OVERVIEW_PATH = "/v1/admin/overview";
