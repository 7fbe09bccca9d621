// Store conformance, the job queue (JobQueue): run on every backend from describeStoreConformance (conformance.ts). Times are
// passed in (`now`), so nothing here waits.

import type { JobQueue } from "../../src/broker/store/store";
import { describeLeaseConformance } from "./conformance-leases";
import { DAY, T0, drain, newJob, prng } from "./fixtures";

export function describeJobQueueConformance(create: () => Promise<JobQueue>, sibling?: (s: JobQueue) => Promise<JobQueue>): void {
  test("enqueue keeps the job as given and getJob returns it", async () => {
    const s = await create();
    const request = {
      prompt: "a red barn",
      numVariations: 2,
      seeds: [],
      placement: { inset: { left: 0.1234567890123456 } },
      nested: [[], {}],
      text: 'ü/\\"\n',
    };
    const r = await s.enqueue({ ...newJob("j1", "alice", T0, request), modelVersion: "image4_standard" }, 10);
    expect(r).toEqual({ ok: true, position: 1 });
    const j = await s.getJob("j1");
    expect(j).toEqual({
      id: "j1",
      owner: "alice",
      endpoint: "fill",
      request,
      modelVersion: "image4_standard",
      state: "queued",
      seq: expect.any(Number),
      createdAt: T0,
      updatedAt: T0,
      submitAttempts: 0,
    });
    expect(await s.getJob("nope")).toBeUndefined();
    await s.enqueue(newJob("j2", "alice", T0 + 1), 10);
    expect((await s.getJob("j2"))!.seq).toBeGreaterThan(j!.seq);
  });

  test("claims round-robin across owners, least recently served first, FIFO within an owner", async () => {
    const s = await create();
    for (const [id, owner] of [
      ["a1", "A"],
      ["a2", "A"],
      ["a3", "A"],
      ["b1", "B"],
      ["b2", "B"],
      ["c1", "C"],
    ]) {
      await s.enqueue(newJob(id, owner), 100);
    }
    expect(await s.queuePosition("a1")).toBe(1);
    expect(await s.queuePosition("b1")).toBe(2);
    expect(await s.queuePosition("c1")).toBe(3);
    expect(await s.queuePosition("a2")).toBe(4);
    expect(await s.queuePosition("b2")).toBe(5);
    expect(await s.queuePosition("a3")).toBe(6);
    const first = await s.claimNext("x", 30_000, T0);
    expect(first!.id).toBe("a1");
    // A newcomer who was never served goes ahead of A, who was just served.
    const r = await s.enqueue(newJob("d1", "D"), 100);
    expect(r).toEqual({ ok: true, position: 3 });
    expect(await drain(s)).toEqual(["b1", "c1", "d1", "a2", "b2", "a3"]);
    expect(await s.claimNext("x", 30_000, T0)).toBeUndefined();
    // Served order is remembered: C (served longest ago) goes first, then B, then A.
    await s.enqueue(newJob("a4", "A"), 100);
    await s.enqueue(newJob("b3", "B"), 100);
    await s.enqueue(newJob("c2", "C"), 100);
    expect(await drain(s)).toEqual(["c2", "b3", "a4"]);
  });

  test("queuePosition always equals the actual dispatch order (random workload)", async () => {
    const s = await create();
    const rnd = prng(42);
    const owners = ["ann", "bob", "cy", "dee", "eve"];
    let n = 0;
    for (let round = 0; round < 10; round++) {
      const adds = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < adds; i++) await s.enqueue(newJob(`r${n++}`, owners[Math.floor(rnd() * owners.length)]), 1000);
      const claims = Math.floor(rnd() * 5);
      for (let i = 0; i < claims; i++) await s.claimNext("x", 30_000, T0);
      // Cancel one queued job now and then.
      if (rnd() < 0.5) await s.requestCancel(`r${Math.floor(rnd() * n)}`, T0);
    }
    const stats = await s.queueStats();
    const queued: { id: string; pos: number }[] = [];
    for (let i = 0; i < n; i++) {
      const pos = await s.queuePosition(`r${i}`);
      if (pos !== undefined) queued.push({ id: `r${i}`, pos });
    }
    expect(queued.length).toBe(stats.depth);
    expect(queued.length).toBeGreaterThan(5);
    const predicted = queued.sort((a, b) => a.pos - b.pos).map((q) => q.id);
    expect(queued.map((q) => q.pos)).toEqual(queued.map((_, i) => i + 1));
    expect(await drain(s)).toEqual(predicted);
  });

  test("per-owner cap counts queued jobs only", async () => {
    const s = await create();
    expect((await s.enqueue(newJob("a1", "A"), 2)).ok).toBe(true);
    expect((await s.enqueue(newJob("a2", "A"), 2)).ok).toBe(true);
    expect(await s.enqueue(newJob("a3", "A"), 2)).toEqual({ ok: false, reason: "owner_cap", queued: 2 });
    expect(await s.getJob("a3")).toBeUndefined();
    expect((await s.enqueue(newJob("b1", "B"), 2)).ok).toBe(true);
    await s.claimNext("x", 30_000, T0); // a1 leaves the queue
    expect((await s.enqueue(newJob("a3", "A"), 2)).ok).toBe(true);
    expect(await s.queueStats()).toEqual({ depth: 3, submitting: 1, byOwner: { A: 2, B: 1 } });
    expect((await s.enqueue(newJob("z", "Z"), Infinity)).ok).toBe(true);
  });

  test("requeue by the claimant puts the job back first in its owner's line", async () => {
    const s = await create();
    for (const [id, owner] of [
      ["a1", "A"],
      ["a2", "A"],
      ["b1", "B"],
    ])
      await s.enqueue(newJob(id, owner), 10);
    const c = await s.claimNext("x", 30_000, T0);
    expect(c!.id).toBe("a1");
    expect(await s.requeue("a1", "y", T0 + 1)).toBe(false);
    expect(await s.requeue("a1", "x", T0 + 1)).toBe(true);
    expect(await s.requeue("a1", "x", T0 + 2)).toBe(false); // no longer submitting
    const j = (await s.getJob("a1"))!;
    expect(j).toMatchObject({ state: "queued", seq: c!.seq, updatedAt: T0 + 1, submitAttempts: 0 });
    expect(j.claimedBy).toBeUndefined();
    expect(j.leaseUntil).toBeUndefined();
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
    // A was served last, so B goes next; then A's requeued job comes before a2.
    expect(await s.queuePosition("a1")).toBe(2);
    expect(await drain(s)).toEqual(["b1", "a1", "a2"]);
  });

  test("finish moves a job to a terminal state exactly once", async () => {
    const s = await create();
    await s.enqueue(newJob("q", "A"), 10);
    await s.enqueue(newJob("w", "A"), 10);
    await s.enqueue(newJob("sub", "B"), 10);
    await s.claimNext("x", 30_000, T0); // q
    await s.claimNext("x", 30_000, T0); // sub
    expect(await s.markSubmitted("sub", "x", "up-1", T0)).toBe(true);
    const final = { jobId: "up-1", status: "succeeded" as const, result: { outputs: [{ seed: 7, image: { url: "https://out.example/1.png" } }] } };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.finish("sub", i % 2 ? { state: "succeeded", final } : { state: "failed", error: { status: 500, body: {} } }, T0 + 10),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.finish("sub", { state: "cancelled" }, T0 + 20)).toBe(false);
    const done = (await s.getJob("sub"))!;
    expect(["succeeded", "failed"]).toContain(done.state);
    expect(done.updatedAt).toBe(T0 + 10);
    if (done.state === "succeeded") expect(done.final).toEqual(final);
    // A submitting job: finishing clears the claim.
    expect(await s.finish("q", { state: "failed", error: { status: 502, body: { message: "x" } } }, T0 + 30)).toBe(true);
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
    // A queued job: finishing takes it out of the queue.
    expect(await s.finish("w", { state: "cancelled" }, T0 + 40)).toBe(true);
    expect(await s.queueStats()).toEqual({ depth: 0, submitting: 0, byOwner: {} });
    expect(await s.claimNext("x", 30_000, T0)).toBeUndefined();
    expect(await s.finish("nope", { state: "failed" }, T0)).toBe(false);
  });

  test("cancel: queued becomes cancelled at once, submitting is flagged, others are left alone", async () => {
    const s = await create();
    // Owners never served are taken in acceptance order.
    for (const id of ["sub", "sent", "done"]) await s.enqueue(newJob(id, id), 10);
    expect(await drain(s, "x")).toEqual(["sub", "sent", "done"]);
    await s.markSubmitted("sent", "x", "up-sent", T0);
    await s.markSubmitted("done", "x", "up-done", T0);
    await s.finish("done", { state: "succeeded" }, T0);
    await s.enqueue(newJob("q", "q"), 10);

    expect(await s.requestCancel("q", T0 + 1)).toBe("queued");
    expect(await s.getJob("q")).toMatchObject({ state: "cancelled", updatedAt: T0 + 1 });
    expect(await s.queuePosition("q")).toBeUndefined();
    expect((await s.queueStats()).depth).toBe(0);
    expect(await s.requestCancel("q", T0 + 2)).toBe("cancelled");

    expect(await s.requestCancel("sub", T0 + 3)).toBe("submitting");
    expect(await s.getJob("sub")).toMatchObject({ state: "submitting", cancelRequested: true, claimedBy: "x", updatedAt: T0 + 3 });
    expect(await s.requestCancel("sub", T0 + 4)).toBe("submitting");
    expect((await s.getJob("sub"))!.updatedAt).toBe(T0 + 3);
    // The flag survives the submit being accepted, so the dispatcher can cancel upstream.
    expect(await s.markSubmitted("sub", "x", "up-sub", T0 + 5)).toBe(true);
    expect(await s.getJob("sub")).toMatchObject({ state: "submitted", cancelRequested: true });

    expect(await s.requestCancel("sent", T0 + 6)).toBe("submitted");
    expect(await s.getJob("sent")).toMatchObject({ state: "submitted", updatedAt: T0 });
    expect((await s.getJob("sent"))!.cancelRequested).toBeUndefined();
    expect(await s.requestCancel("done", T0 + 7)).toBe("succeeded");
    expect(await s.getJob("done")).toMatchObject({ state: "succeeded", updatedAt: T0 });
    expect(await s.requestCancel("nope", T0)).toBeUndefined();
  });

  test("prune forgets terminal jobs updated before the cutoff, and nothing else", async () => {
    const s = await create();
    for (const id of ["old", "new", "live", "q"]) await s.enqueue(newJob(id, id), 10);
    await s.finish("old", { state: "failed" }, T0 + 100);
    await s.finish("new", { state: "succeeded" }, T0 + 300);
    await s.claimNext("x", 1, T0); // live or q: claim one, leave the other queued
    expect(await s.prune(T0 + 200)).toBe(1);
    expect(await s.getJob("old")).toBeUndefined();
    expect(await s.getJob("new")).toBeDefined();
    expect(await s.getJob("live")).toBeDefined();
    expect(await s.getJob("q")).toBeDefined();
    expect(await s.prune(T0 + 200)).toBe(0);
    expect(await s.prune(T0 + DAY)).toBe(1);
    expect((await s.queueStats()).depth + (await s.queueStats()).submitting).toBe(2);
  });

  describeLeaseConformance(create, sibling);
}
