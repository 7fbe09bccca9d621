// A job's variations: thumbnail (click = make visible) with its seed under it, and on each placed one
// More like this (a similar job from that variation, which stays as it is).

import { useState } from "react";
import { ActionButton, Flex, Text } from "@adobe/react-spectrum";
import type { JobState } from "../../common/jobs";
import { VariationCount } from "../controls/VariationCount";
import { clampVariations, placedVariations } from "../model/similar";

export interface VariationsProps {
  job: JobState;
  select: (index: number) => void;
  moreLike: (index: number, numVariations: number) => void;
}

export function Variations({ job, select, moreLike }: VariationsProps) {
  const [count, setCount] = useState(clampVariations(job.params.numVariations));
  const placed = placedVariations(job);
  const isPlaced = (index: number) => placed.some((v) => v.index === index);
  return (
    <Flex direction="column" gap="size-75">
      <div role="group" aria-label="Variations" className="infill-thumbs">
        {job.variations.map((v) => (
          <Flex key={v.index} direction="column" alignItems="center" gap="size-50" data-testid={`variation-box-${v.index}`}>
            <button
              type="button"
              className={v.visible ? "infill-thumb infill-thumb--on" : "infill-thumb"}
              aria-pressed={!!v.visible}
              aria-label={`Variation ${v.index + 1}${v.visible ? " (visible)" : ""}, seed ${v.seed}`}
              disabled={!isPlaced(v.index)}
              title={isPlaced(v.index) ? `Show variation ${v.index + 1}` : "Place the results first"}
              onClick={() => select(v.index)}
              data-testid={`variation-${v.index}`}
            >
              {v.thumbnail ? <img src={v.thumbnail} alt="" /> : <span>{v.index + 1}</span>}
            </button>
            <Text UNSAFE_className="infill-detail" data-testid={`variation-seed-${v.index}`}>
              Seed {v.seed}
            </Text>
            {isPlaced(v.index) && (
              <ActionButton
                isQuiet
                onPress={() => moreLike(v.index, count)}
                data-testid={`more-like-${v.index}`}
                aria-label={`More like this: ${count} like variation ${v.index + 1} (seed ${v.seed})`}
              >
                More like this
              </ActionButton>
            )}
          </Flex>
        ))}
      </div>
      {placed.length > 0 && <VariationCount label="How many more" value={count} onChange={setCount} testId="more-like-count" />}
    </Flex>
  );
}
