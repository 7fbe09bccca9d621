// Reads the broker's quota for the panel: once when the panel says hello, after a run is
// accepted, and every few poll ticks while one of the jobs waits in the broker's queue, so the
// places and waits on screen move with the queue. A broker that does not share it is left alone.

import type { JobState } from "../../common/jobs";
import type { QuotaView } from "../../common/protocol";
import type { BrokerClient } from "../broker-client";
import type { QuotaAnswer } from "../broker-client/quota";

export interface QuotaPollOptions {
  broker: BrokerClient;
  now: () => number;
  send: (quota: QuotaView) => void;
  log: (line: string) => void;
  /** Poll ticks between two reads while a job is queued (default 5). */
  everyTicks?: number;
}

/** The broker's answer on the host's clock. */
export function quotaView(a: QuotaAnswer, receivedAt: number): QuotaView {
  const onHostClock = (at: number) => Math.max(0, receivedAt + (at - a.now));
  const { resetsAt, ...day } = a.day;
  return {
    receivedAt,
    day: typeof resetsAt === "number" ? { ...day, resetsAt: onHostClock(resetsAt) } : day,
    minute: a.minute,
    pausedUntil: a.pausedUntil === null ? null : onHostClock(a.pausedUntil),
    depth: a.queue.depth,
    waits: a.waits,
  };
}

export class QuotaPoll {
  private reading = false;
  private ticks = 0;

  constructor(private readonly o: QuotaPollOptions) {}

  /** Read it now (unless a read is already under way). */
  async refresh(): Promise<void> {
    const read = this.o.broker.quota;
    if (this.reading || !read) return;
    this.reading = true;
    try {
      const answer = await read.call(this.o.broker);
      this.o.send(quotaView(answer, this.o.now()));
    } catch (e) {
      this.o.log(`quota not read: ${e instanceof Error ? e.name : "error"}`);
    } finally {
      this.reading = false;
    }
  }

  /** One poll tick: a read every `everyTicks` ticks while any job waits in the queue. */
  tick(jobs: Iterable<JobState>): void {
    if (![...jobs].some((j) => j.phase === "queued")) {
      this.ticks = 0;
      return;
    }
    if (++this.ticks % (this.o.everyTicks ?? 5) === 0) void this.refresh();
  }
}
