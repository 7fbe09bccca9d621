// Small shared pieces of the store tests: a fixed start time, job factory, drain, a seeded PRNG.

import type { JobQueue, NewJob } from "../../src/broker/store/store";

export const T0 = 1_764_300_000_000;
export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;

export function newJob(id: string, owner: string, at = T0, request: unknown = { prompt: `job ${id}` }): NewJob {
  return { id, owner, endpoint: "fill", request, createdAt: at };
}

/** Claim everything, returning ids in claim order. */
export async function drain(store: JobQueue, claimant = "c", now = T0): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const j = await store.claimNext(claimant, 30_000, now);
    if (!j) return out;
    out.push(j.id);
  }
}

/** A small deterministic PRNG (mulberry32), the one the imaging tests use. */
export { rng as prng } from "../core/helpers/images";
