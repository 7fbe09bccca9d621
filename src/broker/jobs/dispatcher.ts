// The dispatcher: sends queued jobs to the provider, paced against the org's rate limit
// (a per-minute and a per-day window kept in the store), fairly across keys (the store's
// round-robin `claimNext`). A submit is sent again only when it provably never reached the
// service (connection refused, 429, 503); an upstream 429 pauses the whole queue for its
// `retry-after`. Right before a submit goes out the job is marked as sending in the store, so a
// claim whose dispatcher died can be told apart: never marked → taken over and sent by another
// instance; marked → failed (it may have been billed). Nothing here is provider-specific.

import { randomUUID } from "crypto";
import { classifyError, parseRetryAfter, readErrorBody } from "../../common/firefly";
import type { Logger } from "../log";
import { Provider, ProviderError } from "../providers/provider";
import { JobQueue, JobRecord, RateLimits, RateWindow, UsageLedger, utcDay } from "../store/store";

/** The store roles the dispatcher uses. */
export type DispatcherStore = JobQueue & RateWindow & UsageLedger;

export interface DispatcherOptions {
  store: DispatcherStore;
  provider: Provider;
  log: Logger;
  limits: RateLimits;
  /** How long a claim lasts (must outlive the submit timeout). */
  leaseMs: number;
  /** Times a job may be re-sent after provably-not-sent failures (default 6). */
  maxResends?: number;
  /** Backoff base after connection failures / 503 (default 1 s). */
  retryBaseMs?: number;
  now?: () => number;
  /** Told of each submit's result, with the wait since acceptance for an accepted one. */
  onSubmit?: (result: "accepted" | "requeued" | "failed", waitedMs?: number) => void;
}

export const INTERRUPTED = {
  status: 503,
  body: {
    error_code: "submit_interrupted",
    message: "The broker stopped while sending this job, so it was not sent again (that could bill it twice). Run it again.",
  },
};

export class Dispatcher {
  readonly instanceId = `broker-${process.pid}-${randomUUID().slice(0, 8)}`;
  private running = false;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffUntil = 0;
  private readonly resends = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly now: () => number;
  /** Submits sent upstream by this process (for tests and health). */
  sent = 0;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Look at the queue now (after an enqueue, a requeue, or a timer). */
  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    void this.loop()
      .catch((err) => this.o.log.log({ event: "dispatch_error", error: String((err as Error)?.message ?? err) }))
      .finally(() => {
        this.running = false;
        if (this.again) this.kick();
      });
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.kick();
      },
      Math.max(5, Math.min(ms, 60_000)),
    );
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    const { store } = this.o;
    while (!this.stopping) {
      const now = this.now();
      if (this.backoffUntil > now) return this.schedule(this.backoffUntil - now);
      const stats = await store.queueStats();
      if (stats.depth === 0) return;
      const decision = await store.tryTakeRateToken(now, this.o.limits);
      if (!decision.ok) return this.schedule(decision.retryInMs);
      const job = await store.claimNext(this.instanceId, this.o.leaseMs, now);
      if (!job) return;
      const p: Promise<void> = this.send(job)
        .catch((err) => this.o.log.log({ event: "dispatch_error", jobId: job.id, error: String((err as Error)?.message ?? err) }))
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async send(job: JobRecord): Promise<void> {
    const { store, provider, log } = this.o;
    // The last moment the job can still be handed to another instance: after this mark it may be
    // on the wire. Refused when the claim is no longer ours or its lease is over (then it is left
    // for whoever takes the expired claim over, and it was provably not sent from here).
    let mayGo: boolean;
    try {
      mayGo = await store.markSending(job.id, this.instanceId, this.now());
    } catch (err) {
      // Not marked, so provably not sent: hand the claim back to the queue.
      this.storeFailed(job, "markSending", err);
      if (await this.persist(job, "requeue", () => store.requeue(job.id, this.instanceId, this.now()))) this.kick();
      return;
    }
    if (!mayGo) {
      log.log({ event: "submit_skipped", key: job.owner, jobId: job.id, reason: "claim_lost" });
      return;
    }
    const started = this.now();
    let accepted: { jobId: string };
    try {
      this.sent++;
      accepted = await provider.submit(job.endpoint, job.request, job.modelVersion, job.owner);
    } catch (err) {
      await this.submitFailed(job, err, started);
      this.kick();
      return;
    }
    // The provider has the job: from here a failed store write is retried, never taken for a
    // failed submit (the job was sent and may be billed; it must not read "failed to send").
    const recorded = await this.persist(job, "markSubmitted", () => store.markSubmitted(job.id, this.instanceId, accepted.jobId, this.now()));
    if (recorded === undefined) return; // stopping: the job stays marked as sending (never resent)
    if (!recorded) {
      // The claim ran out while the submit was on the wire and another instance has settled the
      // job since: nobody will ever poll this upstream job, so stop it rather than let it run.
      this.resends.delete(job.id);
      log.log({ event: "submit_orphaned", key: job.owner, jobId: job.id, endpoint: job.endpoint, upstreamMs: this.now() - started });
      await provider
        .cancel(accepted.jobId)
        .catch((err) => log.log({ event: "submit_orphaned_cancel_failed", key: job.owner, jobId: job.id, error: String((err as Error)?.message ?? err) }));
      return;
    }
    this.resends.delete(job.id);
    log.log({ event: "submit", key: job.owner, jobId: job.id, endpoint: job.endpoint, upstreamMs: this.now() - started, result: "accepted" });
    this.o.onSubmit?.("accepted", started - job.createdAt);
    const after = await store.getJob(job.id);
    if (after?.cancelRequested) {
      await provider.cancel(accepted.jobId).catch(() => undefined);
    }
  }

  /** The submit failed: requeue it when it provably never reached upstream, else fail the job. */
  private async submitFailed(job: JobRecord, err: unknown, started: number): Promise<void> {
    const { store, log } = this.o;
    const pe =
      err instanceof ProviderError
        ? err
        : new ProviderError({
            status: 500,
            body: { error_code: "runtime_error", message: "The broker failed to send the job." },
            detail: String((err as Error)?.message ?? err),
          });
    const n = (this.resends.get(job.id) ?? 0) + 1;
    const resendable = pe.notSent && (pe.status === 0 || pe.status === 429 || pe.status === 503) && n <= (this.o.maxResends ?? 6);
    log.log({
      event: "submit",
      key: job.owner,
      jobId: job.id,
      endpoint: job.endpoint,
      upstreamMs: this.now() - started,
      result: resendable ? "requeued" : "failed",
      status: pe.status,
      detail: pe.detail,
    });
    this.o.onSubmit?.(resendable ? "requeued" : "failed");
    const now = this.now();
    if (pe.status === 429) {
      await store.pauseUntil(now + (parseRetryAfter(pe.headers["retry-after"], now) ?? 60_000)).catch((e) => this.storeFailed(job, "pauseUntil", e));
    }
    if (resendable) {
      this.resends.set(job.id, n);
      if (pe.status !== 429) {
        const base = this.o.retryBaseMs ?? 1000;
        this.backoffUntil = now + Math.min(base * 2 ** (n - 1), 60_000) * (0.75 + Math.random() / 2);
      }
      await this.persist(job, "requeue", async () => {
        const cur = await store.getJob(job.id);
        return cur?.cancelRequested ? store.finish(job.id, { state: "cancelled" }, now) : store.requeue(job.id, this.instanceId, now);
      });
      return;
    }
    this.resends.delete(job.id);
    const status = pe.status || 502;
    const c = classifyError({ status, body: pe.body, headers: pe.headers });
    const facts = readErrorBody(pe.body);
    // Keep what the artist needs (x-access-error says "quota" where the body only says access_error).
    const body = { error_code: pe.headers["x-access-error"] ?? facts.code ?? "runtime_error", message: facts.message ?? c.message, category: c.category };
    if (await this.persist(job, "finish", () => store.finish(job.id, { state: "failed", error: { status, body } }, now))) {
      await store.recordUsage(job.owner, utcDay(now), { failures: 1 }).catch((e) => this.storeFailed(job, "recordUsage", e));
    }
  }

  private storeFailed(job: JobRecord, op: string, err: unknown): void {
    this.o.log.log({ event: "store_write_failed", key: job.owner, jobId: job.id, op, error: String((err as Error)?.message ?? err) });
  }

  /**
   * A store write about a claimed job, tried again (with a growing wait, at most 5 s) while it
   * fails, until it is done or the dispatcher stops (undefined). Until then the job stays as the
   * store last recorded it: claimed, and marked as sending when it may have reached upstream.
   */
  private async persist(job: JobRecord, op: string, write: () => Promise<boolean>): Promise<boolean | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        this.storeFailed(job, op, err);
      }
      if (this.stopping) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 5_000)).unref?.());
    }
  }

  /**
   * Claims whose dispatcher died (lease over): a job that never went on the wire goes back to the
   * queue, keeping its place, and is sent by whichever instance claims it next; one that may have
   * reached upstream is failed (never resent — it may have been billed). Returns how many failed.
   */
  async recoverInterrupted(): Promise<number> {
    const { store, log } = this.o;
    const now = this.now();
    const stale = await store.expiredClaims(now);
    let failed = 0;
    let requeued = 0;
    for (const job of stale) {
      const r = await store.takeOverExpired(job.id, now, INTERRUPTED);
      if (r === "failed") {
        failed++;
        await store.recordUsage(job.owner, utcDay(now), { failures: 1 });
        log.log({ event: "submit_interrupted", key: job.owner, jobId: job.id });
      } else if (r) {
        if (r === "requeued") requeued++;
        log.log({ event: "claim_taken_over", key: job.owner, jobId: job.id, result: r, claimedBy: job.claimedBy });
      }
    }
    if (requeued) this.kick();
    return failed;
  }

  /** Stop taking jobs; wait for submits already on the wire. Queued jobs stay queued in the store. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }
}
