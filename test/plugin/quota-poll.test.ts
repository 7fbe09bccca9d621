// The host's reads of the broker's quota: when it reads, what it passes on, and a broker that
// does not share it. Poll ticks are called by hand; the clock is a number.

import type { JobState } from "../../src/common/jobs";
import type { QuotaView } from "../../src/common/protocol";
import type { BrokerClient } from "../../src/plugin/broker-client";
import type { QuotaAnswer } from "../../src/plugin/broker-client/quota";
import { QuotaPoll, quotaView } from "../../src/plugin/controller/quota-poll";

const T = 1_700_000_000_000;

const answer = (depth: number): QuotaAnswer => ({
  now: T + 500, // the broker's clock runs half a second ahead of the host's
  day: { used: 120, limit: 9000 },
  minute: { used: 4, limit: 4 },
  pausedUntil: T + 30_500,
  queue: { depth },
  waits: Array.from({ length: depth + 1 }, (_, i) => 30_000 + i * 15_000),
});

function rig(read?: () => Promise<QuotaAnswer>) {
  const sent: QuotaView[] = [];
  const logs: string[] = [];
  let reads = 0;
  let depth = 3;
  const broker = { quota: read ?? (async () => (reads++, answer(depth))) } as unknown as BrokerClient;
  const poll = new QuotaPoll({ broker, now: () => T, send: (q) => sent.push(q), log: (l) => logs.push(l) });
  return { poll, sent, logs, reads: () => reads, setDepth: (d: number) => (depth = d) };
}

const job = (phase: JobState["phase"]): JobState => ({
  jobId: phase,
  kind: "fill",
  params: {} as never,
  docId: 1,
  docTitle: "d",
  phase,
  startedAt: 0,
  variations: [],
});

test("the answer is passed on in the host's clock: the pause moved by the clocks' difference, waits as given", () => {
  expect(quotaView(answer(2), T)).toEqual({
    receivedAt: T,
    day: { used: 120, limit: 9000 },
    minute: { used: 4, limit: 4 },
    pausedUntil: T + 30_000,
    depth: 2,
    waits: [30_000, 45_000, 60_000],
  });
  expect(quotaView({ ...answer(0), pausedUntil: null }, T).pausedUntil).toBeNull();
});

test("read every fifth tick while a job is queued, never while none is", async () => {
  const r = rig();
  for (let i = 0; i < 12; i++) r.poll.tick([job("running"), job("done")]);
  await Promise.resolve();
  expect(r.reads()).toBe(0);
  for (let i = 0; i < 10; i++) {
    if (i === 7) r.setDepth(1); // the queue moves between reads
    r.poll.tick([job("queued")]);
    await new Promise((res) => setImmediate(res));
  }
  expect(r.reads()).toBe(2);
  expect(r.sent.map((q) => q.depth)).toEqual([3, 1]);
});

test("a broker that does not answer is logged, not passed on; a client without the call is not asked", async () => {
  const r = rig(async () => {
    throw new Error("404");
  });
  await r.poll.refresh();
  expect(r.sent).toEqual([]);
  expect(r.logs).toEqual(["quota not read: Error"]);
  const none = new QuotaPoll({ broker: {} as BrokerClient, now: () => T, send: () => fail("sent"), log: () => fail("logged") });
  await none.refresh();
});
