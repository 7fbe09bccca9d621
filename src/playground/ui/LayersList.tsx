// The layers of the active document, top-most first: visibility toggles (a history step each, as in
// Photoshop), group nesting, and a mask thumbnail for masked layers.

import { useEffect, useRef } from "react";
import type { SimLayer } from "../sim";

function MaskThumb({ layer, docSize }: { layer: SimLayer; docSize: { width: number; height: number } }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const m = layer.mask;
    if (!c || !m) return;
    const ctx = c.getContext("2d")!;
    const s = Math.min(c.width / docSize.width, c.height / docSize.height);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, c.width, c.height);
    const img = ctx.createImageData(m.width, m.height);
    for (let i = 0; i < m.data.length; i++) {
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = m.data[i];
      img.data[i * 4 + 3] = 255;
    }
    const tmp = document.createElement("canvas");
    tmp.width = m.width;
    tmp.height = m.height;
    tmp.getContext("2d")!.putImageData(img, 0, 0);
    ctx.drawImage(tmp, m.left * s, m.top * s, m.width * s, m.height * s);
  }, [layer.mask, docSize.width, docSize.height]);
  return <canvas ref={ref} width={36} height={28} className="pg-mask" title="Layer mask" aria-label="Layer mask" />;
}

export interface LayersListProps {
  layers: SimLayer[];
  docSize: { width: number; height: number };
  onToggle: (layer: SimLayer) => void;
}

export function LayersList({ layers, docSize, onToggle }: LayersListProps) {
  const depth = (l: SimLayer): number => {
    let d = 0;
    let p = l.parentId;
    while (p !== null) {
      d++;
      p = layers.find((x) => x.id === p)?.parentId ?? null;
    }
    return d;
  };
  return (
    <ul className="pg-layers" data-testid="layers" aria-label="Layers">
      {layers.map((l) => (
        <li
          key={l.id}
          className={l.visible ? "pg-layer" : "pg-layer pg-layer--hidden"}
          style={{ paddingLeft: 6 + depth(l) * 14 }}
          data-testid="layer"
          data-layer-id={l.id}
          data-visible={l.visible}
        >
          <button type="button" className="pg-eye" aria-pressed={l.visible} aria-label={`${l.visible ? "Hide" : "Show"} ${l.name}`} onClick={() => onToggle(l)}>
            <svg width="16" height="12" viewBox="0 0 16 12" aria-hidden="true">
              {l.visible ? (
                <>
                  <path d="M1 6 C4 1, 12 1, 15 6 C12 11, 4 11, 1 6 Z" fill="none" stroke="currentColor" strokeWidth="1.4" />
                  <circle cx="8" cy="6" r="2.3" fill="currentColor" />
                </>
              ) : (
                <rect x="2" y="5" width="12" height="2" fill="currentColor" opacity="0.5" />
              )}
            </svg>
          </button>
          <span className="pg-layer-kind" aria-hidden>
            {l.kind === "group" ? "▸" : "▪"}
          </span>
          <span className="pg-layer-name">{l.name}</span>
          {l.mask && <MaskThumb layer={l} docSize={docSize} />}
        </li>
      ))}
    </ul>
  );
}
