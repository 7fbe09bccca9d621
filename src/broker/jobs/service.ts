// Jobs as clients see them: accept (validate, enqueue, 202), status (queued position, or the
// provider's status collapsed to one upstream call per job per second, with output links re-signed
// by the broker), cancel, and output streaming. Ownership is checked on every call: another key's
// job is answered exactly like a job that does not exist.

import { randomUUID } from "crypto";
import { isTerminalStatus, parseRetryAfter, upscaleOutputView, validateSubmit, type SubmitEndpoint } from "../../common/firefly";
import { fromProviderError, httpError, HttpError, jobErrorFields } from "../http/errors";
import type { Logger } from "../log";
import type { OutputSigner } from "../outputs";
import { Provider, ProviderError, ProviderJobStatus, ProviderOutput } from "../providers/provider";
import { JobQueue, JobRecord, JobWithSnapshot, PollCache, RateLimits, RateWindow, StatusSnapshot, UploadRegistry, UsageLedger, utcDay } from "../store/store";
import { dayResetsAt } from "./day-reset";
import { uploadRefs } from "./upload-ids";
import type { Dispatcher } from "./dispatcher";

/** The store roles the job service uses. */
export type JobServiceStore = JobQueue & RateWindow & PollCache & UsageLedger & UploadRegistry;

export interface JobServiceOptions {
  store: JobServiceStore;
  provider: Provider;
  dispatcher: Dispatcher;
  signer: OutputSigner;
  log: Logger;
  limits: RateLimits;
  maxQueuedPerKey: number;
  statusMinIntervalMs: number;
  now?: () => number;
}

/** Per-request facts the routes log. */
export interface RequestFacts {
  upstreamMs?: number;
  jobId?: string;
}

export const JOB_ID_RE = /^urn:infill:jobs:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const unknownJob = () => httpError(404, "unknown_job_id", "not_found", "The job id is unknown.");

export class JobService {
  private readonly inflightPolls = new Map<string, Promise<ProviderJobStatus>>();
  /** The broker's clock (ms since epoch). */
  readonly now: () => number;
  /** Upstream status calls made (for tests/bench). */
  upstreamStatusCalls = 0;

  constructor(private readonly o: JobServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  private async timed<T>(facts: RequestFacts, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      facts.upstreamMs = (facts.upstreamMs ?? 0) + Math.round((performance.now() - t0) * 10) / 10;
    }
  }

  /** A provider failure as the broker answers it; an upstream 429 also pauses the submit queue. */
  async providerFailure(err: unknown): Promise<HttpError> {
    if (err instanceof HttpError) return err;
    if (!(err instanceof ProviderError)) throw err;
    if (err.status === 429) {
      const now = this.now();
      await this.o.store.pauseUntil(now + (parseRetryAfter(err.headers["retry-after"], now) ?? 60_000));
    }
    return fromProviderError(err);
  }

  private async ownJob(owner: string, id: string): Promise<JobRecord> {
    if (!JOB_ID_RE.test(id)) throw unknownJob();
    const job = await this.o.store.getJob(id);
    if (!job || job.owner !== owner) throw unknownJob();
    return job;
  }

  async submit(owner: string, endpoint: SubmitEndpoint, body: unknown, modelVersion: string | undefined, base: string, facts: RequestFacts) {
    const v = validateSubmit(endpoint, body, modelVersion);
    if (!v.ok) throw new HttpError(422, { ...v.body, category: "invalid_input" });
    const refused = this.o.provider.refuse?.(endpoint, v.modelVersion, v.value);
    if (refused) throw fromProviderError(refused);
    const { store, limits } = this.o;
    const now = this.now();
    await this.checkUploads(owner, v.value, now);
    if (limits.perDay !== Infinity) {
      const usage = await store.rateUsage(now);
      if (usage.lastDay >= limits.perDay) {
        const resetsAt = (await dayResetsAt(store, limits.perDay, now)) ?? now + 3_600_000;
        throw httpError(429, "daily_limit_reached", "quota", "The organisation's daily Firefly limit is reached; try again later.", {
          "retry-after": String(Math.max(1, Math.ceil((resetsAt - now) / 1000))),
        });
      }
    }
    const id = `urn:infill:jobs:${randomUUID()}`;
    const r = await store.enqueue({ id, owner, endpoint, request: v.value, modelVersion: v.modelVersion, createdAt: now }, this.o.maxQueuedPerKey);
    if (!r.ok) {
      const wait = limits.perMinute === Infinity ? 5 : Math.ceil(60 / Math.min(limits.perMinute, 60));
      throw httpError(429, "queue_full", "rate_limited", `You already have ${r.queued} jobs waiting; wait for some to be sent or cancel one.`, {
        "retry-after": String(wait),
      });
    }
    facts.jobId = id;
    // The job is accepted and will be sent: a usage count that cannot be written is logged, not answered as a failed submit.
    await store
      .recordUsage(owner, utcDay(now), { jobs: 1 })
      .catch((err) => this.o.log.log({ event: "store_write_failed", key: owner, jobId: id, op: "recordUsage", error: String((err as Error)?.message ?? err) }));
    this.o.dispatcher.kick();
    return { jobId: id, statusUrl: `${base}/v3/status/${id}`, cancelUrl: `${base}/v3/cancel/${id}` };
  }

  /**
   * Every upload id in a submit must have been uploaded with the same key. Another key's upload
   * is answered exactly like an unknown one; the answer names where, never which id.
   */
  async checkUploads(owner: string, body: unknown, now: number): Promise<void> {
    const refs = uploadRefs(body);
    if (!refs.length) return;
    const refused = new Set(await this.o.store.notUploadedBy(owner, [...new Set(refs.map((r) => r.id))], now));
    const bad = refs.filter((r) => refused.has(r.id));
    if (!bad.length) return;
    const msg = "unknown uploadId: upload the image with this key first (uploads are kept for 7 days)";
    throw new HttpError(422, {
      error_code: "validation_error",
      message: msg,
      category: "invalid_input",
      validation_errors: bad.map((r) => ({ loc: ["body", ...r.loc], msg, type: "value_error" })),
    });
  }

  /** An upload the provider accepted: tie its id to the key, and count it. */
  async uploaded(owner: string, uploadId: string): Promise<void> {
    const now = this.now();
    await this.o.store.recordUpload(uploadId, owner, now);
    await this.o.store.recordUsage(owner, utcDay(now), { uploads: 1 });
  }

  async status(owner: string, id: string, base: string, facts: RequestFacts): Promise<Record<string, unknown>> {
    // One store read for the job and its last status (ownership checked as in ownJob).
    if (!JOB_ID_RE.test(id)) throw unknownJob();
    // A store that answers from memory is read at once: no extra turns of the event loop per poll.
    const mem = this.o.store.immediate;
    const { job, snapshot }: JobWithSnapshot = mem ? mem.getJobWithSnapshot(id) : await this.o.store.getJobWithSnapshot(id);
    if (!job || job.owner !== owner) throw unknownJob();
    facts.jobId = id;
    switch (job.state) {
      case "queued":
        return { jobId: id, status: "queued", queuePosition: (await this.o.store.queuePosition(id)) ?? 1 };
      case "submitting":
        return { jobId: id, status: "pending" };
      case "submitted": {
        if (snapshot && this.now() - snapshot.fetchedAt < this.o.statusMinIntervalMs) return this.present(job, snapshot.status, base);
        let st: ProviderJobStatus;
        const t0 = performance.now();
        try {
          st = await this.collapsedPoll(job, snapshot);
        } catch (err) {
          throw await this.providerFailure(err);
        } finally {
          facts.upstreamMs = (facts.upstreamMs ?? 0) + Math.round((performance.now() - t0) * 10) / 10;
        }
        return this.present(job, st, base);
      }
      default:
        if (job.final) return this.present(job, job.final, base);
        if (job.state === "cancelled") return { jobId: id, status: "cancelled", error_code: "cancelled", message: "The job was cancelled before it was sent." };
        return { jobId: id, status: "failed", ...jobErrorFields(job.error ?? { status: 500, body: {} }) };
    }
  }

  /**
   * At most one upstream status call per job per interval, however many clients poll (a fresh
   * snapshot is answered by `status` before it comes here).
   */
  private collapsedPoll(job: Readonly<JobRecord>, snap: StatusSnapshot | undefined): Promise<ProviderJobStatus> {
    const running = this.inflightPolls.get(job.id);
    if (running) return running;
    const p = this.pollUpstream(job, snap?.status);
    this.inflightPolls.set(job.id, p);
    // Forgotten when settled, on a side branch: the pollers await `p` itself, not a promise after it.
    const forget = () => {
      if (this.inflightPolls.get(job.id) === p) this.inflightPolls.delete(job.id);
    };
    p.then(forget, forget);
    return p;
  }

  private async pollUpstream(job: Readonly<JobRecord>, stale: ProviderJobStatus | undefined): Promise<ProviderJobStatus> {
    const { store } = this.o;
    const mem = store.immediate;
    const began = mem
      ? mem.tryBeginStatusPoll(job.id, this.now(), this.o.statusMinIntervalMs)
      : await store.tryBeginStatusPoll(job.id, this.now(), this.o.statusMinIntervalMs);
    if (!began) {
      // Someone else (another broker instance) polled within the interval.
      if (stale) return stale;
      await new Promise((r) => setTimeout(r, 200));
      const s = await store.getStatusSnapshot(job.id);
      return s?.status ?? { jobId: job.providerJobId!, status: "pending" };
    }
    this.upstreamStatusCalls++;
    const st = await this.o.provider.status(job.providerJobId!);
    const snap = { status: st, fetchedAt: this.now() };
    if (mem) mem.putStatusSnapshot(job.id, snap);
    else await store.putStatusSnapshot(job.id, snap);
    if (isTerminalStatus(st.status)) await this.settle(job, st);
    return st;
  }

  private async settle(job: Readonly<JobRecord>, st: ProviderJobStatus): Promise<void> {
    const state = st.status === "succeeded" ? "succeeded" : st.status === "canceled" || st.status === "cancelled" ? "cancelled" : "failed";
    const now = this.now();
    if (await this.o.store.finish(job.id, { state, final: st }, now)) {
      const day = utcDay(now);
      if (state === "succeeded") await this.o.store.recordUsage(job.owner, day, { images: st.result?.outputs.length ?? 0 });
      else if (state === "failed") await this.o.store.recordUsage(job.owner, day, { failures: 1 });
    }
  }

  /** The provider's status with the broker's job id and the broker's signed output links. */
  private present(job: Readonly<JobRecord>, st: ProviderJobStatus, base: string): Record<string, unknown> {
    const now = this.now();
    const out: Record<string, unknown> = { ...st, jobId: job.id };
    if (st.result) {
      out.result = {
        ...st.result,
        outputs: st.result.outputs.map((o, i) => {
          const url = base + this.o.signer.sign(job.id, i, job.owner, now);
          return job.endpoint === "upscale" ? upscaleOutputView(url) : { ...o, image: { url } };
        }),
      };
    }
    return out;
  }

  async cancel(owner: string, id: string, facts: RequestFacts): Promise<Record<string, unknown>> {
    const job = await this.ownJob(owner, id);
    facts.jobId = id;
    const before = await this.o.store.requestCancel(id, this.now());
    switch (before) {
      case "queued":
        return { jobId: id, status: "cancelled" };
      case "submitting":
        return { jobId: id, status: "cancel_pending" };
      case "submitted":
        try {
          await this.timed(facts, () => this.o.provider.cancel(job.providerJobId!));
        } catch (err) {
          throw await this.providerFailure(err);
        }
        return { jobId: id, status: "cancel_pending" };
      case "cancelled":
        throw httpError(409, "job_already_canceled", "cancelled", "The job was already cancelled.");
      default:
        throw httpError(409, "job_completed", "invalid_input", "The job was already completed.");
    }
  }

  async output(id: string, index: number, expires: number, sig: string, facts: RequestFacts): Promise<ProviderOutput> {
    const denied = () => httpError(403, "output_link_invalid", "auth", "This output link is not valid.");
    if (!JOB_ID_RE.test(id)) throw denied();
    const job = await this.o.store.getJob(id);
    if (!job) throw denied();
    const check = this.o.signer.verify(id, index, job.owner, expires, sig, this.now());
    if (check === "bad") throw denied();
    if (check === "expired") throw httpError(410, "output_expired", "timeout", "This output link has expired. Poll the job again for a fresh link.");
    facts.jobId = id;
    const url = job.final?.result?.outputs[index]?.image.url;
    if (!url) throw httpError(404, "not_found", "not_found", "There is no such output.");
    try {
      return await this.timed(facts, () => this.o.provider.openOutput(url));
    } catch (err) {
      throw await this.providerFailure(err);
    }
  }
}
