// Store conformance, part two: claims as leases. A claim expires at `leaseUntil`; the claimant
// marks the job as sending right before the submit goes out; an expired claim is taken over —
// back to the queue when it was never marked (provably not sent), failed when it was (it may
// have reached upstream, so it is never resent). Called from describeJobQueueConformance.

import type { JobQueue } from "../../src/broker/store/store";
import { DAY, T0, drain, newJob } from "./fixtures";

const INTERRUPTED = { status: 503, body: { error_code: "submit_interrupted" } };

export function describeLeaseConformance(create: () => Promise<JobQueue>, sibling?: (s: JobQueue) => Promise<JobQueue>): void {
  test("a claim is a lease: submitting, owned by the claimant, expired at leaseUntil", async () => {
    const s = await create();
    await s.enqueue(newJob("j1", "A"), 10);
    const c = await s.claimNext("inst-1", 30_000, T0 + 5);
    expect(c).toMatchObject({ id: "j1", state: "submitting", claimedBy: "inst-1", leaseUntil: T0 + 30_005, updatedAt: T0 + 5 });
    expect(await s.getJob("j1")).toMatchObject({ state: "submitting", claimedBy: "inst-1", leaseUntil: T0 + 30_005 });
    expect(await s.queuePosition("j1")).toBeUndefined();
    expect(await s.expiredClaims(T0 + 30_004)).toEqual([]);
    const expired = await s.expiredClaims(T0 + 30_005);
    expect(expired.map((j) => j.id)).toEqual(["j1"]);
    expect(expired[0]).toMatchObject({ state: "submitting", claimedBy: "inst-1" });
    // Only the claimant may complete the claim.
    expect(await s.markSubmitted("j1", "inst-2", "up-1", T0 + 10)).toBe(false);
    expect(await s.markSubmitted("j1", "inst-1", "up-1", T0 + 10)).toBe(true);
    expect(await s.markSubmitted("j1", "inst-1", "up-2", T0 + 11)).toBe(false);
    const j = (await s.getJob("j1"))!;
    expect(j).toMatchObject({ state: "submitted", providerJobId: "up-1", submitAttempts: 1, updatedAt: T0 + 10 });
    expect(j.claimedBy).toBeUndefined();
    expect(j.leaseUntil).toBeUndefined();
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
    expect((await s.queueStats()).submitting).toBe(0);
  });

  test("an expired claim is taken over exactly once, and the late claimant is refused", async () => {
    const s = await create();
    await s.enqueue(newJob("j1", "A"), 10);
    await s.claimNext("dead", 1_000, T0);
    const [stale] = await s.expiredClaims(T0 + 1_000);
    // The survivor resolves it (the broker fails interrupted submits: never resend blindly).
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => s.finish(stale.id, { state: "failed", error: { status: 503, body: { error_code: "submit_interrupted" } } }, T0 + 1_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.markSubmitted("j1", "dead", "up-late", T0 + 2_000)).toBe(false);
    expect(await s.requeue("j1", "dead", T0 + 2_000)).toBe(false);
    expect(await s.getJob("j1")).toMatchObject({ state: "failed", error: { status: 503, body: { error_code: "submit_interrupted" } } });
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
  });

  test("markSending: only the claimant, only while its lease holds, only once; requeue clears it", async () => {
    const s = await create();
    await s.enqueue(newJob("j1", "A"), 10);
    await s.claimNext("inst-1", 1_000, T0);
    expect(await s.markSending("j1", "inst-2", T0 + 1)).toBe(false);
    expect(await s.markSending("nope", "inst-1", T0 + 1)).toBe(false);
    expect(await s.markSending("j1", "inst-1", T0 + 1_000)).toBe(false); // the lease is over
    expect((await s.getJob("j1"))!.sendingAt).toBeUndefined();
    expect(await s.markSending("j1", "inst-1", T0 + 999)).toBe(true);
    expect(await s.getJob("j1")).toMatchObject({ state: "submitting", claimedBy: "inst-1", sendingAt: T0 + 999 });
    expect(await s.markSending("j1", "inst-1", T0 + 999)).toBe(false); // never twice in one claim
    // Provably not sent (connection refused): back in the queue, unmarked; a new claim may mark again.
    expect(await s.requeue("j1", "inst-1", T0 + 999)).toBe(true);
    expect((await s.getJob("j1"))!.sendingAt).toBeUndefined();
    expect(await s.markSending("j1", "inst-1", T0 + 999)).toBe(false); // queued, not claimed
    await s.claimNext("inst-1", 1_000, T0 + 2_000);
    expect(await s.markSending("j1", "inst-1", T0 + 2_001)).toBe(true);
    expect(await s.markSubmitted("j1", "inst-1", "up-1", T0 + 2_002)).toBe(true);
    const j = (await s.getJob("j1"))!;
    expect(j).toMatchObject({ state: "submitted", submitAttempts: 1 });
    expect(j.sendingAt).toBeUndefined();
    expect(await s.markSending("j1", "inst-1", T0 + 2_003)).toBe(false);
  });

  test("an expired claim never marked as sending goes back to the queue, first in its owner's line; the old claimant is refused", async () => {
    const s = await create();
    for (const [id, owner] of [
      ["a1", "A"],
      ["a2", "A"],
      ["b1", "B"],
    ])
      await s.enqueue(newJob(id, owner), 10);
    const c = await s.claimNext("dead", 1_000, T0);
    expect(c!.id).toBe("a1");
    expect(await s.takeOverExpired("a1", T0 + 999, INTERRUPTED)).toBeUndefined(); // still held
    expect(await s.getJob("a1")).toMatchObject({ state: "submitting", claimedBy: "dead" });
    expect(await s.takeOverExpired("a1", T0 + 1_000, INTERRUPTED)).toBe("requeued");
    expect(await s.takeOverExpired("a1", T0 + 1_000, INTERRUPTED)).toBeUndefined(); // once
    const j = (await s.getJob("a1"))!;
    expect(j).toMatchObject({ state: "queued", seq: c!.seq, updatedAt: T0 + 1_000, submitAttempts: 0 });
    expect(j.claimedBy).toBeUndefined();
    expect(j.leaseUntil).toBeUndefined();
    expect(j.error).toBeUndefined();
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
    expect(await s.queueStats()).toMatchObject({ depth: 3, submitting: 0 });
    // The claimant that stalled past its lease can neither send nor settle it now.
    expect(await s.markSending("a1", "dead", T0 + 1_001)).toBe(false);
    expect(await s.markSubmitted("a1", "dead", "up-late", T0 + 1_001)).toBe(false);
    expect(await s.requeue("a1", "dead", T0 + 1_001)).toBe(false);
    // A was served last, so B goes next; then A's job, before a2.
    expect(await s.queuePosition("a1")).toBe(2);
    expect(await drain(s, "survivor", T0 + 2_000)).toEqual(["b1", "a1", "a2"]);
    expect(await s.markSending("a1", "survivor", T0 + 2_001)).toBe(true);
    expect(await s.markSubmitted("a1", "survivor", "up-1", T0 + 2_002)).toBe(true);
  });

  test("an expired claim marked as sending is failed as interrupted, exactly once, never requeued", async () => {
    const s = await create();
    await s.enqueue(newJob("j1", "A"), 10);
    await s.claimNext("dead", 1_000, T0);
    expect(await s.markSending("j1", "dead", T0 + 10)).toBe(true);
    const results = await Promise.all([0, 1, 2, 3].map(() => s.takeOverExpired("j1", T0 + 1_000, INTERRUPTED)));
    expect(results.filter((r) => r !== undefined)).toEqual(["failed"]);
    const j = (await s.getJob("j1"))!;
    expect(j).toMatchObject({ state: "failed", error: INTERRUPTED, updatedAt: T0 + 1_000, submitAttempts: 0 });
    expect(j.claimedBy).toBeUndefined();
    expect(j.sendingAt).toBeUndefined();
    expect(await s.markSubmitted("j1", "dead", "up-late", T0 + 2_000)).toBe(false);
    expect(await s.queueStats()).toEqual({ depth: 0, submitting: 0, byOwner: {} });
    expect(await s.expiredClaims(T0 + DAY)).toEqual([]);
    expect(await s.finish("j1", { state: "cancelled" }, T0 + 3_000)).toBe(false);
  });

  test("taking over: a cancel asked during the claim wins over requeueing; live, queued and settled jobs are left alone", async () => {
    const s = await create();
    for (const id of ["c", "live", "sub", "q"]) await s.enqueue(newJob(id, id), 10);
    for (const lease of [1_000, 60_000, 1_000]) await s.claimNext("x", lease, T0); // c, live, sub
    expect(await s.requestCancel("c", T0 + 5)).toBe("submitting");
    expect(await s.markSubmitted("sub", "x", "up-1", T0 + 6)).toBe(true);
    expect(await s.takeOverExpired("c", T0 + 1_000, INTERRUPTED)).toBe("cancelled");
    expect(await s.getJob("c")).toMatchObject({ state: "cancelled", cancelRequested: true });
    for (const id of ["live", "sub", "q", "ghost"]) expect(await s.takeOverExpired(id, T0 + 2_000, INTERRUPTED)).toBeUndefined();
    expect(await s.getJob("live")).toMatchObject({ state: "submitting", claimedBy: "x" });
    expect(await s.getJob("sub")).toMatchObject({ state: "submitted" });
    expect(await s.getJob("q")).toMatchObject({ state: "queued" });
  });

  if (sibling) {
    test("instances racing to take over one expired claim: exactly one does it", async () => {
      const a = await create();
      const b = await sibling(a);
      const c = await sibling(a);
      await a.enqueue(newJob("j1", "A"), 10);
      await a.enqueue(newJob("j2", "A"), 10);
      await a.claimNext("dead", 1_000, T0);
      await a.claimNext("dead", 1_000, T0);
      expect(await a.markSending("j2", "dead", T0 + 1)).toBe(true);
      for (const id of ["j1", "j2"]) {
        const r = await Promise.all([a, b, c, a, b, c].map((s) => s.takeOverExpired(id, T0 + 1_000, INTERRUPTED)));
        expect(r.filter((x) => x !== undefined)).toEqual([id === "j1" ? "requeued" : "failed"]);
      }
      expect((await b.claimNext("survivor", 1_000, T0 + 2_000))!.id).toBe("j1");
    });
  }
}
