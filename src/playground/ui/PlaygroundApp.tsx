// The playground page: a simulated Photoshop document (tabs for several open documents, canvas,
// selection tools, layers, undo/redo, export) beside the real panel in an iframe.

import { useCallback, useEffect, useRef, useState } from "react";
import type { RGBAImage, SelectionMask } from "../../common/host";
import type { Theme } from "../../common/protocol";
import type { SimHost, SimLayer } from "../sim";
import { SAMPLES, decodeFile, download, renderSample } from "../doc/images";
import type { SelectionTool } from "../doc/selectionShapes";
import { DocumentView } from "./DocumentView";
import { LayersList } from "./LayersList";
import { SelectionTools } from "./SelectionTools";
import { Toolbar } from "./Toolbar";

export interface PlaygroundAppProps {
  host: SimHost;
  /** Connects the panel iframe to the host controller; returns a disconnect. */
  connectPanel: (iframe: HTMLIFrameElement) => () => void;
  engineLabel: string;
  /** Shown above the document when the engine or broker needs the user's attention. */
  notice?: string | null;
  /** Photoshop's interface brightness stand-in: the panel follows it. */
  theme?: { current(): Theme; set(t: Theme): void };
}

interface DocTab {
  id: number;
  title: string;
}

export function PlaygroundApp({ host, connectPanel, engineLabel, notice, theme }: PlaygroundAppProps) {
  const [themeName, setThemeName] = useState<Theme>(theme?.current() ?? "dark");
  const [docs, setDocs] = useState<DocTab[]>([]);
  const [active, setActive] = useState<number | null>(null);
  const [image, setImage] = useState<RGBAImage | null>(null);
  const [selection, setSelection] = useState<SelectionMask | null>(null);
  const [layers, setLayers] = useState<SimLayer[]>([]);
  const [history, setHistory] = useState<string[]>([]);
  const [tool, setTool] = useState<SelectionTool>("rect");
  const [feather, setFeather] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const iframeRef = useRef<HTMLIFrameElement>(null);
  // Steps that Redo can bring back on the active document (undos not yet redone; a new edit clears them).
  const redoable = useRef(new Map<number, { steps: number; len: number; redoing?: boolean }>());
  const [canRedo, setCanRedo] = useState(false);

  const refresh = useCallback(async () => {
    const all = await host.documents();
    setDocs(all.map((d) => ({ id: d.id, title: d.title })));
    const a = await host.activeDocument();
    setActive(a?.id ?? null);
    if (!a) {
      setImage(null);
      setSelection(null);
      setLayers([]);
      setHistory([]);
      return;
    }
    const state = host.stateOf(a.id);
    setLayers(state.layers);
    setSelection(state.selection ? { bounds: state.selection.bounds, mask: state.selection.mask } : null);
    const names = host.historyNames(a.id);
    const r = redoable.current.get(a.id) ?? { steps: 0, len: names.length };
    if (names.length > r.len && r.steps > 0 && !r.redoing) r.steps = 0; // a new edit after undo drops the redo steps
    r.len = names.length;
    r.redoing = false;
    redoable.current.set(a.id, r);
    setCanRedo(r.steps > 0);
    setHistory(names);
    setImage(await host.composite(a.id));
  }, [host]);

  useEffect(() => {
    const off = host.subscribe(() => void refresh());
    void refresh();
    return off;
  }, [host, refresh]);

  useEffect(() => {
    if (!iframeRef.current) return;
    return connectPanel(iframeRef.current);
  }, [connectPanel]);

  const openImage = (title: string, img: RGBAImage) => {
    host.createDocument({ title, width: img.width, height: img.height, pixels: img });
  };
  const undo = (docId: number) => {
    const r = redoable.current.get(docId);
    if (host.undo(docId)) {
      if (r) r.steps++;
    } else setMessage("Nothing to undo.");
  };
  const redo = (docId: number) => {
    const r = redoable.current.get(docId);
    if (r) r.redoing = true;
    if (host.redo(docId)) {
      if (r) r.steps = Math.max(0, r.steps - 1);
    } else {
      if (r) r.redoing = false;
      setMessage("Nothing to redo.");
    }
  };
  const act = (f: () => void) => {
    try {
      f();
      setMessage(null);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  const toggleLayer = (l: SimLayer) => {
    if (active === null) return;
    const s = host.stateOf(active);
    host
      .apply(active, {
        name: l.visible ? "Hide Layer" : "Show Layer",
        expectDocumentSize: { width: s.width, height: s.height },
        ops: [{ op: "setVisibility", layer: { id: l.id }, visible: !l.visible }],
      })
      .catch((e) => setMessage(e instanceof Error ? e.message : String(e)));
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (active === null || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z") return;
      if ((e.target as HTMLElement)?.tagName === "INPUT") return;
      e.preventDefault();
      act(() => (e.shiftKey ? redo(active) : undo(active)));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const activeDoc = docs.find((d) => d.id === active);
  const size = image ? { width: image.width, height: image.height } : { width: 1, height: 1 };

  return (
    <div className="pg">
      <Toolbar
        engine={engineLabel}
        theme={themeName}
        onTheme={(t) => {
          theme?.set(t);
          setThemeName(t);
        }}
        hasDocument={active !== null}
        canUndo={history.length > 1}
        canRedo={canRedo}
        onOpenFile={(f) =>
          decodeFile(f).then(
            (img) => openImage(f.name, img),
            (e) => setMessage(`Could not open ${f.name}: ${e instanceof Error ? e.message : e}`),
          )
        }
        onOpenSample={(id) => {
          const s = SAMPLES.find((x) => x.id === id);
          if (s) openImage(s.title, renderSample(s));
        }}
        onUndo={() => active !== null && act(() => undo(active))}
        onRedo={() => active !== null && act(() => redo(active))}
        onExport={() => {
          if (active === null || !activeDoc) return;
          const png = host.renderPng(active);
          download(new Blob([png.slice().buffer as ArrayBuffer], { type: "image/png" }), `${activeDoc.title.replace(/\.[a-z]+$/i, "")}-infill.png`);
        }}
      />
      {notice && (
        <div className="pg-notice" data-testid="pg-notice">
          {notice}
        </div>
      )}
      <div className="pg-main">
        <section className="pg-doc" aria-label="Document">
          <nav className="pg-tabs" aria-label="Open documents" role="tablist">
            {docs.map((d) => (
              <span key={d.id} className={d.id === active ? "pg-tab on" : "pg-tab"}>
                <button type="button" role="tab" aria-selected={d.id === active} onClick={() => act(() => host.activate(d.id))} data-testid="doc-tab">
                  {d.title}
                </button>
                <button type="button" className="pg-close" aria-label={`Close ${d.title}`} onClick={() => act(() => host.closeDocument(d.id))}>
                  ×
                </button>
              </span>
            ))}
          </nav>
          <SelectionTools
            tool={tool}
            onTool={setTool}
            feather={feather}
            onFeather={setFeather}
            disabled={active === null}
            onSelectAll={() => active !== null && act(() => host.setSelection(active, { left: 0, top: 0, right: size.width, bottom: size.height }))}
            onDeselect={() => active !== null && act(() => host.deselect(active))}
          />
          <div className="pg-stage">
            <DocumentView
              image={image}
              selection={selection}
              tool={tool}
              feather={feather}
              onSelect={(sel) => active !== null && act(() => (sel ? host.setSelection(active, sel.bounds, sel.mask) : host.deselect(active)))}
            />
          </div>
          <footer className="pg-status" data-testid="doc-status">
            {image && activeDoc
              ? `${activeDoc.title} · ${image.width} × ${image.height} px · ${selection ? `selection ${selection.bounds.right - selection.bounds.left} × ${selection.bounds.bottom - selection.bounds.top} at (${selection.bounds.left}, ${selection.bounds.top})` : "no selection"}`
              : "No document"}
            {message && (
              <span className="pg-msg" role="status">
                {" "}
                · {message}
              </span>
            )}
          </footer>
        </section>
        <aside className="pg-side" aria-label="Layers and history">
          <h2>Layers</h2>
          <LayersList layers={layers} docSize={size} onToggle={toggleLayer} />
          <h2>History</h2>
          <ol className="pg-history" data-testid="history">
            {history.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ol>
        </aside>
        <aside className="pg-panel" aria-label="Infill panel">
          <iframe ref={iframeRef} src="/ui/index.html" title="Infill panel" data-testid="panel-frame" />
        </aside>
      </div>
    </div>
  );
}
