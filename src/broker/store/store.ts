// The Store: everything the broker must remember across requests, restarts and (with a shared
// implementation) across broker instances, as focused roles — the job queue and ownership
// (JobQueue), rate-limit accounting (RateWindow), status-poll collapsing (PollCache), usage
// counters (UsageLedger), upload ownership (UploadRegistry), the shared output-signing key
// (SigningKeyStore), and the reads and heartbeats of the admin overview (JobsOverview,
// InstanceRegistry).
//
// Implementations: `createFileStore` (./file-store.ts, the embedded default: one process, an
// append-only journal file that survives restarts) and a Redis store (team scale-out). Every
// method is async and shaped as one atomic operation, so a shared implementation can map each
// to a single transaction / Lua script. Callers never load "everything" and never
// read-modify-write across two calls.

import type { InstanceBeat } from "../../common/admin-overview";
import type { SubmitEndpoint } from "../../common/firefly";
import type { OwnerName, ProviderJobStatus } from "../providers/provider";
import type { RedisStoreHealth } from "./redis/redis-store";

/**
 * queued      accepted, waiting for a rate token (status reads `queued` + `queuePosition`)
 * submitting  claimed by a dispatcher; once `sendingAt` is set the submit may be on the wire
 *             (never resent blindly), before that it provably is not
 * submitted   the provider accepted it; status comes from the provider
 * succeeded | failed | cancelled   terminal
 */
export type JobState = "queued" | "submitting" | "submitted" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_JOB_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled"];

export interface JobRecord {
  /** Broker job id: random and unguessable; what clients see. */
  id: string;
  owner: OwnerName;
  endpoint: SubmitEndpoint;
  /** The validated request body, forwarded as is. */
  request: unknown;
  modelVersion?: string;
  state: JobState;
  /** Monotonic acceptance order (FIFO within one owner). */
  seq: number;
  createdAt: number;
  updatedAt: number;
  /** Provider's job id once submitted. */
  providerJobId?: string;
  /** Who holds the submit claim and until when (ms since epoch). */
  claimedBy?: string;
  leaseUntil?: number;
  /** Set (by the claimant, just before the request goes out) once the submit may be on the wire. */
  sendingAt?: number;
  /** Number of times the submit was sent (0 or 1 unless an attempt provably never reached upstream). */
  submitAttempts: number;
  /** Cancel asked while the submit was on the wire: cancel upstream as soon as it is accepted. */
  cancelRequested?: boolean;
  /** Last provider status once terminal (provider output URLs; the broker signs its own). */
  final?: ProviderJobStatus;
  /** Why the job failed before or at submit: a Firefly-shaped error. */
  error?: { status: number; body: unknown };
}

export interface NewJob {
  id: string;
  owner: OwnerName;
  endpoint: SubmitEndpoint;
  request: unknown;
  modelVersion?: string;
  createdAt: number;
}

export type EnqueueResult = { ok: true; position: number } | { ok: false; reason: "owner_cap"; queued: number };

export interface RateLimits {
  perMinute: number; // Infinity = unpaced
  perDay: number; // rolling 24 h; Infinity = no cap
  /** Length of the per-minute window in ms (MINUTE unless a test shortens it). */
  minuteMs?: number;
}

/** The rolling windows `RateLimits` count in (ms); every store counts takes over these. */
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

export type RateDecision = { ok: true } | { ok: false; retryInMs: number; reason: "minute" | "day" | "paused" };

export interface StatusSnapshot {
  status: ProviderJobStatus;
  fetchedAt: number;
}

export interface UsageDelta {
  jobs?: number;
  images?: number;
  failures?: number;
  uploads?: number;
}

export interface UsageRow {
  day: string; // YYYY-MM-DD (UTC)
  owner: OwnerName;
  jobs: number;
  images: number;
  failures: number;
  uploads: number;
}

export interface QueueStats {
  /** Jobs waiting in the queue. */
  depth: number;
  /** Jobs claimed and being submitted right now. */
  submitting: number;
  byOwner: Record<OwnerName, number>;
}

/** What taking over an expired claim did. */
export type TakeOver = "requeued" | "cancelled" | "failed";

export interface FinishPatch {
  state: "succeeded" | "failed" | "cancelled";
  final?: ProviderJobStatus;
  error?: { status: number; body: unknown };
}

export interface JobWithSnapshot {
  job?: Readonly<JobRecord>;
  snapshot?: StatusSnapshot;
}

/** Opening and closing a store (every backend). */
export interface StoreLifecycle {
  /** Open / recover. Jobs that were `submitting` when a previous single process died get an expired lease. */
  open(): Promise<void>;
  /** Flush and release. */
  close(): Promise<void>;
  /** A store on a server (Redis) reports its connection, without a round trip; the file store has none. */
  health?(): RedisStoreHealth;
}

/** The queue and job ownership: what was accepted, who claims it for sending, how it ended. */
export interface JobQueue {
  /** Accept a job as `queued` unless the owner already has `maxQueuedPerOwner` queued jobs. Durable when it resolves. */
  enqueue(job: NewJob, maxQueuedPerOwner: number): Promise<EnqueueResult>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /** 1-based place in the dispatch order (round-robin across owners) of a queued job. */
  queuePosition(id: string): Promise<number | undefined>;
  queueStats(): Promise<QueueStats>;
  /**
   * Atomically take the next queued job, fairly: round-robin across owners (the owner served
   * least recently first), FIFO within an owner. Moves it to `submitting` with a lease.
   */
  claimNext(claimant: string, leaseMs: number, now: number): Promise<JobRecord | undefined>;
  /**
   * The claimant is about to put the submit on the wire: true (and `sendingAt` set) only while the
   * job is `submitting`, claimed by `claimant`, its lease not over at `now`, and not yet marked.
   * On false the claimant must not send.
   */
  markSending(id: string, claimant: string, now: number): Promise<boolean>;
  /** The submit provably did not reach upstream: back to `queued`, keeping its place. Only by the claimant. */
  requeue(id: string, claimant: string, now: number): Promise<boolean>;
  /** The provider accepted the submit. Only by the claimant. */
  markSubmitted(id: string, claimant: string, providerJobId: string, now: number): Promise<boolean>;
  /** Move a non-terminal job to a terminal state. True only for the one call that did it (count usage then). */
  finish(id: string, patch: FinishPatch, now: number): Promise<boolean>;
  /**
   * Cancel request: a `queued` job becomes `cancelled` at once; a `submitting` one is flagged
   * `cancelRequested`. Returns the state the job was in before (undefined: no such job).
   */
  requestCancel(id: string, now: number): Promise<JobState | undefined>;
  /** Jobs left in `submitting` whose lease has expired (their dispatcher died). */
  expiredClaims(now: number): Promise<JobRecord[]>;
  /**
   * Settle one expired claim, atomically: a job never marked as sending goes back to `queued`
   * keeping its place (or to `cancelled` if a cancel was asked meanwhile); one marked as sending
   * is failed with `interrupted` (it may have reached upstream: never resent). Undefined when the
   * job is not `submitting` with a lease over at `now` (someone else settled it).
   */
  takeOverExpired(id: string, now: number, interrupted: { status: number; body: unknown }): Promise<TakeOver | undefined>;
  /** Forget terminal jobs last updated before `before` (and uploads expired by then). Returns how many jobs. */
  prune(before: number): Promise<number>;
}

/** Pacing of upstream submits: the per-minute and per-day windows and the upstream 429 pause. */
export interface RateWindow {
  /** Take one upstream-submit token if the per-minute and per-day windows and any pause allow it. */
  tryTakeRateToken(now: number, limits: RateLimits): Promise<RateDecision>;
  /** Pause all submits until `untilMs` (an upstream 429). Never shortens an existing pause. */
  pauseUntil(untilMs: number): Promise<void>;
  pausedUntil(): Promise<number>;
  /** Submits taken in the last minute and the last 24 h (read only; for health and the daily-cap answer). */
  rateUsage(now: number): Promise<{ lastMinute: number; lastDay: number; pausedUntil: number }>;
  /** When the submits taken after `since` were taken, ascending (read only; for wait estimates). */
  takesSince(since: number): Promise<number[]>;
}

/** The status-poll path's reads and writes, answered at once (no promise, no turn of the event loop). */
export interface ImmediatePollCache {
  getJobWithSnapshot(id: string): JobWithSnapshot;
  putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): void;
  tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): boolean;
}

/** Status-poll collapsing: the last upstream status per job, and who may poll upstream next. */
export interface PollCache {
  getStatusSnapshot(jobId: string): Promise<StatusSnapshot | undefined>;
  /**
   * `getJob` and `getStatusSnapshot` in one read (a status poll's usual pair). The job is read-only:
   * an in-memory store may hand out its own record rather than a copy.
   */
  getJobWithSnapshot(id: string): Promise<JobWithSnapshot>;
  /** Kept only while the job exists; dropped when it ends. */
  putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): Promise<void>;
  /** True for exactly one caller per job per `minIntervalMs`: that caller may poll upstream. */
  tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): Promise<boolean>;
  /**
   * The same three calls answered at once, for a store that holds them in memory: every status
   * poll makes them, and a promise would cost the poll extra turns of the event loop. Undefined
   * for a store that answers over the network.
   */
  readonly immediate?: ImmediatePollCache;
}

/** Per-owner, per-day counters: jobs, images, failures, uploads. */
export interface UsageLedger {
  recordUsage(owner: OwnerName, day: string, delta: UsageDelta): Promise<void>;
  usage(sinceDay?: string): Promise<UsageRow[]>;
}

/** A failed job as the admin overview reads it: who, which endpoint, when, and how it failed. */
export type FailedJob = Pick<JobRecord, "id" | "owner" | "endpoint" | "updatedAt" | "error" | "final">;

/** Terminal jobs `recentFailures` looks through at most, newest first. */
export const FAILURE_SCAN_LIMIT = 500;

/** Reads for whoever runs the broker: jobs in flight per owner and the last failures. */
export interface JobsOverview {
  /** Jobs claimed for their submit or submitted and not yet finished, per owner (owners with none left out). */
  runningByOwner(): Promise<Record<OwnerName, number>>;
  /**
   * The last `limit` failed jobs, newest first, found among the last FAILURE_SCAN_LIMIT jobs to
   * finish (while they are kept: pruned jobs are gone).
   */
  recentFailures(limit: number): Promise<FailedJob[]>;
}

/** One broker instance's last heartbeat. */
export type { InstanceBeat };

/** Broker instances on one store: each beats now and then, and anyone may list them. */
export interface InstanceRegistry {
  /** Record `beat` as its instance's latest. */
  heartbeat(beat: InstanceBeat): Promise<void>;
  /** Every instance whose last beat is at or after `since`, by id. */
  instances(since: number): Promise<InstanceBeat[]>;
}

/** How long an upload id stays usable: as long as Firefly keeps an upload. */
export const UPLOAD_RETENTION_MS = 7 * DAY;

/** Which key uploaded which image: an upload id may be used only by the key that uploaded it. */
export interface UploadRegistry {
  /** `owner` uploaded `uploadId` at `now`; usable until `now + UPLOAD_RETENTION_MS`. Durable when it resolves. */
  recordUpload(uploadId: string, owner: OwnerName, now: number): Promise<void>;
  /** Those of `uploadIds` that `owner` may not use at `now`: unknown, expired, or uploaded by another key. */
  notUploadedBy(owner: OwnerName, uploadIds: readonly string[], now: number): Promise<string[]>;
}

/** The output-signing key shared by every broker on one store. */
export interface SigningKeyStore {
  /**
   * The stored key, or else `candidate`, stored now (atomically: when instances race, exactly one
   * candidate wins and all of them get it), so a link signed by one instance verifies on any other.
   */
  sharedSigningKey(candidate: Buffer): Promise<Buffer>;
}

/**
 * Everything a backend implements. Callers take the narrowest role they use. The signing key is
 * optional: without it the broker keeps the key in its own data folder.
 */
export interface Store
  extends StoreLifecycle, JobQueue, RateWindow, PollCache, UsageLedger, UploadRegistry, JobsOverview, InstanceRegistry, Partial<SigningKeyStore> {}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
