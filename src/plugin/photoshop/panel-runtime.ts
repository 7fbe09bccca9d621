// What the panel runs once UXP has shown it: the host controller wired to Photoshop, UXP storage and
// the webview bridge. Loaded lazily by startup.ts, so nothing here runs before entrypoints.setup.

import { config as zodConfig } from "zod";
import { host as uxpHost, storage, versions } from "uxp";
import { createHostController, type HostController } from "../controller";
import type { MessagePort } from "../../common/protocol";
import { createUxpThemeSource, type ThemeDocumentLike } from "../bridge";
import { createSettingsService } from "../settings";
import { decodeUtf8 } from "../settings/utf8";
import { createPhotoshopHost, selectionBoundsOf } from "./host";
import { platform, release } from "os";
import { runHostCheck } from "../hostcheck";
import { readClipboardText } from "./clipboard";
import { createHostCheckHost, createRuntimeEnv, saveHostCheckReport } from "./hostcheck-host";
import { log, messageShapes } from "./startup";
import { DataFolderPrefsStore, DataFolderResultStore, UxpSecretStore } from "./uxp-storage";

/** The address the broker binds by default (never dependent on how `localhost` resolves). */
export const DEFAULT_BROKER_URL = "http://127.0.0.1:8765";

/** The manifest's network origins: the only brokers this build may reach. */
async function manifestOrigins(): Promise<string[]> {
  const folder = await storage.localFileSystem.getPluginFolder();
  const file = (await folder.getEntry("manifest.json")) as unknown as { read(o: { format: unknown }): Promise<string | ArrayBuffer> };
  const raw = await file.read({ format: storage.formats.utf8 });
  const text = typeof raw === "string" ? raw : (decodeUtf8(new Uint8Array(raw)) ?? "");
  const domains = (JSON.parse(text) as { requiredPermissions?: { network?: { domains?: unknown } } }).requiredPermissions?.network?.domains;
  return Array.isArray(domains) ? domains.filter((d): d is string => typeof d === "string" && /^https?:\/\//.test(d)) : [];
}

function readCssVar(name: string): string {
  try {
    return getComputedStyle(document.documentElement).getPropertyValue(name);
  } catch {
    return "";
  }
}

function osVersion(): string {
  try {
    return `${platform()} ${release()}`;
  } catch {
    return "unknown";
  }
}

export interface PanelRuntime {
  /** Starts the controller on the webview's port (once; again after stop). */
  start(port: MessagePort): void;
  stop(): void;
}

export function createPanelRuntime(): PanelRuntime {
  // UXP forbids code generation from strings (no allowCodeGenerationFromStrings in the manifest):
  // keep zod on its interpreted path instead of probing `new Function`.
  zodConfig({ jitless: true });
  let controller: HostController | null = null;
  return {
    start(port) {
      if (controller) return;
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
        readClipboard: () => readClipboardText(),
        async hostCheck() {
          const env = createRuntimeEnv(globalThis as unknown as Record<string, unknown>, messageShapes, `${(await settings.view()).brokerUrl}/health`);
          const report = await runHostCheck(createHostCheckHost(osVersion), env);
          let savedAs: string | undefined;
          try {
            savedAs = await saveHostCheckReport(report);
          } catch (e) {
            log(`host check report not saved (${e instanceof Error ? e.name : "error"})`);
          }
          return { report, savedAs };
        },
      });
      controller.start();
    },
    stop() {
      controller?.dispose();
      controller = null;
    },
  };
}
