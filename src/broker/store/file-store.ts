// The embedded store: state in memory, every change appended to a journal file (one JSON object
// per line), replayed on start and compacted now and then. A single broker process owns the file.
// Survives a restart (or a crash: a torn last line is ignored). No native dependencies.

import { promises as fsp } from "fs";
import * as path from "path";
import { ConfigError } from "../config-error";
import { loadSigningKey } from "../outputs";
import {
  EnqueueResult,
  FinishPatch,
  JobRecord,
  JobState,
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

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function createFileStore(options: FileStoreOptions = {}): Store {
  return new FileStore(options);
}

class FileStore implements Store {
  private jobs = new Map<string, JobRecord>();
  private queued = new Set<string>();
  private submittingIds = new Set<string>();
  private lastServed = new Map<string, number>();
  private serveCounter = 0;
  private seq = 0;
  private takes: number[] = []; // submit times within the last 24 h, ascending
  private paused = 0;
  private usageRows = new Map<string, UsageRow>();
  private snapshots = new Map<string, StatusSnapshot>();
  private pollStarts = new Map<string, number>();

  private fh: fsp.FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private appended = 0;
  private readonly compactEvery: number;

  constructor(private readonly options: FileStoreOptions) {
    this.compactEvery = options.compactEvery ?? 20_000;
  }

  async open(): Promise<void> {
    const file = this.options.file;
    if (!file) return;
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await this.lock(file);
    let text = "";
    try {
      text = await fsp.readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // a torn write from a crash: the rest of the journal still counts
      }
      this.apply(entry);
    }
    // One process owns this file: whatever was mid-submit belongs to a process that is gone.
    for (const id of this.submittingIds) {
      const job = this.jobs.get(id);
      if (job) job.leaseUntil = 0;
    }
    await this.compact();
  }

  async close(): Promise<void> {
    await this.enqueueWrite(async () => {
      if (this.fh) {
        await this.fh.close();
        this.fh = undefined;
      }
      if (this.lockFile) {
        await fsp.unlink(this.lockFile).catch(() => undefined);
        this.lockFile = undefined;
      }
    });
  }

  private lockFile: string | undefined;

  /** One process per journal: a lock file with our pid; a dead owner's lock is taken over. */
  private async lock(file: string): Promise<void> {
    const lockFile = `${file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fsp.writeFile(lockFile, String(process.pid), { flag: "wx", mode: 0o600 });
        this.lockFile = lockFile;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const pid = Number((await fsp.readFile(lockFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new ConfigError(`another broker (pid ${pid}) is using ${path.dirname(file)}; stop it or set INFILL_DATA_DIR`);
      }
      await fsp.unlink(lockFile).catch(() => undefined); // stale: its owner is gone
    }
    throw new ConfigError(`cannot lock ${file}`);
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
    this.jobs.set(job.id, job);
    this.seq = Math.max(this.seq, job.seq);
    if (job.state === "queued") this.queued.add(job.id);
    else this.queued.delete(job.id);
    if (job.state === "submitting") this.submittingIds.add(job.id);
    else this.submittingIds.delete(job.id);
  }

  private deleteJob(id: string): void {
    this.jobs.delete(id);
    this.queued.delete(id);
    this.submittingIds.delete(id);
    this.snapshots.delete(id);
    this.pollStarts.delete(id);
  }

  private enqueueWrite(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private write(...entries: Entry[]): Promise<void> {
    if (!this.options.file) return Promise.resolve();
    const data = entries.map((e) => JSON.stringify(e)).join("\n") + "\n";
    return this.enqueueWrite(async () => {
      if (!this.fh) throw new Error("the store is closed");
      await this.fh.write(data);
      this.appended += entries.length;
      if (this.appended >= this.compactEvery) await this.compactNow();
    });
  }

  private compact(): Promise<void> {
    return this.enqueueWrite(() => this.compactNow());
  }

  private async compactNow(): Promise<void> {
    const file = this.options.file!;
    const lines: string[] = [];
    for (const r of this.usageRows.values()) lines.push(JSON.stringify({ t: "usage", r }));
    for (const [owner, n] of this.lastServed) lines.push(JSON.stringify({ t: "served", owner, n }));
    for (const at of this.takes) lines.push(JSON.stringify({ t: "take", at }));
    if (this.paused) lines.push(JSON.stringify({ t: "pause", until: this.paused }));
    for (const j of this.jobs.values()) lines.push(JSON.stringify({ t: "job", j }));
    const tmp = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, lines.length ? lines.join("\n") + "\n" : "", { mode: 0o600 });
    if (this.fh) await this.fh.close();
    await fsp.rename(tmp, file);
    this.fh = await fsp.open(file, "a", 0o600);
    this.appended = 0;
  }

  private saveJob(job: JobRecord): Promise<void> {
    this.setJob(job);
    return this.write({ t: "job", j: job });
  }

  // ---- queue and ownership ----------------------------------------------------------------

  async enqueue(job: NewJob, maxQueuedPerOwner: number): Promise<EnqueueResult> {
    let mine = 0;
    for (const id of this.queued) if (this.jobs.get(id)?.owner === job.owner) mine++;
    if (mine >= maxQueuedPerOwner) return { ok: false, reason: "owner_cap", queued: mine };
    const record: JobRecord = {
      ...job,
      state: "queued",
      seq: ++this.seq,
      updatedAt: job.createdAt,
      submitAttempts: 0,
    };
    await this.saveJob(record);
    return { ok: true, position: this.dispatchOrder().indexOf(record.id) + 1 };
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    // Records are replaced, never mutated in place, so a shallow copy is a safe snapshot.
    return job ? { ...job } : undefined;
  }

  /** Queued job ids in the order round-robin dispatch will send them. */
  private dispatchOrder(limit = Infinity, stopAt?: string): string[] {
    const byOwner = new Map<string, JobRecord[]>();
    for (const id of this.queued) {
      const job = this.jobs.get(id)!;
      let list = byOwner.get(job.owner);
      if (!list) byOwner.set(job.owner, (list = []));
      list.push(job);
    }
    for (const list of byOwner.values()) list.sort((a, b) => a.seq - b.seq);
    const served = new Map<string, number>();
    for (const owner of byOwner.keys()) served.set(owner, this.lastServed.get(owner) ?? 0);
    const order: string[] = [];
    let counter = this.serveCounter;
    while (order.length < limit && byOwner.size) {
      let best: string | undefined;
      for (const [owner, list] of byOwner) {
        if (best === undefined) {
          best = owner;
          continue;
        }
        const a = served.get(owner)!;
        const b = served.get(best)!;
        if (a < b || (a === b && list[0].seq < byOwner.get(best)![0].seq)) best = owner;
      }
      const list = byOwner.get(best!)!;
      const job = list.shift()!;
      order.push(job.id);
      if (job.id === stopAt) break;
      served.set(best!, ++counter);
      if (!list.length) byOwner.delete(best!);
    }
    return order;
  }

  async queuePosition(id: string): Promise<number | undefined> {
    if (!this.queued.has(id)) return undefined;
    const order = this.dispatchOrder(Infinity, id);
    return order.indexOf(id) + 1;
  }

  async queueStats(): Promise<QueueStats> {
    const byOwner: Record<string, number> = {};
    for (const id of this.queued) {
      const owner = this.jobs.get(id)!.owner;
      byOwner[owner] = (byOwner[owner] ?? 0) + 1;
    }
    return { depth: this.queued.size, submitting: this.submittingIds.size, byOwner };
  }

  async claimNext(claimant: string, leaseMs: number, now: number): Promise<JobRecord | undefined> {
    const [id] = this.dispatchOrder(1);
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

  async putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): Promise<void> {
    if (this.jobs.has(jobId)) this.snapshots.set(jobId, snapshot);
  }

  async tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): Promise<boolean> {
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
