// The admin overview: read through the store's roles (queue, running jobs, pace, usage, failures,
// instances), this instance's upstream call times and the configuration, then shaped into one
// answer (`shapeOverview`, pure).

import type { AdminOverview, Limit, OverviewFailure, OverviewPerson } from "../../common/admin-overview";
import { pacingSlotMs } from "../../common/eta";
import { classifyJobOutcome, type JobStatusResponse } from "../../common/firefly";
import type { BrokerConfig } from "../config";
import type { StoreHealth } from "../store/from-env";
import {
  utcDay,
  type FailedJob,
  type InstanceBeat,
  type JobQueue,
  type JobsOverview,
  type InstanceRegistry,
  type QueueStats,
  type RateWindow,
  type UsageLedger,
  type UsageRow,
} from "../store/store";
import { LISTED_FOR_MS, SILENT_AFTER_MS } from "./heartbeat";
import type { LatencySummary } from "./latency";

/** Failures the overview lists. */
export const OVERVIEW_FAILURES = 20;

export type OverviewStore = Pick<JobQueue, "queueStats"> & Pick<RateWindow, "rateUsage" | "takesSince"> & UsageLedger & JobsOverview & InstanceRegistry;

/** Everything the overview is made of, as read. */
export interface OverviewFacts {
  now: number;
  config: Pick<BrokerConfig, "mode" | "ratePerMinute" | "ratePerDay" | "rateMinuteMs">;
  version: string;
  selfId: string;
  store: StoreHealth;
  stats: QueueStats;
  running: Record<string, number>;
  rate: { lastDay: number; pausedUntil: number };
  minuteTakes: number;
  usageToday: UsageRow[];
  failures: FailedJob[];
  upstream: LatencySummary[];
  instances: InstanceBeat[];
}

export async function readOverview(
  store: OverviewStore,
  base: Pick<OverviewFacts, "now" | "config" | "version" | "selfId" | "store" | "upstream">,
): Promise<OverviewFacts> {
  const { now, config } = base;
  const [stats, running, rate, takes, usageToday, failures, instances] = await Promise.all([
    store.queueStats(),
    store.runningByOwner(),
    store.rateUsage(now),
    store.takesSince(now - config.rateMinuteMs),
    store.usage(utcDay(now)),
    store.recentFailures(OVERVIEW_FAILURES),
    store.instances(now - LISTED_FOR_MS),
  ]);
  return { ...base, stats, running, rate, minuteTakes: takes.length, usageToday, failures, instances };
}

const limitOut = (n: number): Limit => (n < Infinity ? n : null);

/** A failed job as listed: a submit's error body, or the upstream job's outcome. */
export function failureOf(f: FailedJob): OverviewFailure {
  const out = { at: f.updatedAt, person: f.owner, endpoint: f.endpoint };
  const body = f.error?.body as { error_code?: unknown; category?: unknown } | undefined;
  if (f.error) {
    return {
      ...out,
      status: f.error.status,
      code: typeof body?.error_code === "string" ? body.error_code : undefined,
      category: typeof body?.category === "string" ? body.category : "unknown",
    };
  }
  const final = f.final ?? { jobId: f.id, status: "failed" as const };
  const c = classifyJobOutcome(final as unknown as JobStatusResponse);
  return { ...out, code: typeof final.error_code === "string" ? final.error_code : undefined, category: c?.category ?? "unknown" };
}

export function shapeOverview(f: OverviewFacts): AdminOverview {
  const names = new Set([...Object.keys(f.stats.byOwner), ...Object.keys(f.running), ...f.usageToday.map((r) => r.owner)]);
  const people: OverviewPerson[] = [...names].sort().map((name) => {
    const row = f.usageToday.find((r) => r.owner === name);
    return {
      name,
      waiting: f.stats.byOwner[name] ?? 0,
      running: f.running[name] ?? 0,
      today: { jobs: row?.jobs ?? 0, images: row?.images ?? 0, failures: row?.failures ?? 0, uploads: row?.uploads ?? 0 },
    };
  });
  const { config } = f;
  return {
    now: f.now,
    mode: config.mode,
    version: f.version,
    store: f.store,
    pace: { perMinute: limitOut(config.ratePerMinute), slotMs: pacingSlotMs(config.ratePerMinute, config.rateMinuteMs) },
    pausedUntil: f.rate.pausedUntil > f.now ? f.rate.pausedUntil : null,
    day: { used: f.rate.lastDay, limit: limitOut(config.ratePerDay) },
    minute: { used: f.minuteTakes, limit: limitOut(config.ratePerMinute), windowMs: config.rateMinuteMs },
    queue: { depth: f.stats.depth, submitting: f.stats.submitting },
    people,
    failures: f.failures.map(failureOf),
    upstream: f.upstream,
    instances: f.instances.map((b) => ({
      id: b.id,
      version: b.version,
      mode: b.mode,
      status: b.status,
      startedAt: b.startedAt,
      beatAt: b.beatAt,
      silent: f.now - b.beatAt > SILENT_AFTER_MS,
      self: b.id === f.selfId,
    })),
  };
}
