// The playground's top bar: open an image or a sample, undo/redo, export the composite as PNG.

import { useRef } from "react";
import { SAMPLES } from "../doc/images";
import type { Theme } from "../../common/protocol";

export interface ToolbarProps {
  onOpenFile: (file: File) => void;
  onOpenSample: (id: string) => void;
  onUndo: () => void;
  onRedo: () => void;
  onExport: () => void;
  canUndo: boolean;
  canRedo: boolean;
  hasDocument: boolean;
  engine: string;
  theme: Theme;
  onTheme: (t: Theme) => void;
}

export function Toolbar(p: ToolbarProps) {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <header className="pg-bar">
      <strong className="pg-title">Infill playground</strong>
      <span className="pg-engine" data-testid="engine-badge">
        {p.engine}
      </span>
      <span className="pg-spacer" />
      <button type="button" onClick={() => fileRef.current?.click()}>
        Open image…
      </button>
      <input
        ref={fileRef}
        type="file"
        accept="image/*"
        hidden
        data-testid="open-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) p.onOpenFile(f);
          e.target.value = "";
        }}
      />
      <label className="pg-field">
        Sample
        <select aria-label="Open a sample" value="" data-testid="open-sample" onChange={(e) => e.target.value && p.onOpenSample(e.target.value)}>
          <option value="">Open a sample…</option>
          {SAMPLES.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title} ({s.width} × {s.height})
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={p.onUndo} disabled={!p.canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
        Undo
      </button>
      <button type="button" onClick={p.onRedo} disabled={!p.canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
        Redo
      </button>
      <label className="pg-field">
        Interface
        <select
          aria-label="Interface brightness (the panel follows it)"
          value={p.theme}
          data-testid="theme"
          onChange={(e) => p.onTheme(e.target.value as Theme)}
        >
          <option value="darkest">Darkest</option>
          <option value="dark">Dark</option>
          <option value="light">Light</option>
          <option value="lightest">Lightest</option>
        </select>
      </label>
      <button type="button" onClick={p.onExport} disabled={!p.hasDocument} data-testid="export">
        Export PNG
      </button>
    </header>
  );
}
