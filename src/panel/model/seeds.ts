// Seeds for a run: random each time, or fixed for repeatable results.

import { SEED_MAX } from "./limits";

export interface SeedChoice {
  fixed: boolean;
  seed: number;
}

/** Seeds for a run: consecutive from the fixed seed (so variations differ), or none (random). */
export function seedsFor(seed: SeedChoice, variations: number): number[] | undefined {
  if (!seed.fixed) return undefined;
  return Array.from({ length: variations }, (_, i) => (seed.seed + i) % (SEED_MAX + 1));
}
