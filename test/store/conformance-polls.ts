// Store conformance, the status-poll cache (PollCache, with the JobQueue its snapshots follow): run on every backend from describeStoreConformance (conformance.ts). Times are
// passed in (`now`), so nothing here waits.

import type { JobQueue, PollCache } from "../../src/broker/store/store";
import { T0, newJob } from "./fixtures";

export function describePollCacheConformance(create: () => Promise<JobQueue & PollCache>): void {
  test("status polls collapse: one caller per job per interval; snapshots follow the job", async () => {
    const s = await create();
    await s.enqueue(newJob("j1", "A"), 10);
    const first = await Promise.all(Array.from({ length: 10 }, () => s.tryBeginStatusPoll("j1", T0, 1000)));
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await s.tryBeginStatusPoll("j1", T0 + 999, 1000)).toBe(false);
    expect(await s.tryBeginStatusPoll("j2", T0 + 999, 1000)).toBe(true);
    expect(await s.tryBeginStatusPoll("j1", T0 + 1000, 1000)).toBe(true);
    expect(await s.tryBeginStatusPoll("j1", T0 + 1500, 1000)).toBe(false);

    const snap = { status: { jobId: "up-1", status: "running" as const, progress: 40 }, fetchedAt: T0 + 1000 };
    expect(await s.getStatusSnapshot("j1")).toBeUndefined();
    expect(await s.getJobWithSnapshot("j1")).toEqual({ job: await s.getJob("j1") });
    await s.putStatusSnapshot("j1", snap);
    expect(await s.getStatusSnapshot("j1")).toEqual(snap);
    expect(await s.getJobWithSnapshot("j1")).toEqual({ job: await s.getJob("j1"), snapshot: snap });
    expect(await s.getJobWithSnapshot("ghost")).toEqual({});
    await s.putStatusSnapshot("ghost", snap); // no such job: not kept
    expect(await s.getStatusSnapshot("ghost")).toBeUndefined();
    await s.finish("j1", { state: "cancelled" }, T0 + 2000);
    expect(await s.getStatusSnapshot("j1")).toBeUndefined();
    expect((await s.getJobWithSnapshot("j1")).snapshot).toBeUndefined();
  });

  test("the immediate answers, where a store gives them, are the same state as the promised ones", async () => {
    const s = await create();
    const mem = s.immediate;
    if (!mem) return; // a store over the network answers with promises only
    await s.enqueue(newJob("j1", "A"), 10);
    expect(mem.tryBeginStatusPoll("j1", T0, 1000)).toBe(true);
    expect(await s.tryBeginStatusPoll("j1", T0 + 1, 1000)).toBe(false);
    const snap = { status: { jobId: "up-1", status: "running" as const }, fetchedAt: T0 };
    mem.putStatusSnapshot("j1", snap);
    expect(await s.getJobWithSnapshot("j1")).toEqual(mem.getJobWithSnapshot("j1"));
    expect(mem.getJobWithSnapshot("j1")).toEqual({ job: await s.getJob("j1"), snapshot: snap });
    mem.putStatusSnapshot("ghost", snap);
    expect(mem.getJobWithSnapshot("ghost")).toEqual({});
  });
}
