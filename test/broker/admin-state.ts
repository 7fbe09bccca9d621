// A known broker state for the admin overview's tests: on a broker paced at 10 submits a minute
// (manual clock), alice's first job is accepted upstream and keeps running, her second fails at
// submit (400), her third meets an upstream 429 (the queue pauses for 30 s); then alice queues
// two more and bob three. `expectOverview` checks an answer against that state.

import type { AdminOverview } from "../../src/common/admin-overview";
import type { FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, KEY_B, until, type TestBroker } from "./helpers";

export const ADMIN_STATE_ENV = { INFILL_RATE_PER_MINUTE: "10", INFILL_MAX_QUEUED_PER_KEY: "20" };

export interface AdminState {
  /** The virtual time of the 429. */
  pausedAt: number;
}

async function generate(b: TestBroker, key: string, prompt: string): Promise<string> {
  const r = await call(b.url, "POST", "/v3/images/generate-async", { key, body: { prompt } });
  expect(r.status).toBe(202);
  return r.json.jobId;
}

/** Build the state through `b` (any instance of the store), the clock standing still at `now`. */
export async function buildAdminState(b: TestBroker, ff: FakeFirefly, now: number): Promise<AdminState> {
  const state = async (id: string) => (await b.store.getJob(id))?.state;
  const running = await generate(b, KEY_A, "admin state: runs");
  await until(async () => (await state(running)) === "submitted", "the first job to be submitted");
  ff.inject({ route: "submit", status: 400, body: { error_code: "validation_error", message: "bad prompt" } });
  const failed = await generate(b, KEY_A, "admin state: fails");
  await until(async () => (await state(failed)) === "failed", "the second job to fail");
  ff.inject({ route: "submit", status: 429, headers: { "retry-after": "30" } });
  const paused = await generate(b, KEY_A, "admin state: meets a 429");
  await until(async () => (await b.store.pausedUntil()) > now && (await state(paused)) === "queued", "the 429 pause");
  for (let i = 0; i < 2; i++) await generate(b, KEY_A, `admin state: alice ${i}`);
  for (let i = 0; i < 3; i++) await generate(b, KEY_B, `admin state: bob ${i}`);
  return { pausedAt: now };
}

/**
 * The answer matches the state built by `buildAdminState`; `callsUpstream`: the answering instance
 * is the one that made the upstream calls (latency is each instance's own).
 */
export function expectOverview(o: AdminOverview, s: AdminState, storeKind: string, callsUpstream = true): void {
  expect(o).toMatchObject({
    now: s.pausedAt,
    mode: "firefly",
    store: { kind: storeKind },
    pace: { perMinute: 10, slotMs: 6_000 },
    pausedUntil: s.pausedAt + 30_000,
    // Three tokens taken: the accepted submit, the refused one and the one that met the 429.
    day: { used: 3, limit: 9000 },
    minute: { used: 3, limit: 10, windowMs: 60_000 },
    queue: { depth: 6, submitting: 0 },
  });
  expect(o.people).toEqual([
    { name: "alice", waiting: 3, running: 1, today: { jobs: 5, images: 0, failures: 1, uploads: 0 } },
    { name: "bob", waiting: 3, running: 0, today: { jobs: 3, images: 0, failures: 0, uploads: 0 } },
  ]);
  expect(o.failures).toEqual([{ at: s.pausedAt, person: "alice", endpoint: "generate", status: 400, code: "validation_error", category: "invalid_input" }]);
  // No prompt travels in the overview.
  expect(JSON.stringify(o)).not.toContain("admin state");
  if (!callsUpstream) return;
  // Upstream calls so far: the IMS token and Firefly's submits.
  const targets = Object.fromEntries(o.upstream.map((u) => [u.target, u]));
  expect(targets.firefly?.count).toBeGreaterThanOrEqual(3);
  expect(targets.ims?.count).toBeGreaterThanOrEqual(1);
  for (const u of o.upstream) expect(u.p50Ms).toBeLessThanOrEqual(u.maxMs);
}
