// Store conformance, the admin overview's reads (JobsOverview, with the JobQueue they read) and the
// instance heartbeats (InstanceRegistry): run on every backend from describeStoreConformance
// (conformance.ts). Times are passed in (`now`), so nothing here waits.

import type { InstanceBeat, InstanceRegistry, JobQueue, JobsOverview } from "../../src/broker/store/store";
import { FAILURE_SCAN_LIMIT } from "../../src/broker/store/store";
import { T0, newJob } from "./fixtures";

const failure = (code: string) => ({ status: 400, body: { error_code: code, message: "m", category: "invalid_input" } });

export function describeJobsOverviewConformance(create: () => Promise<JobQueue & JobsOverview>): void {
  test("running counts claimed and submitted jobs per owner, not queued or finished ones", async () => {
    const s = await create();
    expect(await s.runningByOwner()).toEqual({});
    for (const [id, owner] of [
      ["a1", "alice"],
      ["b1", "bob"],
      ["a2", "alice"],
      ["b2", "bob"],
      ["a3", "alice"],
    ])
      await s.enqueue(newJob(id, owner), 10);
    await s.claimNext("x", 30_000, T0); // a1
    await s.claimNext("x", 30_000, T0); // b1
    await s.claimNext("x", 30_000, T0); // a2
    await s.markSubmitted("a1", "x", "up-a1", T0 + 1);
    expect(await s.runningByOwner()).toEqual({ alice: 2, bob: 1 });
    await s.finish("a1", { state: "succeeded" }, T0 + 2);
    await s.requeue("b1", "x", T0 + 3);
    expect(await s.runningByOwner()).toEqual({ alice: 1 });
    await s.markSubmitted("a2", "x", "up-a2", T0 + 4);
    await s.finish("a2", { state: "failed", error: failure("x") }, T0 + 5);
    expect(await s.runningByOwner()).toEqual({});
  });

  test("recent failures: newest first, at most the limit, only failed jobs, with how they failed", async () => {
    const s = await create();
    for (let i = 0; i < 6; i++) await s.enqueue(newJob(`j${i}`, i % 2 ? "bob" : "alice"), 10);
    await s.finish("j0", { state: "failed", error: failure("first") }, T0 + 10);
    await s.finish("j1", { state: "succeeded" }, T0 + 20);
    await s.claimNext("x", 30_000, T0); // j2
    await s.markSubmitted("j2", "x", "up-j2", T0 + 25);
    await s.finish("j2", { state: "failed", final: { jobId: "up-j2", status: "failed", error_code: "upstream_code" } }, T0 + 30);
    await s.requestCancel("j3", T0 + 40);
    await s.finish("j4", { state: "failed", error: failure("last") }, T0 + 50);
    expect(await s.recentFailures(10)).toEqual([
      { id: "j4", owner: "alice", endpoint: "fill", updatedAt: T0 + 50, error: failure("last") },
      { id: "j2", owner: "alice", endpoint: "fill", updatedAt: T0 + 30, final: { jobId: "up-j2", status: "failed", error_code: "upstream_code" } },
      { id: "j0", owner: "alice", endpoint: "fill", updatedAt: T0 + 10, error: failure("first") },
    ]);
    expect((await s.recentFailures(2)).map((f) => f.id)).toEqual(["j4", "j2"]);
    expect(await s.recentFailures(0)).toEqual([]);
  });

  test(`recent failures look no further back than the last ${FAILURE_SCAN_LIMIT} finished jobs`, async () => {
    const s = await create();
    await s.enqueue(newJob("old", "alice"), 10);
    await s.finish("old", { state: "failed", error: failure("old") }, T0);
    for (let i = 0; i < FAILURE_SCAN_LIMIT; i++) {
      await s.enqueue(newJob(`ok${i}`, "bob"), FAILURE_SCAN_LIMIT + 1);
      await s.finish(`ok${i}`, { state: "succeeded" }, T0 + 1 + i);
    }
    expect(await s.recentFailures(5)).toEqual([]);
  });
}

const beat = (id: string, beatAt: number, version = "1.0.0"): InstanceBeat => ({ id, version, mode: "local", status: "ok", startedAt: T0, beatAt });

export function describeInstanceRegistryConformance(create: () => Promise<InstanceRegistry>): void {
  test("the latest beat of each instance, by id, since a time", async () => {
    const s = await create();
    expect(await s.instances(0)).toEqual([]);
    await s.heartbeat(beat("b", T0));
    await s.heartbeat(beat("a", T0 + 1_000));
    await s.heartbeat({ ...beat("b", T0 + 2_000, "1.1.0"), status: "degraded" });
    expect(await s.instances(0)).toEqual([beat("a", T0 + 1_000), { ...beat("b", T0 + 2_000, "1.1.0"), status: "degraded" }]);
    expect((await s.instances(T0 + 1_500)).map((b) => b.id)).toEqual(["b"]);
  });
}
