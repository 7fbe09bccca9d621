// The embedded store: state in memory, every change appended to a journal file (one JSON object
// per line), replayed on start and compacted now and then. A single broker process owns the file.
// Survives a restart (or a crash: a torn last line is ignored). No native dependencies.

import * as path from "path";
import { loadSigningKey } from "../outputs";
import { Journal } from "./journal";
import { QueueLines } from "./queue-lines";
import {
  DAY,
  EnqueueResult,
  FinishPatch,
  JobRecord,
  JobState,
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
  UsageRow,
} from "./store";

type Entry =
  | { t: "job"; j: JobRecord }
  | { t: "del"; id: string }
  | { t: "take"; at: number }
  | { t: "pause"; until: number }
  | { t: "usage"; r: UsageRow }
  | { t: "served"; owner: string; n: number };

export interface FileStoreOptions {
  /** Journal file. Undefined keeps everything in memory (tests, benches). */
  file?: string;
  /** Rewrite the journal after this many appended lines (default 20,000). */
  compactEvery?: number;
}

export function createFileStore(options: FileStoreOptions = {}): Store {
  return new FileStore(options);
}

class FileStore implements Store {
  private jobs = new Map<string, JobRecord>();
  private queued = new Set<string>();
  /** Queued jobs per owner in dispatch order, kept up to date as jobs come and go. */
  private lines = new QueueLines((owner) => this.lastServed.get(owner) ?? 0);
  private submittingIds = new Set<string>();
  private lastServed = new Map<string, number>();
  private serveCounter = 0;
  private seq = 0;
  private takes: number[] = []; // submit times within the last 24 h, ascending
  private paused = 0;
  private usageRows = new Map<string, UsageRow>();
  private snapshots = new Map<string, StatusSnapshot>();
  private pollStarts = new Map<string, number>();

  /** Undefined: in memory only. */
  private readonly journal: Journal<Entry> | undefined;

  constructor(private readonly options: FileStoreOptions) {
    this.journal = options.file ? new Journal<Entry>(options.file, options.compactEvery ?? 20_000, () => this.snapshot()) : undefined;
  }

  async open(): Promise<void> {
    if (!this.journal) return;
    for (const entry of await this.journal.open()) this.apply(entry);
    // One process owns this file: whatever was mid-submit belongs to a process that is gone.
    for (const id of this.submittingIds) {
      const job = this.jobs.get(id);
      if (job) job.leaseUntil = 0;
    }
    await this.journal.compact();
  }

  async close(): Promise<void> {
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
  }

  private deleteJob(id: string): void {
    const job = this.jobs.get(id);
    if (job && this.queued.has(id)) this.lines.remove(job);
    this.jobs.delete(id);
    this.queued.delete(id);
    this.submittingIds.delete(id);
    this.snapshots.delete(id);
    this.pollStarts.delete(id);
  }

  private write(...entries: Entry[]): Promise<void> {
    return this.journal ? this.journal.append(entries) : Promise.resolve();
  }

  /** Entries that rebuild the current state (the compacted journal). */
  private snapshot(): Entry[] {
    const out: Entry[] = [];
    for (const r of this.usageRows.values()) out.push({ t: "usage", r });
    for (const [owner, n] of this.lastServed) out.push({ t: "served", owner, n });
    for (const at of this.takes) out.push({ t: "take", at });
    if (this.paused) out.push({ t: "pause", until: this.paused });
    for (const j of this.jobs.values()) out.push({ t: "job", j });
    return out;
  }

  private saveJob(job: JobRecord): Promise<void> {
    this.setJob(job);
    return this.write({ t: "job", j: job });
  }

  // ---- queue and ownership ----------------------------------------------------------------

  async enqueue(job: NewJob, maxQueuedPerOwner: number): Promise<EnqueueResult> {
    const mine = this.lines.count(job.owner);
    if (mine >= maxQueuedPerOwner) return { ok: false, reason: "owner_cap", queued: mine };
    const record: JobRecord = {
      ...job,
      state: "queued",
      seq: ++this.seq,
      updatedAt: job.createdAt,
      submitAttempts: 0,
    };
    await this.saveJob(record);
    return { ok: true, position: this.lines.position(record)! };
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    // Records are replaced, never mutated in place, so a shallow copy is a safe snapshot.
    return job ? { ...job } : undefined;
  }

  async queuePosition(id: string): Promise<number | undefined> {
    const job = this.jobs.get(id);
    if (!job || !this.queued.has(id)) return undefined;
    return this.lines.position(job);
  }

  async queueStats(): Promise<QueueStats> {
    const byOwner = this.lines.byOwner();
    return { depth: this.queued.size, submitting: this.submittingIds.size, byOwner };
  }

  async claimNext(claimant: string, leaseMs: number, now: number): Promise<JobRecord | undefined> {
    const id = this.lines.next();
    if (!id) return undefined;
    const job = { ...this.jobs.get(id)!, state: "submitting" as JobState, claimedBy: claimant, leaseUntil: now + leaseMs, updatedAt: now };
    const n = ++this.serveCounter;
    this.lastServed.set(job.owner, n);
    this.setJob(job);
    await this.write({ t: "served", owner: job.owner, n }, { t: "job", j: job });
    return structuredClone(job);
  }

  async markSending(id: string, claimant: string, now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.state !== "submitting" || job.claimedBy !== claimant || job.sendingAt !== undefined || (job.leaseUntil ?? 0) <= now) return false;
    await this.saveJob({ ...job, sendingAt: now });
    return true;
  }

  async requeue(id: string, claimant: string, now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.state !== "submitting" || job.claimedBy !== claimant) return false;
    // Keeps its seq, so it stays first in its owner's line.
    await this.saveJob({ ...job, state: "queued", claimedBy: undefined, leaseUntil: undefined, sendingAt: undefined, updatedAt: now });
    return true;
  }

  async markSubmitted(id: string, claimant: string, providerJobId: string, now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.state !== "submitting" || job.claimedBy !== claimant) return false;
    await this.saveJob({ ...job, state: "submitted", providerJobId, claimedBy: undefined, leaseUntil: undefined, sendingAt: undefined, submitAttempts: job.submitAttempts + 1, updatedAt: now });
    return true;
  }

  async finish(id: string, patch: FinishPatch, now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || TERMINAL_JOB_STATES.includes(job.state)) return false;
    await this.saveJob({ ...job, ...patch, claimedBy: undefined, leaseUntil: undefined, sendingAt: undefined, updatedAt: now });
    this.snapshots.delete(id);
    return true;
  }

  async requestCancel(id: string, now: number): Promise<JobState | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const before = job.state;
    if (before === "queued") {
      await this.saveJob({ ...job, state: "cancelled", updatedAt: now });
    } else if (before === "submitting" && !job.cancelRequested) {
      await this.saveJob({ ...job, cancelRequested: true, updatedAt: now });
    }
    return before;
  }

  async expiredClaims(now: number): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const id of this.submittingIds) {
      const job = this.jobs.get(id)!;
      if ((job.leaseUntil ?? 0) <= now) out.push(structuredClone(job));
    }
    return out;
  }

  async takeOverExpired(id: string, now: number, interrupted: { status: number; body: unknown }): Promise<TakeOver | undefined> {
    const job = this.jobs.get(id);
    if (!job || job.state !== "submitting" || (job.leaseUntil ?? 0) > now) return undefined;
    const released = { claimedBy: undefined, leaseUntil: undefined, sendingAt: undefined, updatedAt: now };
    if (job.sendingAt !== undefined) {
      await this.saveJob({ ...job, ...released, state: "failed", error: interrupted });
      this.snapshots.delete(id);
      return "failed";
    }
    if (job.cancelRequested) {
      await this.saveJob({ ...job, ...released, state: "cancelled" });
      this.snapshots.delete(id);
      return "cancelled";
    }
    // Keeps its seq, so it stays first in its owner's line.
    await this.saveJob({ ...job, ...released, state: "queued" });
    return "requeued";
  }

  async prune(before: number): Promise<number> {
    const gone: Entry[] = [];
    for (const job of this.jobs.values()) {
      if (TERMINAL_JOB_STATES.includes(job.state) && job.updatedAt < before) gone.push({ t: "del", id: job.id });
    }
    for (const e of gone) this.apply(e);
    if (gone.length) await this.write(...gone);
    return gone.length;
  }

  // ---- pacing --------------------------------------------------------------------------------

  async tryTakeRateToken(now: number, limits: RateLimits): Promise<RateDecision> {
    if (this.paused > now) return { ok: false, retryInMs: this.paused - now, reason: "paused" };
    if (limits.perMinute === Infinity && limits.perDay === Infinity) return { ok: true };
    let drop = 0;
    while (drop < this.takes.length && this.takes[drop] <= now - DAY) drop++;
    if (drop) this.takes.splice(0, drop);
    if (this.takes.length >= limits.perDay) {
      return { ok: false, retryInMs: this.takes[this.takes.length - limits.perDay] + DAY - now, reason: "day" };
    }
    let inMinute = 0;
    for (let i = this.takes.length - 1; i >= 0 && this.takes[i] > now - MINUTE; i--) inMinute++;
    if (inMinute >= limits.perMinute) {
      return { ok: false, retryInMs: this.takes[this.takes.length - limits.perMinute] + MINUTE - now, reason: "minute" };
    }
    this.takes.push(now);
    await this.write({ t: "take", at: now });
    return { ok: true };
  }

  async pauseUntil(untilMs: number): Promise<void> {
    if (untilMs <= this.paused) return;
    this.paused = untilMs;
    await this.write({ t: "pause", until: untilMs });
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

  // ---- status-poll collapsing ------------------------------------------------------------------

  async getStatusSnapshot(jobId: string): Promise<StatusSnapshot | undefined> {
    return this.snapshots.get(jobId);
  }

  getJobWithSnapshot(id: string): { job?: Readonly<JobRecord>; snapshot?: StatusSnapshot } {
    // Records are replaced, never changed in place, and this one is handed out read-only: no copy.
    const job = this.jobs.get(id);
    return job ? { job, snapshot: this.snapshots.get(id) } : {};
  }

  putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): void {
    if (this.jobs.has(jobId)) this.snapshots.set(jobId, snapshot);
  }

  tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): boolean {
    const last = this.pollStarts.get(jobId);
    if (last !== undefined && now - last < minIntervalMs) return false;
    this.pollStarts.set(jobId, now);
    return true;
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

  async recordUsage(owner: string, day: string, delta: UsageDelta): Promise<void> {
    const key = `${day}\t${owner}`;
    const row = this.usageRows.get(key) ?? { day, owner, jobs: 0, images: 0, failures: 0, uploads: 0 };
    const next: UsageRow = {
      day,
      owner,
      jobs: row.jobs + (delta.jobs ?? 0),
      images: row.images + (delta.images ?? 0),
      failures: row.failures + (delta.failures ?? 0),
      uploads: row.uploads + (delta.uploads ?? 0),
    };
    this.usageRows.set(key, next);
    await this.write({ t: "usage", r: next });
  }

  async usage(sinceDay?: string): Promise<UsageRow[]> {
    const rows = [...this.usageRows.values()].filter((r) => !sinceDay || r.day >= sinceDay);
    rows.sort((a, b) => (a.day === b.day ? a.owner.localeCompare(b.owner) : a.day.localeCompare(b.day)));
    return rows.map((r) => ({ ...r }));
  }
}
