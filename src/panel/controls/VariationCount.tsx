// A variation count (1–4) on its own, for actions that take no seed.

import { NumberField } from "@adobe/react-spectrum";
import { MAX_VARIATIONS } from "../model/limits";
import { clampVariations } from "../model/similar";

export function VariationCount({ label, value, onChange, testId }: { label: string; value: number; onChange: (n: number) => void; testId?: string }) {
  return (
    <NumberField
      label={label}
      description={`1 to ${MAX_VARIATIONS}, each a layer`}
      minValue={1}
      maxValue={MAX_VARIATIONS}
      step={1}
      value={value}
      onChange={(v) => onChange(clampVariations(v))}
      width="size-1600"
      data-testid={testId}
    />
  );
}
