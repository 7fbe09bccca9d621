// The UXP panel shell: registers the panel with entrypoints.setup (once, at load), keeps the full-size
// <webview> that shows the panel UI, and wires the host controller to Photoshop, UXP storage and the
// webview bridge. `create` stays cheap (UXP gives panel handlers 300 ms); the rest runs after it.

import { entrypoints, host as uxpHost, storage, versions } from "uxp";
import { createHostController, type HostController } from "../controller";
import { bufferUntilListened, createUxpThemeSource, createWebviewPort, type ThemeDocumentLike, type WebviewLike } from "../bridge";
import { createSettingsService } from "../settings";
import { decodeUtf8 } from "../settings/utf8";
import { createPhotoshopHost, selectionBoundsOf } from "./host";
import { DataFolderPrefsStore, DataFolderResultStore, UxpSecretStore } from "./uxp-storage";

export const PANEL_ID = "infillPanel";
export const WEBVIEW_ID = "infill-ui";
export const WEBVIEW_SRC = "plugin:/ui/index.html";
export const DEFAULT_BROKER_URL = "http://localhost:8765";

const log = (line: string) => console.log(`[infill] ${line}`);

/** The manifest's network origins: the only brokers this build may reach. */
async function manifestOrigins(): Promise<string[]> {
  const folder = await storage.localFileSystem.getPluginFolder();
  const file = (await folder.getEntry("manifest.json")) as unknown as { read(o: { format: unknown }): Promise<string | ArrayBuffer> };
  const raw = await file.read({ format: storage.formats.utf8 });
  const text = typeof raw === "string" ? raw : decodeUtf8(new Uint8Array(raw)) ?? "";
  const domains = (JSON.parse(text) as { requiredPermissions?: { network?: { domains?: unknown } } }).requiredPermissions?.network?.domains;
  return Array.isArray(domains) ? domains.filter((d): d is string => typeof d === "string" && /^https?:\/\//.test(d)) : [];
}

/** The page's webview: the one in index.html, moved into the panel's root node, or a new one. */
function ensureWebview(root: HTMLElement | null): HTMLElement {
  let el = document.getElementById(WEBVIEW_ID);
  if (!el) {
    el = document.createElement("webview");
    el.id = WEBVIEW_ID;
    el.setAttribute("src", WEBVIEW_SRC);
  }
  el.setAttribute("width", "100%");
  el.setAttribute("height", "100%");
  el.style.width = "100%";
  el.style.height = "100%";
  el.style.border = "0";
  if (root && el.parentElement !== root) root.appendChild(el);
  if (root) {
    root.style.width = "100%";
    root.style.height = "100%";
    root.style.padding = "0";
    root.style.margin = "0";
  }
  return el;
}

function readCssVar(name: string): string {
  try {
    return getComputedStyle(document.documentElement).getPropertyValue(name);
  } catch {
    return "";
  }
}

let controller: HostController | null = null;

function startController(webview: HTMLElement): void {
  if (controller) return;
  const port = bufferUntilListened(createWebviewPort(webview as unknown as WebviewLike, window as unknown as Parameters<typeof createWebviewPort>[1], log));
  const settings = createSettingsService({
    secrets: new UxpSecretStore(),
    prefs: new DataFolderPrefsStore(),
    defaultBrokerUrl: DEFAULT_BROKER_URL,
    allowedOrigins: manifestOrigins,
  });
  let pluginVersion = "unknown";
  try {
    pluginVersion = versions.plugin;
  } catch {
    // older UXP: unknown
  }
  controller = createHostController({
    port,
    host: createPhotoshopHost(),
    store: new DataFolderResultStore(),
    settings,
    selectionBounds: selectionBoundsOf,
    theme: createUxpThemeSource(document as unknown as ThemeDocumentLike, readCssVar),
    info: { pluginVersion, hostApp: "photoshop", hostVersion: uxpHost?.version ?? "unknown" },
    log,
  });
  controller.start();
}

export function setupPanel(): void {
  // Called once, immediately at load (a late or second call can fail uncatchably).
  entrypoints.setup({
    panels: {
      [PANEL_ID]: {
        create(rootNode: HTMLElement) {
          startController(ensureWebview(rootNode));
        },
        show(rootNode: HTMLElement) {
          startController(ensureWebview(rootNode));
        },
        destroy() {
          controller?.dispose();
          controller = null;
        },
      },
    },
  });
}
