// What the broker counts for Prometheus, in one prom-client registry per broker: requests by route
// and status, upstream calls by target and outcome (IMS token fetches among them), the queue's
// depth and pause, how long jobs waited before their submit, submits by result, and the local
// engine's jobs and their time. Served as text by observability/metrics-route.ts. The last
// upstream call times are also kept in small rings for the admin overview.

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Store } from "../store/store";
import { LatencyRings } from "./latency";

/** Which upstream a call went to, from its origin and path. */
export interface UpstreamTargets {
  imsUrl: string;
  fireflyUrl: string;
}

/** A finished upstream call: HTTP status, or the network error's code. */
export interface UpstreamCall {
  origin: string;
  path: string;
  status?: number;
  errorCode?: string;
  seconds: number;
}

/** `2xx`, `4xx`, `5xx`, `429` (a rate limit, alarm-worthy on its own), or the network error. */
export function outcomeOf(call: Pick<UpstreamCall, "status" | "errorCode">): string {
  if (call.status === undefined) return `error_${(call.errorCode ?? "unknown").toLowerCase()}`;
  return call.status === 429 ? "429" : `${Math.floor(call.status / 100)}xx`;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const WAIT_BUCKETS = [0.1, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

export class BrokerMetrics {
  readonly registry = new Registry();
  /** The last upstream call times per target (the admin overview's latency). */
  readonly recentUpstream = new LatencyRings();
  private readonly requests: Counter<"route" | "status">;
  private readonly requestSeconds: Histogram<"route">;
  private readonly upstreamCalls: Counter<"target" | "outcome">;
  private readonly upstreamSeconds: Histogram<"target">;
  private readonly imsRefreshes: Counter<"outcome">;
  private readonly submits: Counter<"result">;
  private readonly waitSeconds: Histogram<string>;
  private readonly engineJobs: Counter<"outcome">;
  private readonly engineSeconds: Histogram<string>;
  private readonly imsOrigin: string;
  private readonly imsPath: string;
  private readonly fireflyOrigin: string;

  /** The store whose queue the gauges read (set once it is open). */
  private store?: Store;

  constructor(targets: UpstreamTargets) {
    const registers = [this.registry];
    // prom-client calls collect() with `this` bound to the gauge, so the collector reaches the broker through a name.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    const ims = new URL(targets.imsUrl);
    this.imsOrigin = ims.origin;
    this.imsPath = ims.pathname;
    this.fireflyOrigin = new URL(targets.fireflyUrl).origin;
    this.requests = new Counter({
      name: "infill_http_requests_total",
      help: "Requests answered, by route and HTTP status (0: the client left before an answer).",
      labelNames: ["route", "status"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "infill_http_request_duration_seconds",
      help: "Time from a request's arrival to its end, by route.",
      labelNames: ["route"],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: "infill_upstream_calls_total",
      help: "Calls to IMS, Firefly and output hosts, by target and outcome (2xx, 4xx, 429, 5xx, error_<code>).",
      labelNames: ["target", "outcome"],
      registers,
    });
    this.upstreamSeconds = new Histogram({
      name: "infill_upstream_call_duration_seconds",
      help: "Upstream call time until its answer's headers (streams) or whole body, by target.",
      labelNames: ["target"],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.imsRefreshes = new Counter({
      name: "infill_ims_token_fetches_total",
      help: "IMS access-token fetches (first fetch and refreshes), by outcome.",
      labelNames: ["outcome"],
      registers,
    });
    this.submits = new Counter({
      name: "infill_submits_total",
      help: "Generation submits sent upstream, by result (accepted, requeued, failed).",
      labelNames: ["result"],
      registers,
    });
    this.waitSeconds = new Histogram({
      name: "infill_queue_wait_seconds",
      help: "Time from a job's acceptance to its accepted submit.",
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.engineJobs = new Counter({
      name: "infill_engine_jobs_total",
      help: "Local engine jobs finished, by outcome (succeeded, failed, cancelled).",
      labelNames: ["outcome"],
      registers,
    });
    this.engineSeconds = new Histogram({
      name: "infill_engine_job_duration_seconds",
      help: "Local engine time from submit to results, for jobs that succeeded.",
      buckets: SECONDS_BUCKETS,
      registers,
    });
    new Gauge({
      name: "infill_queue_depth",
      help: "Jobs waiting for their submit, across every owner (-1 when the store cannot be read).",
      registers,
      async collect() {
        this.set(await metrics.queue((s) => s.queueStats().then((q) => q.depth)));
      },
    });
    new Gauge({
      name: "infill_queue_submitting",
      help: "Jobs whose submit is claimed by an instance right now (-1 when the store cannot be read).",
      registers,
      async collect() {
        this.set(await metrics.queue((s) => s.queueStats().then((q) => q.submitting)));
      },
    });
    new Gauge({
      name: "infill_queue_paused_seconds",
      help: "Seconds left of a pause after an upstream 429 (0 when not paused, -1 when the store cannot be read).",
      registers,
      async collect() {
        this.set(await metrics.queue((s) => s.pausedUntil().then((until) => Math.max(0, (until - Date.now()) / 1000))));
      },
    });
  }

  /** Read the queue's gauges from `store`. */
  watchQueue(store: Store): void {
    this.store = store;
  }

  /** A figure read from the store, or -1 when there is none or it cannot be read. */
  private queue(read: (store: Store) => Promise<number>): Promise<number> {
    return this.store ? read(this.store).catch(() => -1) : Promise.resolve(-1);
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.inc({ route, status: String(status) });
    this.requestSeconds.observe({ route }, seconds);
  }

  upstream(call: UpstreamCall): void {
    const target = call.origin === this.imsOrigin && call.path.startsWith(this.imsPath) ? "ims" : call.origin === this.fireflyOrigin ? "firefly" : "output";
    const outcome = outcomeOf(call);
    this.upstreamCalls.inc({ target, outcome });
    this.upstreamSeconds.observe({ target }, call.seconds);
    this.recentUpstream.add(target, call.seconds * 1000);
    if (target === "ims") this.imsRefreshes.inc({ outcome });
  }

  /** A submit's result; `waitedMs` for an accepted one (since the job was accepted). */
  submit(result: string, waitedMs?: number): void {
    this.submits.inc({ result });
    if (waitedMs !== undefined) this.waitSeconds.observe(Math.max(0, waitedMs) / 1000);
  }

  /** The local engine's job events (from its log entries). */
  engineEvent(entry: Record<string, unknown>): void {
    const outcome =
      entry.event === "local_job_succeeded"
        ? "succeeded"
        : entry.event === "local_job_failed"
          ? "failed"
          : entry.event === "local_job_cancelled"
            ? "cancelled"
            : undefined;
    if (!outcome) return;
    this.engineJobs.inc({ outcome });
    if (outcome === "succeeded" && typeof entry.ms === "number") this.engineSeconds.observe(entry.ms / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
