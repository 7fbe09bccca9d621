// The shared store: the same semantics as the file store, kept in Redis so that several broker
// instances act as one — one fair queue, one pace against the org's Firefly limit, one view of
// job ownership and usage. Every method is one Lua script (atomic on the server), so instances
// never read-modify-write across calls. Time comes from the callers (`now`), like the file store.

import Redis, { type RedisOptions } from "ioredis";
import type {
  EnqueueResult,
  FailedJob,
  FinishPatch,
  InstanceBeat,
  JobRecord,
  JobState,
  NewJob,
  QueueStats,
  RateDecision,
  RateLimits,
  StatusSnapshot,
  Store,
  TakeOver,
  UsageDelta,
  UsageRow,
} from "../store";
import { DAY, FAILURE_SCAN_LIMIT, MINUTE, UPLOAD_RETENTION_MS } from "../store";
import { ConfigError } from "../../config-error";
import { parseSigningKey } from "../../outputs";
import { StoreUnavailableError, redactRedisUrl } from "./errors";
import * as O from "./overview-scripts";
import * as S from "./scripts";

const PRUNE_BATCH = 500;

/** An instance silent for this long is dropped from the list at the next heartbeat. */
const INSTANCE_MEMORY_MS = DAY;

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Key prefix; brokers that must not share a queue use different prefixes (default `infill:`). */
  prefix?: string;
  /** A command that takes longer fails the call with StoreUnavailableError (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Giving up on the first connection in `open()` (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Extra ioredis options (tests). */
  redisOptions?: RedisOptions;
  /** Structured logger for connection changes (never receives the password). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RedisStoreHealth {
  kind: "redis";
  /** Redis URL without credentials. */
  url: string;
  connected: boolean;
  /** ioredis connection status: wait, connecting, connect, ready, reconnecting, close, end. */
  status: string;
  /** Last connection error seen, if the connection is not ready. */
  lastError?: string;
}

type Scripts = {
  [K in keyof typeof SCRIPTS]: (...args: (string | number)[]) => Promise<unknown>;
};

const SCRIPTS = {
  infillEnqueue: S.ENQUEUE,
  infillQueuePosition: S.QUEUE_POSITION,
  infillQueueStats: S.QUEUE_STATS,
  infillClaimNext: S.CLAIM_NEXT,
  infillRequeue: S.REQUEUE,
  infillMarkSending: S.MARK_SENDING,
  infillTakeOverExpired: S.TAKE_OVER_EXPIRED,
  infillMarkSubmitted: S.MARK_SUBMITTED,
  infillFinish: S.FINISH,
  infillRequestCancel: S.REQUEST_CANCEL,
  infillExpiredClaims: S.EXPIRED_CLAIMS,
  infillPrune: S.PRUNE,
  infillTakeRateToken: S.TAKE_RATE_TOKEN,
  infillRateUsage: S.RATE_USAGE,
  infillPauseUntil: S.PAUSE_UNTIL,
  infillPutSnapshot: S.PUT_SNAPSHOT,
  infillBeginStatusPoll: S.BEGIN_STATUS_POLL,
  infillRecordUsage: S.RECORD_USAGE,
  infillSharedSigningKey: S.SHARED_SIGNING_KEY,
  infillRunningByOwner: O.RUNNING_BY_OWNER,
  infillRecentFailures: O.RECENT_FAILURES,
  infillHeartbeat: O.HEARTBEAT,
  infillInstances: O.INSTANCES,
} as const;

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}

/** Limits travel as strings; -1 means "no limit". */
function limitArg(n: number): string {
  return Number.isFinite(n) ? String(Math.max(0, Math.floor(n))) : "-1";
}

function num(s: string): string {
  if (!Number.isFinite(Number(s))) throw new TypeError(`not a finite number: ${s}`);
  return String(s);
}

/** A flat HGETALL reply → record. */
function pairs(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list = flat as string[];
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

function toJob(h: Record<string, string>): JobRecord | undefined {
  if (!h.base || !h.state) return undefined;
  const base = JSON.parse(h.base) as Pick<JobRecord, "id" | "owner" | "endpoint" | "request" | "modelVersion" | "createdAt">;
  const job: JobRecord = {
    ...base,
    state: h.state as JobState,
    seq: Number(h.seq),
    updatedAt: Number(h.updatedAt),
    submitAttempts: Number(h.submitAttempts ?? 0),
  };
  if (h.providerJobId !== undefined) job.providerJobId = h.providerJobId;
  if (h.claimedBy !== undefined) job.claimedBy = h.claimedBy;
  if (h.leaseUntil !== undefined) job.leaseUntil = Number(h.leaseUntil);
  if (h.sendingAt !== undefined) job.sendingAt = Number(h.sendingAt);
  if (h.cancelRequested) job.cancelRequested = true;
  if (h.final) job.final = JSON.parse(h.final);
  if (h.error) job.error = JSON.parse(h.error);
  return job;
}

export class RedisStore implements Store {
  readonly kind = "redis" as const;
  private readonly client: Redis & Scripts;
  private readonly prefix: string;
  private readonly url: string;
  private lastError: string | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? "infill:";
    this.url = redactRedisUrl(options.url);
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new ConfigError("INFILL_REDIS_URL is not a valid URL (expected redis://host:port or rediss://host:port)");
    }
    if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
      throw new ConfigError(`INFILL_REDIS_URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
    }
    const client = new Redis(options.url, {
      lazyConnect: true,
      // Fail at once while disconnected (the broker answers 503) instead of queueing blind.
      enableOfflineQueue: false,
      // A command whose answer was lost is not resent: the caller hears of the failure instead.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // After disconnect(), how long a socket may linger (also when it was already gone).
      disconnectTimeout: 200,
      retryStrategy: (times) => (this.closed ? null : Math.min(50 * 2 ** Math.min(times, 5), 1000)),
      ...options.redisOptions,
    });
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 0, lua });
    client.on("error", (err: Error) => {
      const msg = err.message;
      if (msg !== this.lastError) options.log?.({ event: "store_redis_error", url: this.url, error: msg });
      this.lastError = msg;
    });
    client.on("close", () => {
      if (this.closed || this.lastError) return;
      this.lastError = "connection closed";
      options.log?.({ event: "store_redis_error", url: this.url, error: this.lastError });
    });
    client.on("ready", () => {
      if (this.lastError) options.log?.({ event: "store_redis_ready", url: this.url });
      this.lastError = undefined;
    });
    this.client = client as Redis & Scripts;
  }

  /** Connection state for `GET /health` (no round trip). */
  health(): RedisStoreHealth {
    const status = this.client.status;
    const h: RedisStoreHealth = { kind: "redis", url: this.url, connected: status === "ready", status };
    if (status !== "ready" && this.lastError) h.lastError = this.lastError;
    return h;
  }

  /** One round trip to Redis (ms); throws StoreUnavailableError. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.run(() => this.client.ping());
    return performance.now() - t0;
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError("the store is closed");
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreUnavailableError || err instanceof TypeError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new StoreUnavailableError(`Redis at ${this.url}: ${msg}`, err);
    }
  }

  async open(): Promise<void> {
    try {
      await this.client.connect();
      await this.client.ping();
    } catch (err) {
      this.closed = true;
      this.client.disconnect();
      // "Connection is closed" says less than the socket error that caused it.
      const msg = this.lastError ?? (err instanceof Error ? err.message : String(err));
      throw new StoreUnavailableError(`cannot reach Redis at ${this.url}: ${msg}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Drop the connection at once, answering nothing more (what a crashed instance looks like to Redis). */
  disconnectNow(): void {
    this.closed = true;
    this.client.disconnect();
  }

  // ---- queue and ownership ----------------------------------------------------------------

  async enqueue(job: NewJob, maxQueuedPerOwner: number): Promise<EnqueueResult> {
    const base = JSON.stringify({
      id: job.id,
      owner: job.owner,
      endpoint: job.endpoint,
      request: job.request,
      modelVersion: job.modelVersion,
      createdAt: job.createdAt,
    });
    const [ok, n] = (await this.run(() =>
      this.client.infillEnqueue(this.prefix, job.id, job.owner, limitArg(maxQueuedPerOwner), base, num(String(job.createdAt))),
    )) as [number, string];
    return ok === 1 ? { ok: true, position: Number(n) } : { ok: false, reason: "owner_cap", queued: Number(n) };
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const h = await this.run(() => this.client.hgetall(this.prefix + "j:" + id));
    return toJob(h);
  }

  async queuePosition(id: string): Promise<number | undefined> {
    const r = await this.run(() => this.client.infillQueuePosition(this.prefix, id));
    return r === null || r === undefined ? undefined : Number(r);
  }

  async queueStats(): Promise<QueueStats> {
    const r = (await this.run(() => this.client.infillQueueStats(this.prefix))) as (string | number)[];
    const byOwner: Record<string, number> = {};
    for (let i = 2; i + 1 < r.length; i += 2) byOwner[String(r[i])] = Number(r[i + 1]);
    return { depth: Number(r[0]), submitting: Number(r[1]), byOwner };
  }

  async claimNext(claimant: string, leaseMs: number, now: number): Promise<JobRecord | undefined> {
    const r = await this.run(() => this.client.infillClaimNext(this.prefix, claimant, num(String(now)), num(String(now + leaseMs))));
    return toJob(pairs(r));
  }

  async markSending(id: string, claimant: string, now: number): Promise<boolean> {
    return (await this.run(() => this.client.infillMarkSending(this.prefix, id, claimant, num(String(now))))) === 1;
  }

  async requeue(id: string, claimant: string, now: number): Promise<boolean> {
    return (await this.run(() => this.client.infillRequeue(this.prefix, id, claimant, num(String(now))))) === 1;
  }

  async markSubmitted(id: string, claimant: string, providerJobId: string, now: number): Promise<boolean> {
    return (await this.run(() => this.client.infillMarkSubmitted(this.prefix, id, claimant, providerJobId, num(String(now))))) === 1;
  }

  async finish(id: string, patch: FinishPatch, now: number): Promise<boolean> {
    const final = patch.final === undefined ? "" : JSON.stringify(patch.final);
    const error = patch.error === undefined ? "" : JSON.stringify(patch.error);
    return (await this.run(() => this.client.infillFinish(this.prefix, id, patch.state, final, error, num(String(now))))) === 1;
  }

  async requestCancel(id: string, now: number): Promise<JobState | undefined> {
    const r = await this.run(() => this.client.infillRequestCancel(this.prefix, id, num(String(now))));
    return r === null || r === undefined ? undefined : (r as JobState);
  }

  async expiredClaims(now: number): Promise<JobRecord[]> {
    const r = (await this.run(() => this.client.infillExpiredClaims(this.prefix, num(String(now))))) as unknown[];
    const out: JobRecord[] = [];
    for (const flat of r) {
      const job = toJob(pairs(flat));
      if (job) out.push(job);
    }
    return out;
  }

  async takeOverExpired(id: string, now: number, interrupted: { status: number; body: unknown }): Promise<TakeOver | undefined> {
    const r = await this.run(() => this.client.infillTakeOverExpired(this.prefix, id, num(String(now)), JSON.stringify(interrupted)));
    return r === null || r === undefined ? undefined : (r as TakeOver);
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = Number(await this.run(() => this.client.infillPrune(this.prefix, num(String(before)), PRUNE_BATCH)));
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }

  // ---- pacing --------------------------------------------------------------------------------

  async tryTakeRateToken(now: number, limits: RateLimits): Promise<RateDecision> {
    const minute = limits.minuteMs ?? MINUTE;
    const r = (await this.run(() =>
      this.client.infillTakeRateToken(
        this.prefix,
        num(String(now)),
        limitArg(limits.perMinute),
        limitArg(limits.perDay),
        String(now - minute),
        String(now - DAY),
      ),
    )) as string[];
    switch (r[0]) {
      case "ok":
        return { ok: true };
      case "paused":
        return { ok: false, reason: "paused", retryInMs: Number(r[1]) - now };
      case "day":
        return { ok: false, reason: "day", retryInMs: r[1] ? Number(r[1]) + DAY - now : DAY };
      default:
        return { ok: false, reason: "minute", retryInMs: r[1] ? Number(r[1]) + minute - now : minute };
    }
  }

  async pauseUntil(untilMs: number): Promise<void> {
    await this.run(() => this.client.infillPauseUntil(this.prefix, num(String(untilMs))));
  }

  async pausedUntil(): Promise<number> {
    const v = await this.run(() => this.client.get(this.prefix + "pause"));
    return v ? Number(v) : 0;
  }

  async rateUsage(now: number): Promise<{ lastMinute: number; lastDay: number; pausedUntil: number }> {
    const r = (await this.run(() => this.client.infillRateUsage(this.prefix, String(now - MINUTE), String(now - DAY)))) as [number, number, string];
    return { lastMinute: Number(r[0]), lastDay: Number(r[1]), pausedUntil: Number(r[2]) };
  }

  async takesSince(since: number): Promise<number[]> {
    // Members are `<time>:<counter>`, scored by the time.
    const members = await this.run(() => this.client.zrangebyscore(this.prefix + "takes", `(${since}`, "+inf"));
    return members.map((m) => Number(m.slice(0, m.indexOf(":"))));
  }

  // ---- status-poll collapsing ------------------------------------------------------------------

  async getStatusSnapshot(jobId: string): Promise<StatusSnapshot | undefined> {
    const v = await this.run(() => this.client.hget(this.prefix + "j:" + jobId, "snap"));
    return v ? (JSON.parse(v) as StatusSnapshot) : undefined;
  }

  async getJobWithSnapshot(id: string): Promise<{ job?: JobRecord; snapshot?: StatusSnapshot }> {
    const h = await this.run(() => this.client.hgetall(this.prefix + "j:" + id));
    const job = toJob(h);
    return job ? { job, snapshot: h.snap ? (JSON.parse(h.snap) as StatusSnapshot) : undefined } : {};
  }

  async putStatusSnapshot(jobId: string, snapshot: StatusSnapshot): Promise<void> {
    await this.run(() => this.client.infillPutSnapshot(this.prefix, jobId, JSON.stringify(snapshot)));
  }

  async tryBeginStatusPoll(jobId: string, now: number, minIntervalMs: number): Promise<boolean> {
    // The marker outlives the interval by far; it only has to vanish eventually.
    const ttl = Math.max(60_000, Math.ceil(minIntervalMs) * 2);
    return (await this.run(() => this.client.infillBeginStatusPoll(this.prefix, jobId, num(String(now)), num(String(minIntervalMs)), ttl))) === 1;
  }

  // ---- uploads ------------------------------------------------------------------------------

  async recordUpload(uploadId: string, owner: string, now: number): Promise<void> {
    // The record says until when it counts; Redis forgets it a day after that.
    const value = JSON.stringify({ owner, until: now + UPLOAD_RETENTION_MS });
    await this.run(() => this.client.set(this.prefix + "up:" + uploadId, value, "PX", UPLOAD_RETENTION_MS + DAY));
  }

  async notUploadedBy(owner: string, uploadIds: readonly string[], now: number): Promise<string[]> {
    if (!uploadIds.length) return [];
    const values = await this.run(() => this.client.mget(uploadIds.map((id) => this.prefix + "up:" + id)));
    return uploadIds.filter((_, i) => {
      const u = values[i] ? (JSON.parse(values[i]!) as { owner: string; until: number }) : undefined;
      return !u || u.owner !== owner || u.until <= now;
    });
  }

  // ---- shared secrets ---------------------------------------------------------------------------

  async sharedSigningKey(candidate: Buffer): Promise<Buffer> {
    const stored = await this.run(() => this.client.infillSharedSigningKey(this.prefix, candidate.toString("base64url")));
    const key = parseSigningKey(typeof stored === "string" ? stored : undefined);
    if (!key)
      throw new ConfigError(`the output-signing key in Redis (${this.prefix}signing-key) is not a base64url key of 32 bytes or more; delete it and restart`);
    return key;
  }

  // ---- usage ----------------------------------------------------------------------------------

  async recordUsage(owner: string, day: string, delta: UsageDelta): Promise<void> {
    const args: (string | number)[] = [this.prefix];
    for (const metric of ["jobs", "images", "failures", "uploads"] as const) {
      args.push(JSON.stringify([day, owner, metric]), Math.trunc(delta[metric] ?? 0));
    }
    await this.run(() => this.client.infillRecordUsage(...args));
  }

  async usage(sinceDay?: string): Promise<UsageRow[]> {
    const h = await this.run(() => this.client.hgetall(this.prefix + "usage"));
    const rows = new Map<string, UsageRow>();
    for (const [field, value] of Object.entries(h)) {
      const [day, owner, metric] = JSON.parse(field) as [string, string, "jobs" | "images" | "failures" | "uploads"];
      if (sinceDay && day < sinceDay) continue;
      const key = `${day}\t${owner}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { day, owner, jobs: 0, images: 0, failures: 0, uploads: 0 }));
      row[metric] = Number(value);
    }
    return [...rows.values()].sort((a, b) => (a.day === b.day ? a.owner.localeCompare(b.owner) : a.day.localeCompare(b.day)));
  }

  // ---- admin overview ---------------------------------------------------------------------------

  async runningByOwner(): Promise<Record<string, number>> {
    const r = (await this.run(() => this.client.infillRunningByOwner(this.prefix))) as string[];
    const out: Record<string, number> = {};
    for (let i = 0; i + 1 < r.length; i += 2) out[r[i]] = Number(r[i + 1]);
    return out;
  }

  async recentFailures(limit: number): Promise<FailedJob[]> {
    const n = Math.max(0, Math.floor(limit));
    const r = (await this.run(() => this.client.infillRecentFailures(this.prefix, String(n), String(FAILURE_SCAN_LIMIT)))) as unknown[];
    const out: FailedJob[] = [];
    for (const flat of r) {
      const job = toJob(pairs(flat));
      if (job) out.push({ id: job.id, owner: job.owner, endpoint: job.endpoint, updatedAt: job.updatedAt, error: job.error, final: job.final });
    }
    return out;
  }

  async heartbeat(beat: InstanceBeat): Promise<void> {
    const forgetBefore = beat.beatAt - INSTANCE_MEMORY_MS;
    await this.run(() => this.client.infillHeartbeat(this.prefix, beat.id, JSON.stringify(beat), num(String(beat.beatAt)), num(String(forgetBefore))));
  }

  async instances(since: number): Promise<InstanceBeat[]> {
    const r = (await this.run(() => this.client.infillInstances(this.prefix, num(String(since))))) as (string | null)[];
    const out = r.filter((v): v is string => typeof v === "string").map((v) => JSON.parse(v) as InstanceBeat);
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }
}
