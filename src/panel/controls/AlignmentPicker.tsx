// 3 × 3 alignment picker: where the original image sits inside the new canvas. Arrow keys move the choice.

import React from "react";
import type { Alignment } from "../../common/jobs";

const H = ["left", "center", "right"] as const;
const V = ["top", "center", "bottom"] as const;

export function alignmentName(a: Alignment): string {
  if (a.horizontal === "center" && a.vertical === "center") return "centre";
  const v = a.vertical === "center" ? "" : a.vertical;
  const h = a.horizontal === "center" ? "" : a.horizontal;
  return [v, h].filter(Boolean).join(" ");
}

export function AlignmentPicker({ value, onChange }: { value: Alignment; onChange: (a: Alignment) => void }) {
  const hi = H.indexOf(value.horizontal);
  const vi = V.indexOf(value.vertical);
  const onKeyDown = (e: React.KeyboardEvent) => {
    const d: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const m = d[e.key];
    if (!m) return;
    e.preventDefault();
    const h = H[Math.min(2, Math.max(0, hi + m[0]))];
    const v = V[Math.min(2, Math.max(0, vi + m[1]))];
    onChange({ horizontal: h, vertical: v });
    const next = (e.currentTarget as HTMLElement).querySelector<HTMLButtonElement>(`[data-cell="${v}-${h}"]`);
    next?.focus();
  };
  return (
    <div className="infill-align">
      <span className="infill-field-label" id="infill-align-label">
        Original sits at: {alignmentName(value)}
      </span>
      <div role="radiogroup" aria-labelledby="infill-align-label" className="infill-align-grid" onKeyDown={onKeyDown}>
        {V.map((v) =>
          H.map((h) => {
            const selected = value.horizontal === h && value.vertical === v;
            return (
              <button
                key={`${v}-${h}`}
                type="button"
                role="radio"
                aria-checked={selected}
                aria-label={`Original at ${alignmentName({ horizontal: h, vertical: v })}`}
                tabIndex={selected ? 0 : -1}
                data-cell={`${v}-${h}`}
                data-testid={`align-${v}-${h}`}
                className={selected ? "infill-align-cell infill-align-cell--on" : "infill-align-cell"}
                onClick={() => onChange({ horizontal: h, vertical: v })}
              />
            );
          }),
        )}
      </div>
    </div>
  );
}
