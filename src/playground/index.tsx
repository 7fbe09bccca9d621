// Playground entry: the simulated Photoshop, the real host controller, and the panel in an iframe.
import { createRoot } from "react-dom/client";
import { SimHost } from "./sim";
import { PlaygroundApp } from "./ui/PlaygroundApp";
import { createSettingsService, BROKER_KEY_NAME } from "../plugin/settings";
import { MemoryResultStore, type ResultStore } from "../plugin/store";
import type { HostController } from "../plugin/controller";
import { IdbResultStore } from "./store/idbResultStore";
import { LocalPrefsStore, LocalSecretStore } from "./host/localStores";
import { panelConnector } from "./host/connectPanel";
import { readEngine, takeKeyFromFragment } from "./host/pairing";
import { createThemeSource } from "./host/theme";

async function boot() {
  const host = new SimHost();
  const secrets = new LocalSecretStore();
  const key = takeKeyFromFragment();
  if (key) await secrets.set(BROKER_KEY_NAME, key);
  const settings = createSettingsService({ secrets, prefs: new LocalPrefsStore(), defaultBrokerUrl: window.location.origin });
  let store: ResultStore;
  let storeNote: string | null = null;
  try {
    store = await IdbResultStore.open();
  } catch (e) {
    store = new MemoryResultStore();
    storeNote = `IndexedDB is unavailable (${e instanceof Error ? e.message : e}): job history will not survive a reload.`;
  }
  const theme = createThemeSource("dark");
  const engine = await readEngine();
  const hook: { host: SimHost; controller: HostController | null; theme: typeof theme; store: ResultStore } = { host, controller: null, theme, store };
  (window as unknown as { __infill: typeof hook }).__infill = hook;
  const connect = panelConnector({ host, store, settings, theme, version: "0.1.0", onController: (c) => (hook.controller = c) });
  const notices = [engine.notice, storeNote].filter(Boolean).join(" ");
  createRoot(document.getElementById("root")!).render(
    <PlaygroundApp host={host} connectPanel={connect} engineLabel={engine.label} notice={notices || null} theme={theme} />,
  );
}

void boot();
