// The UXP panel shell: registers the panel with entrypoints.setup before anything else of the bundle
// runs (a late setup can throw uncatchably, PS-57605), leaves the page's <webview> where the markup
// puts it (moving the element can reload it) and sizes it with viewport units. The controller and
// everything it needs are loaded lazily, after `create` returns (UXP gives panel handlers 300 ms).

import { entrypoints } from "uxp";
import type { MessagePort } from "../../common/protocol";
import { bufferUntilListened, createWebviewPort, type MessageTargetLike, type WebviewLike } from "../bridge/webview-port";
import type { PanelRuntime } from "./panel-runtime";

export const PANEL_ID = "infillPanel";
export const WEBVIEW_ID = "infill-ui";
export const WEBVIEW_SRC = "plugin:/ui/index.html";

/** The page's webview, left where it is; one is created in the panel's root only when the markup has none. */
export function ensureWebview(root: HTMLElement | null): HTMLElement {
  let el = document.getElementById(WEBVIEW_ID);
  if (!el) {
    el = document.createElement("webview");
    el.id = WEBVIEW_ID;
    el.setAttribute("src", WEBVIEW_SRC);
    root?.appendChild(el);
  }
  el.style.width = "100vw";
  el.style.height = "100vh";
  el.style.border = "0";
  return el;
}

export const log = (line: string) => console.log(`[infill] ${line}`);

let runtime: Promise<PanelRuntime> | null = null;
let port: MessagePort | null = null;
const shapes = new Set<string>();

/** The shapes the page's messages arrived in so far (the host check reports them). */
export const messageShapes = (): string[] => [...shapes];

function start(rootNode: HTMLElement): void {
  const webview = ensureWebview(rootNode);
  // Listening starts now: the page's first messages wait here while the rest loads.
  port ??= bufferUntilListened(createWebviewPort(webview as unknown as WebviewLike, window as unknown as MessageTargetLike, log, (s) => shapes.add(s)));
  const ready = port;
  runtime ??= import("./panel-runtime").then((m) => m.createPanelRuntime());
  void runtime.then((r) => r.start(ready)).catch((e: unknown) => console.log(`[infill] panel did not start: ${e instanceof Error ? e.message : String(e)}`));
}

export function setupPanel(): void {
  entrypoints.setup({
    panels: {
      [PANEL_ID]: {
        create(rootNode: HTMLElement) {
          start(rootNode);
        },
        show(rootNode: HTMLElement) {
          start(rootNode);
        },
        destroy() {
          void runtime?.then((r) => r.stop());
        },
      },
    },
  });
}
