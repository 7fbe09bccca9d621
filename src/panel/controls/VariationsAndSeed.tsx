// Variation count (1–4) and seed: random each run, or fixed for repeatable results.

import { useState } from "react";
import { Flex, NumberField, Switch } from "@adobe/react-spectrum";
import { MAX_VARIATIONS, SEED_MAX } from "../model/limits";
import type { SeedChoice } from "../model/seeds";
export { seedsFor, type SeedChoice } from "../model/seeds";

export interface VariationsAndSeedProps {
  variations: number;
  onVariations: (n: number) => void;
  seed: SeedChoice;
  onSeed: (s: SeedChoice) => void;
  /** The most variations the mode makes (default MAX_VARIATIONS). */
  max?: number;
}

export function VariationsAndSeed({ variations, onVariations, seed, onSeed, max = MAX_VARIATIONS }: VariationsAndSeedProps) {
  return (
    <Flex direction="column" gap="size-75">
      <Flex direction="row" gap="size-200" alignItems="start" wrap>
        <NumberField
          label="Variations"
          description={`1 to ${max}, each a layer`}
          minValue={1}
          maxValue={max}
          step={1}
          value={variations}
          onChange={(v) => onVariations(Number.isFinite(v) ? Math.min(max, Math.max(1, Math.round(v))) : 1)}
          width="size-1600"
          data-testid="variations"
        />
        <NumberField
          label="Seed"
          description={seed.fixed ? "Same seed, same result" : "Random each run"}
          isDisabled={!seed.fixed}
          minValue={0}
          maxValue={SEED_MAX}
          step={1}
          formatOptions={{ useGrouping: false }}
          value={seed.seed}
          onChange={(v) => onSeed({ ...seed, seed: Number.isFinite(v) ? Math.round(v) : 0 })}
          width="size-2000"
        />
      </Flex>
      <Switch isSelected={seed.fixed} onChange={(fixed) => onSeed({ ...seed, fixed })} data-testid="seed-fixed">
        Fixed seed (repeatable results)
      </Switch>
    </Flex>
  );
}

/** The variation count: follows the settings' default until the user changes it in this tab. */
export function useVariations(defaultVariations: number): [number, (n: number) => void] {
  const [own, setOwn] = useState<number | null>(null);
  return [own ?? defaultVariations, setOwn];
}
