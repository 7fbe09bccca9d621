// Selection tool choice, feather amount, select all and deselect.

import type { SelectionTool } from "../doc/selectionShapes";

export interface SelectionToolsProps {
  tool: SelectionTool;
  onTool: (t: SelectionTool) => void;
  feather: number;
  onFeather: (n: number) => void;
  onSelectAll: () => void;
  onDeselect: () => void;
  disabled: boolean;
}

const TOOLS: { id: SelectionTool; label: string }[] = [
  { id: "rect", label: "Rectangle" },
  { id: "ellipse", label: "Ellipse" },
  { id: "lasso", label: "Lasso" },
];

export function SelectionTools(p: SelectionToolsProps) {
  return (
    <div className="pg-tools" role="toolbar" aria-label="Selection tools">
      {TOOLS.map((t) => (
        <button
          key={t.id}
          type="button"
          aria-pressed={p.tool === t.id}
          className={p.tool === t.id ? "on" : ""}
          onClick={() => p.onTool(t.id)}
          disabled={p.disabled}
          data-testid={`tool-${t.id}`}
        >
          {t.label}
        </button>
      ))}
      <label className="pg-field">
        Feather
        <input
          type="number"
          min={0}
          max={200}
          step={1}
          value={p.feather}
          data-testid="feather"
          onChange={(e) => p.onFeather(Math.max(0, Math.min(200, Number(e.target.value) || 0)))}
          disabled={p.disabled}
        />
        px
      </label>
      <button type="button" onClick={p.onSelectAll} disabled={p.disabled}>
        Select all
      </button>
      <button type="button" onClick={p.onDeselect} disabled={p.disabled} data-testid="deselect">
        Deselect
      </button>
    </div>
  );
}
