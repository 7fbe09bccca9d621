// The Store conformance suite: the semantics every store must have, run against the file store and
// the Redis store alike (test/store/*.test.ts). Times are passed in (`now`), so nothing here waits.

import type { Store } from "../../src/broker/store/store";
import { describeLeaseConformance } from "./conformance-leases";
import { DAY, MIN, T0, drain, newJob, prng } from "./fixtures";

export { drain, newJob, prng };

export interface StoreHarness {
  /** A fresh, empty, opened store. */
  create(): Promise<Store>;
  /** Close `store` and open a new instance on the same data (a broker restart). */
  reopen(store: Store): Promise<Store>;
  /** Another instance on the same data while `store` stays open (shared stores only). */
  sibling?(store: Store): Promise<Store>;
}

export function describeStoreConformance(name: string, harness: StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    const open: Store[] = [];
    const create = async () => {
      const s = await harness.create();
      open.push(s);
      return s;
    };
    const reopen = async (s: Store) => {
      const r = await harness.reopen(s);
      open.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((s) => s.close()));
    });

    test("enqueue keeps the job as given and getJob returns it", async () => {
      const s = await create();
      const request = { prompt: "a red barn", numVariations: 2, seeds: [], placement: { inset: { left: 0.1234567890123456 } }, nested: [[], {}], text: "ü/\\\"\n" };
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
      for (const [id, owner] of [["a1", "A"], ["a2", "A"], ["a3", "A"], ["b1", "B"], ["b2", "B"], ["c1", "C"]]) {
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

    describeLeaseConformance(create, harness.sibling ? async (a) => {
      const b = await harness.sibling!(a);
      open.push(b);
      return b;
    } : undefined);

    test("requeue by the claimant puts the job back first in its owner's line", async () => {
      const s = await create();
      for (const [id, owner] of [["a1", "A"], ["a2", "A"], ["b1", "B"]]) await s.enqueue(newJob(id, owner), 10);
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
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.finish("sub", i % 2 ? { state: "succeeded", final } : { state: "failed", error: { status: 500, body: {} } }, T0 + 10)));
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

    test("rate windows: per minute and per rolling day, with the wait until a slot frees", async () => {
      const s = await create();
      const limits = { perMinute: 4, perDay: 6 };
      for (let i = 0; i < 4; i++) expect(await s.tryTakeRateToken(T0 + i * 1000, limits)).toEqual({ ok: true });
      expect(await s.tryTakeRateToken(T0 + 10_000, limits)).toEqual({ ok: false, reason: "minute", retryInMs: 50_000 });
      expect(await s.rateUsage(T0 + 10_000)).toEqual({ lastMinute: 4, lastDay: 4, pausedUntil: 0 });
      // A minute after the first take, one slot frees (the window is (now - 60 s, now]).
      expect(await s.tryTakeRateToken(T0 + MIN - 1, limits)).toMatchObject({ ok: false, reason: "minute", retryInMs: 1 });
      expect(await s.tryTakeRateToken(T0 + MIN, limits)).toEqual({ ok: true });
      expect(await s.tryTakeRateToken(T0 + MIN, limits)).toMatchObject({ ok: false, reason: "minute", retryInMs: 1000 });
      expect(await s.tryTakeRateToken(T0 + 2 * MIN, limits)).toEqual({ ok: true });
      // Six in the rolling day: the day limit answers until the first take is 24 h old.
      expect(await s.tryTakeRateToken(T0 + 3 * MIN, limits)).toEqual({ ok: false, reason: "day", retryInMs: DAY - 3 * MIN });
      expect(await s.rateUsage(T0 + 3 * MIN)).toEqual({ lastMinute: 0, lastDay: 6, pausedUntil: 0 });
      expect(await s.tryTakeRateToken(T0 + DAY - 1, limits)).toMatchObject({ ok: false, reason: "day", retryInMs: 1 });
      expect(await s.tryTakeRateToken(T0 + DAY, limits)).toEqual({ ok: true });
      // Unlimited: always granted, nothing counted.
      const before = await s.rateUsage(T0 + DAY);
      expect(await s.tryTakeRateToken(T0 + DAY, { perMinute: Infinity, perDay: Infinity })).toEqual({ ok: true });
      expect(await s.rateUsage(T0 + DAY)).toEqual(before);
      // Only a daily cap.
      const d = await create();
      for (let i = 0; i < 3; i++) expect(await d.tryTakeRateToken(T0, { perMinute: Infinity, perDay: 3 })).toEqual({ ok: true });
      expect(await d.tryTakeRateToken(T0 + 5, { perMinute: Infinity, perDay: 3 })).toEqual({ ok: false, reason: "day", retryInMs: DAY - 5 });
    });

    test("concurrent takers never get more tokens than the window holds", async () => {
      const s = await create();
      const results = await Promise.all(Array.from({ length: 30 }, () => s.tryTakeRateToken(T0, { perMinute: 4, perDay: 9000 })));
      expect(results.filter((r) => r.ok)).toHaveLength(4);
    });

    test("a pause holds every submit and is never shortened", async () => {
      const s = await create();
      expect(await s.pausedUntil()).toBe(0);
      await s.pauseUntil(T0 + 30_000);
      await s.pauseUntil(T0 + 10_000);
      expect(await s.pausedUntil()).toBe(T0 + 30_000);
      expect(await s.tryTakeRateToken(T0 + 5_000, { perMinute: 4, perDay: 100 })).toEqual({ ok: false, reason: "paused", retryInMs: 25_000 });
      expect(await s.tryTakeRateToken(T0 + 5_000, { perMinute: Infinity, perDay: Infinity })).toEqual({ ok: false, reason: "paused", retryInMs: 25_000 });
      expect((await s.rateUsage(T0 + 5_000)).pausedUntil).toBe(T0 + 30_000);
      await s.pauseUntil(T0 + 45_000);
      expect(await s.pausedUntil()).toBe(T0 + 45_000);
      expect(await s.tryTakeRateToken(T0 + 45_000, { perMinute: 4, perDay: 100 })).toEqual({ ok: true });
    });

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

    test("usage sums per owner and day, sorted, filtered by day", async () => {
      const s = await create();
      await s.recordUsage("bob", "2026-11-27", { jobs: 1, images: 4 });
      await s.recordUsage("alice", "2026-11-28", { jobs: 1, images: 2 });
      await s.recordUsage("bob", "2026-11-27", { jobs: 1, images: 1, failures: 1 });
      await s.recordUsage("alice", "2026-11-28", { uploads: 3 });
      await s.recordUsage("alice", "2026-11-27", {});
      await Promise.all(Array.from({ length: 20 }, () => s.recordUsage("carol", "2026-11-28", { jobs: 1 })));
      expect(await s.usage()).toEqual([
        { day: "2026-11-27", owner: "alice", jobs: 0, images: 0, failures: 0, uploads: 0 },
        { day: "2026-11-27", owner: "bob", jobs: 2, images: 5, failures: 1, uploads: 0 },
        { day: "2026-11-28", owner: "alice", jobs: 1, images: 2, failures: 0, uploads: 3 },
        { day: "2026-11-28", owner: "carol", jobs: 20, images: 0, failures: 0, uploads: 0 },
      ]);
      expect((await s.usage("2026-11-28")).map((r) => r.owner)).toEqual(["alice", "carol"]);
    });

    test("prune forgets terminal jobs updated before the cutoff, and nothing else", async () => {
      const s = await create();
      for (const id of ["old", "new", "live", "q"]) await s.enqueue(newJob(id, id), 10);
      await s.finish("old", { state: "failed" }, T0 + 100);
      await s.finish("new", { state: "succeeded" }, T0 + 300);
      await s.claimNext("x", 1, T0); // live or q: claim one, leave the other queued
      await s.putStatusSnapshot("old", { status: { jobId: "u", status: "running" }, fetchedAt: T0 });
      expect(await s.prune(T0 + 200)).toBe(1);
      expect(await s.getJob("old")).toBeUndefined();
      expect(await s.getJob("new")).toBeDefined();
      expect(await s.getJob("live")).toBeDefined();
      expect(await s.getJob("q")).toBeDefined();
      expect(await s.prune(T0 + 200)).toBe(0);
      expect(await s.prune(T0 + DAY)).toBe(1);
      expect((await s.queueStats()).depth + (await s.queueStats()).submitting).toBe(2);
    });

    test("a restart keeps jobs, their states, the fair order, the rate window, the pause and usage", async () => {
      let s = await create();
      for (const [id, owner] of [["a1", "A"], ["a2", "A"], ["b1", "B"], ["b2", "B"], ["c1", "C"]]) await s.enqueue(newJob(id, owner), 10);
      await s.claimNext("x", 30_000, T0); // a1
      await s.claimNext("x", 30_000, T0); // b1
      await s.markSubmitted("b1", "x", "up-b1", T0 + 1);
      await s.requestCancel("c1", T0 + 2);
      await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
      await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
      await s.pauseUntil(T0 + 5_000);
      await s.recordUsage("A", "2026-11-28", { jobs: 1 });
      const before = { a1: await s.getJob("a1"), b1: await s.getJob("b1"), c1: await s.getJob("c1"), a2: await s.getJob("a2") };

      s = await reopen(s);
      expect(await s.getJob("b1")).toEqual(before.b1);
      expect(await s.getJob("c1")).toEqual(before.c1);
      expect(await s.getJob("a2")).toEqual(before.a2);
      // The claim of a dead process is recoverable once its lease is over (the file store ends it at once).
      expect((await s.getJob("a1"))!.state).toBe("submitting");
      expect((await s.expiredClaims(T0 + 30_000)).map((j) => j.id)).toEqual(["a1"]);
      expect(await s.pausedUntil()).toBe(T0 + 5_000);
      expect(await s.tryTakeRateToken(T0 + 6_000, { perMinute: 2, perDay: 100 })).toMatchObject({ ok: false, reason: "minute" });
      expect(await s.usage()).toEqual([{ day: "2026-11-28", owner: "A", jobs: 1, images: 0, failures: 0, uploads: 0 }]);
      // A and B were served; the order continues with the one served longest ago.
      await s.enqueue(newJob("c2", "C"), 10);
      expect(await s.queuePosition("c2")).toBe(1);
      expect(await drain(s)).toEqual(["c2", "a2", "b2"]);
    });

    test("the shared output-signing key: the first candidate is stored and kept across a restart", async () => {
      const s = await create();
      expect(s.sharedSigningKey).toBeDefined();
      const first = Buffer.alloc(32, 7);
      expect((await s.sharedSigningKey!(first)).equals(first)).toBe(true);
      expect((await s.sharedSigningKey!(Buffer.alloc(32, 9))).equals(first)).toBe(true);
      const r = await reopen(s);
      expect((await r.sharedSigningKey!(Buffer.alloc(32, 9))).equals(first)).toBe(true);
    });

    if (harness.sibling) {
      const sibling = harness.sibling;
      test("instances on the same data share one output-signing key, whoever offers first", async () => {
        const a = await create();
        const b = await sibling(a);
        const c = await sibling(a);
        open.push(b, c);
        const keys = await Promise.all([a, b, c].map((s, i) => s.sharedSigningKey!(Buffer.alloc(32, i + 1))));
        expect(keys.every((k) => k.equals(keys[0]))).toBe(true);
        expect([1, 2, 3].map((i) => Buffer.alloc(32, i).toString("hex"))).toContain(keys[0].toString("hex"));
      });

      test("instances on the same data see one queue, one pace, one pause", async () => {
        const a = await create();
        const b = await sibling(a);
        open.push(b);
        await a.enqueue(newJob("a1", "A"), 10);
        await b.enqueue(newJob("b1", "B"), 10);
        expect(await b.queuePosition("a1")).toBe(1);
        expect((await b.claimNext("inst-b", 30_000, T0))!.id).toBe("a1");
        expect((await a.claimNext("inst-a", 30_000, T0))!.id).toBe("b1");
        expect(await a.markSubmitted("a1", "inst-a", "x", T0)).toBe(false);
        expect(await b.markSubmitted("a1", "inst-b", "up-a1", T0)).toBe(true);
        expect(await a.getJob("a1")).toMatchObject({ state: "submitted", providerJobId: "up-a1" });
        await b.pauseUntil(T0 + 1000);
        expect(await a.tryTakeRateToken(T0, { perMinute: 4, perDay: 100 })).toMatchObject({ ok: false, reason: "paused" });
        const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).tryTakeRateToken(T0 + 1000, { perMinute: 4, perDay: 100 })));
        expect(takes.filter((t) => t.ok)).toHaveLength(4);
        expect(await a.tryBeginStatusPoll("a1", T0, 1000)).toBe(true);
        expect(await b.tryBeginStatusPoll("a1", T0 + 10, 1000)).toBe(false);
      });
    }
  });
}
