// The embedded store: state in memory, every change appended to a journal file (one JSON object
// per line), replayed on start and compacted now and then. A single broker process owns the file.
// Survives a restart (or a crash: a torn last line is dropped). Changes are written ahead of memory
// (see FileStore). No native dependencies.

import * as path from "path";
import { loadSigningKey } from "../outputs";
import { Journal, type JournalLog } from "./journal";
import { QueueLines } from "./queue-lines";
import {
  DAY,
  EnqueueResult,
  FailedJob,
  FAILURE_SCAN_LIMIT,
  FinishPatch,
  ImmediatePollCache,
  InstanceBeat,
  JobRecord,
  JobState,
  JobWithSnapshot,
  MINUTE,
  NewJob,
  QueueStats,
  RateDecision,
  RateLimits,
  StatusSnapshot,
  Store,
  TakeOver,
  TERMINAL_JOB_STATES,
  UsageDelta,
  UPLOAD_RETENTION_MS,
  UsageRow,
} from "./store";

type Entry =
  | { t: "job"; j: JobRecord }
  | { t: "del"; id: string }
  | { t: "take"; at: number }
  | { t: "pause"; until: number }
  | { t: "usage"; r: UsageRow }
  | { t: "served"; owner: string; n: number }
  | { t: "upload"; id: string; owner: string; until: number }
  | { t: "upload-gone"; id: string };

export interface FileStoreOptions {
  /** Journal file. Undefined keeps everything in memory (tests, benches). */
  file?: string;
  /** Rewrite the journal after this many appended lines (default 20,000). */
  compactEvery?: number;
  /** Structured log for what replay and compaction find (corrupt lines, failed compactions). */
  log?: JournalLog;
}

export function createFileStore(options: FileStoreOptions = {}): FileStore {
  return new FileStore(options);
}

const RELEASED = { claimedBy: undefined, leaseUntil: undefined, sendingAt: undefined };

/**
 * Every change is written ahead: it is computed from the current state, appended to the journal,
 * and only once that write has succeeded applied in memory, so a refused write (a full disk)
 * leaves the store exactly as it was. Changes run one at a time, so no two are computed from the
 * same state. Reads answer from memory at once.
 */
export class FileStore implements Store {
  private jobs = new Map<string, JobRecord>();
  private queued = new Set<string>();
  /** Queued jobs per owner in dispatch order, kept up to date as jobs come and go. */
  private lines = new QueueLines((owner) => this.lastServed.get(owner) ?? 0);
  private submittingIds = new Set<string>();
  private submittedIds = new Set<string>();
  /** Heartbeats are not journaled: one process owns the file, and only its own beat matters. */
  private beats = new Map<string, InstanceBeat>();
  private lastServed = new Map<string, number>();
  private serveCounter = 0;
  private seq = 0;
  private takes: number[] = []; // submit times within the last 24 h, ascending
  private paused = 0;
  private usageRows = new Map<string, UsageRow>();
  private snapshots = new Map<string, StatusSnapshot>();
  private pollStarts = new Map<string, number>();
  private uploads = new Map<string, { owner: string; until: number }>();
  private changes: Promise<unknown> = Promise.resolve();
  /** Unreadable journal lines (not the last) found when the store was opened. */
  corruptLines = 0;

  /** Undefined: in memory only. */
  private readonly journal: Journal<Entry> | undefined;

  constructor(private readonly options: FileStoreOptions) {
    this.journal = options.file ? new Journal<Entry>(options.file, options.compactEvery ?? 20_000, () => this.snapshot(), options.log) : undefined;
  }

  async open(): Promise<void> {
    if (!this.journal) return;
    const replay = await this.journal.open();
    this.corruptLines = replay.corrupt.length;
    for (const entry of replay.entries) this.apply(entry);
    // One process owns this file: whatever was mid-submit belongs to a process that is gone.
    for (const id of this.submittingIds) {
      const job = this.jobs.get(id);
      if (job) job.leaseUntil = 0;
    }
    await this.journal.compact();
  }

  async close(): Promise<void> {
    await this.changes.catch(() => undefined);
    await this.journal?.close();
  }

  // ---- journal ------------------------------------------------------------------------------

  private apply(e: Entry): void {
    switch (e.t) {
      case "job":
        this.setJob(e.j);
        break;
      case "del":
        this.deleteJob(e.id);
        break;
      case "take":
        this.takes.push(e.at);
        break;
      case "pause":
        this.paused = Math.max(this.paused, e.until);
        break;
      case "usage":
        this.usageRows.set(`${e.r.day}\t${e.r.owner}`, e.r);
        break;
      case "served":
        this.lastServed.set(e.owner, e.n);
        this.serveCounter = Math.max(this.serveCounter, e.n);
        break;
      case "upload":
        this.uploads.set(e.id, { owner: e.owner, until: e.until });
        break;
      case "upload-gone":
        this.uploads.delete(e.id);
        break;
    }
  }

  private setJob(job: JobRecord): void {
    const wasQueued = this.queued.has(job.id);
    this.jobs.set(job.id, job);
    this.seq = Math.max(this.seq, job.seq);
    if (job.state === "queued") {
      this.queued.add(job.id);
      if (!wasQueued) this.lines.add(job);
    } else {
      this.queued.delete(job.id);
      if (wasQueued) this.lines.remove(job);
    }
    if (job.state === "submitting") this.submittingIds.add(job.id);
    else this.submittingIds.delete(job.id);
    if (job.state === "submitted") this.submittedIds.add(job.id);
    else this.submittedIds.delete(job.id);
    if (TERMINAL_JOB_STATES.includes(job.state)) this.snapshots.delete(job.id);
  }

  private deleteJob(id: string): void {
    const job = this.jobs.get(id);
    if (job && this.queued.has(id)) this.lines.remove(job);
    this.jobs.delete(id);
    this.queued.delete(id);
    this.submittingIds.delete(id);
    this.submittedIds.delete(id);
    this.snapshots.delete(id);
    this.pollStarts.delete(id);
  }

  /**
   * Run one change: `plan` reads the current state and returns the entries to write (none: no
   * change) and the answer. The entries are applied only once written; job records are synced to
   * the disk first (an accepted job, a submit marked as on the wire, or an upload whose id the
   * client holds must survive a crash).
   */
  private change<T>(plan: () => { entries: Entry[]; result: T; after?: () => T }): Promise<T> {
    const run = async (): Promise<T> => {
      const { entries, result, after } = plan();
      if (!entries.length) return result;
      if (this.journal)
        await this.journal.append(
          entries,
          entries.some((e) => e.t === "job" || e.t === "upload"),
        );
      for (const e of entries) this.apply(e);
      const answer = after ? after() : result;
      if (this.journal) await this.journal.compactIfDue();
      return answer;
    };
    const next = this.changes.then(run, run);
    this.changes = next.catch(() => undefined);
    return next;
  }

  /** Entries that rebuild the current state (the compacted journal). */
  private snapshot(): Entry[] {
    const out: Entry[] = [];
    for (const r of this.usageRows.values()) out.push({ t: "usage", r });
    for (const [owner, n] of this.lastServed) out.push({ t: "served", owner, n });
    for (const at of this.takes) out.push({ t: "take", at });
    if (this.paused) out.push({ t: "pause", until: this.paused });
    for (const j of this.jobs.values()) out.push({ t: "job", j });
    for (const [id, u] of this.uploads) out.push({ t: "upload", id, ...u });
    return out;
  }

  /** A change to one job when `patch` says so (undefined: none), answering `result`. */
  private jobChange<T>(id: string, patch: (job: JobRecord) => JobRecord | undefined, result: (job: JobRecord | undefined, changed: boolean) => T): Promise<T> {
    return this.change(() => {
      const job = this.jobs.get(id);
      const next = job && patch(job);
      return { entries: next ? [{ t: "job", j: next }] : [], result: result(job, next !== undefined) };
    });
  }

  // ---- queue and ownership ----------------------------------------------------------------

  enqueue(job: NewJob, maxQueuedPerOwner: number): Promise<EnqueueResult> {
    return this.change<EnqueueResult>(() => {
      const mine = this.lines.count(job.owner);
      if (mine >= maxQueuedPerOwner) return { entries: [], result: { ok: false, reason: "owner_cap", queued: mine } };
      const record: JobRecord = { ...job, state: "queued", seq: this.seq + 1, updatedAt: job.createdAt, submitAttempts: 0 };
      return { entries: [{ t: "job", j: record }], result: { ok: true, position: 0 }, after: () => ({ ok: true, position: this.lines.position(record)! }) };
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    // Records are replaced, never mutated in place, so a shallow copy is a safe snapshot.
    return job ? { ...job } : undefined;
  }

  async queuePosition(id: string): Promise<number | undefined> {
    return this.queuePositionNow(id);
  }

  /** `queuePosition` answered at once (the status-poll path). */
  queuePositionNow(id: string): number | undefined {
    const job = this.jobs.get(id);
    if (!job || !this.queued.has(id)) return undefined;
    return this.lines.position(job);
  }

  async queueStats(): Promise<QueueStats> {
    const byOwner = this.lines.byOwner();
    return { depth: this.queued.size, submitting: this.submittingIds.size, byOwner };
  }

  claimNext(claimant: string, leaseMs: number, now: number): Promise<JobRecord | undefined> {
    return this.change(() => {
      const id = this.lines.next();
      if (!id) return { entries: [], result: undefined };
      const job: JobRecord = { ...this.jobs.get(id)!, state: "submitting", claimedBy: claimant, leaseUntil: now + leaseMs, updatedAt: now };
      return {
        entries: [
          { t: "served", owner: job.owner, n: this.serveCounter + 1 },
          { t: "job", j: job },
        ],
        result: structuredClone(job),
      };
    });
  }

  markSending(id: string, claimant: string, now: number): Promise<boolean> {
    return this.jobChange(
      id,
      (job) =>
        job.state !== "submitting" || job.claimedBy !== claimant || job.sendingAt !== undefined || (job.leaseUntil ?? 0) <= now
          ? undefined
          : { ...job, sendingAt: now },
      (_, changed) => changed,
    );
  }

  requeue(id: string, claimant: string, now: number): Promise<boolean> {
    // Keeps its seq, so it stays first in its owner's line.
    return this.jobChange(
      id,
      (job) => (job.state !== "submitting" || job.claimedBy !== claimant ? undefined : { ...job, ...RELEASED, state: "queued", updatedAt: now }),
      (_, changed) => changed,
    );
  }

  markSubmitted(id: string, claimant: string, providerJobId: string, now: number): Promise<boolean> {
    return this.jobChange(
      id,
      (job) =>
        job.state !== "submitting" || job.claimedBy !== claimant
          ? undefined
          : { ...job, ...RELEASED, state: "submitted", providerJobId, submitAttempts: job.submitAttempts + 1, updatedAt: now },
      (_, changed) => changed,
    );
  }

  finish(id: string, patch: FinishPatch, now: number): Promise<boolean> {
    return this.jobChange(
      id,
      (job) => (TERMINAL_JOB_STATES.includes(job.state) ? undefined : { ...job, ...patch, ...RELEASED, updatedAt: now }),
      (_, changed) => changed,
    );
  }

  requestCancel(id: string, now: number): Promise<JobState | undefined> {
    return this.jobChange(
      id,
      (job) =>
        job.state === "queued"
          ? { ...job, state: "cancelled", updatedAt: now }
          : job.state === "submitting" && !job.cancelRequested
            ? { ...job, cancelRequested: true, updatedAt: now }
            : undefined,
      (job) => job?.state,
    );
  }

  async expiredClaims(now: number): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const id of this.submittingIds) {
      const job = this.jobs.get(id)!;
      if ((job.leaseUntil ?? 0) <= now) out.push(structuredClone(job));
    }
    return out;
  }

  takeOverExpired(id: string, now: number, interrupted: { status: number; body: unknown }): Promise<TakeOver | undefined> {
    const outcome = (job: JobRecord): TakeOver => (job.sendingAt !== undefined ? "failed" : job.cancelRequested ? "cancelled" : "requeued");
    const states: Record<TakeOver, JobState> = { failed: "failed", cancelled: "cancelled", requeued: "queued" };
    return this.jobChange(
      id,
      (job) => {
        if (job.state !== "submitting" || (job.leaseUntil ?? 0) > now) return undefined;
        const o = outcome(job);
        // A requeued job keeps its seq, so it stays first in its owner's line.
        return { ...job, ...RELEASED, updatedAt: now, state: states[o], ...(o === "failed" ? { error: interrupted } : {}) };
      },
      (job, changed) => (changed ? outcome(job!) : undefined),
    );
  }

  prune(before: number): Promise<number> {
    return this.change(() => {
      const gone: Entry[] = [];
      for (const job of this.jobs.values()) {
        if (TERMINAL_JOB_STATES.includes(job.state) && job.updatedAt < before) gone.push({ t: "del", id: job.id });
      }
      const jobs = gone.length;
      for (const [id, u] of this.uploads) if (u.until <= before) gone.push({ t: "upload-gone", id });
      return { entries: gone, result: jobs };
    });
  }

  // ---- admin overview ---------------------------------------------------------------------------

  async runningByOwner(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ids of [this.submittingIds, this.submittedIds]) {
      for (const id of ids) {
        const owner = this.jobs.get(id)?.owner;
        if (owner !== undefined) out[owner] = (out[owner] ?? 0) + 1;
      }
    }
    return out;
  }

  async recentFailures(limit: number): Promise<FailedJob[]> {
    const ended = [...this.jobs.values()].filter((j) => TERMINAL_JOB_STATES.includes(j.state));
    ended.sort((a, b) => b.updatedAt - a.updatedAt);
    return ended
      .slice(0, FAILURE_SCAN_LIMIT)
      .filter((j) => j.state === "failed")
      .slice(0, Math.max(0, limit))
      .map(({ id, owner, endpoint, updatedAt, error, final }) => structuredClone({ id, owner, endpoint, updatedAt, error, final }));
  }

  async heartbeat(beat: InstanceBeat): Promise<void> {
    this.beats.set(beat.id, { ...beat });
  }

  async instances(since: number): Promise<InstanceBeat[]> {
    return [...this.beats.values()].filter((b) => b.beatAt >= since).sort((a, b) => a.id.localeCompare(b.id));
  }

  // ---- pacing --------------------------------------------------------------------------------

  tryTakeRateToken(now: number, limits: RateLimits): Promise<RateDecision> {
    return this.change(() => this.planTake(now, limits));
  }

  private planTake(now: number, limits: RateLimits): { entries: Entry[]; result: RateDecision } {
    if (this.paused > now) return { entries: [], result: { ok: false, retryInMs: this.paused - now, reason: "paused" } };
    if (limits.perMinute === Infinity && limits.perDay === Infinity) return { entries: [], result: { ok: true } };
    let drop = 0;
    while (drop < this.takes.length && this.takes[drop] <= now - DAY) drop++;
    if (drop) this.takes.splice(0, drop);
    if (this.takes.length >= limits.perDay) {
      return { entries: [], result: { ok: false, retryInMs: this.takes[this.takes.length - limits.perDay] + DAY - now, reason: "day" } };
    }
    const minute = limits.minuteMs ?? MINUTE;
    let inMinute = 0;
    for (let i = this.takes.length - 1; i >= 0 && this.takes[i] > now - minute; i--) inMinute++;
    if (inMinute >= limits.perMinute) {
      return { entries: [], result: { ok: false, retryInMs: this.takes[this.takes.length - limits.perMinute] + minute - now, reason: "minute" } };
    }
    return { entries: [{ t: "take", at: now }], result: { ok: true } };
  }

  pauseUntil(untilMs: number): Promise<void> {
    return this.change(() => ({ entries: untilMs <= this.paused ? [] : [{ t: "pause", until: untilMs }], result: undefined }));
  }

  async pausedUntil(): Promise<number> {
    return this.paused;
  }

  async rateUsage(now: number): Promise<{ lastMinute: number; lastDay: number; pausedUntil: number }> {
    let lastMinute = 0;
    let lastDay = 0;
    for (const at of this.takes) {
      if (at > now - DAY) lastDay++;
      if (at > now - MINUTE) lastMinute++;
    }
    return { lastMinute, lastDay, pausedUntil: this.paused };
  }

  async takesSince(since: number): Promise<number[]> {
    return this.takes.filter((at) => at > since);
  }

  // ---- status-poll collapsing ------------------------------------------------------------------

  async getStatusSnapshot(jobId: string): Promise<StatusSnapshot | undefined> {
    return this.snapshots.get(jobId);
  }

  async getJobWithSnapshot(id: string): Promise<JobWithSnapshot> {
    return this.immediate.getJobWithSnapshot(id);
  }

  async putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): Promise<void> {
    this.immediate.putStatusSnapshot(jobId, snapshot);
  }

  async tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): Promise<boolean> {
    return this.immediate.tryBeginStatusPoll(jobId, now, minIntervalMs);
  }

  /** The poll path's calls answered from memory at once (snapshots and poll starts are not journaled). */
  readonly immediate: ImmediatePollCache = {
    getJobWithSnapshot: (id) => {
      // Records are replaced, never changed in place, and this one is handed out read-only: no copy.
      const job = this.jobs.get(id);
      return job ? { job, snapshot: this.snapshots.get(id) } : {};
    },
    putStatusSnapshot: (jobId, snapshot) => {
      if (this.jobs.has(jobId)) this.snapshots.set(jobId, snapshot);
    },
    tryBeginStatusPoll: (jobId, now, minIntervalMs) => {
      const last = this.pollStarts.get(jobId);
      if (last !== undefined && now - last < minIntervalMs) return false;
      this.pollStarts.set(jobId, now);
      return true;
    },
  };

  // ---- uploads ------------------------------------------------------------------------------

  recordUpload(uploadId: string, owner: string, now: number): Promise<void> {
    return this.change(() => ({ entries: [{ t: "upload", id: uploadId, owner, until: now + UPLOAD_RETENTION_MS }], result: undefined }));
  }

  async notUploadedBy(owner: string, uploadIds: readonly string[], now: number): Promise<string[]> {
    return uploadIds.filter((id) => {
      const u = this.uploads.get(id);
      return !u || u.owner !== owner || u.until <= now;
    });
  }

  // ---- shared secrets ---------------------------------------------------------------------------

  private signingKey: Buffer | undefined;

  /** One process owns the journal: the key is the `output-signing.key` file next to it (in memory without a file). */
  async sharedSigningKey(candidate: Buffer): Promise<Buffer> {
    const file = this.options.file;
    this.signingKey ??= file ? loadSigningKey(path.dirname(file), candidate) : candidate;
    return this.signingKey;
  }

  // ---- usage ----------------------------------------------------------------------------------

  recordUsage(owner: string, day: string, delta: UsageDelta): Promise<void> {
    return this.change(() => {
      const row = this.usageRows.get(`${day}\t${owner}`) ?? { day, owner, jobs: 0, images: 0, failures: 0, uploads: 0 };
      const next: UsageRow = {
        day,
        owner,
        jobs: row.jobs + (delta.jobs ?? 0),
        images: row.images + (delta.images ?? 0),
        failures: row.failures + (delta.failures ?? 0),
        uploads: row.uploads + (delta.uploads ?? 0),
      };
      return { entries: [{ t: "usage", r: next }], result: undefined };
    });
  }

  async usage(sinceDay?: string): Promise<UsageRow[]> {
    const rows = [...this.usageRows.values()].filter((r) => !sinceDay || r.day >= sinceDay);
    rows.sort((a, b) => (a.day === b.day ? a.owner.localeCompare(b.owner) : a.day.localeCompare(b.day)));
    return rows.map((r) => ({ ...r }));
  }
}
