// Connects the panel iframe to the real host controller: the controller runs in this page against the
// simulated host, with the IndexedDB result store and localStorage settings, and talks to the panel
// over the window.uxpHost stand-in exactly as it talks to the webview in Photoshop.

import type { MessagePort, Theme } from "../../common/protocol";
import { createHostController, type HostController } from "../../plugin/controller";
import type { SettingsService } from "../../plugin/settings";
import type { ResultStore } from "../../plugin/store";
import type { SimHost } from "../sim";
import { installUxpHostStandIn } from "../bridge/uxpHostStandIn";

export interface PanelConnectionOptions {
  host: SimHost;
  store: ResultStore;
  settings: SettingsService;
  theme: { current(): Theme; subscribe(l: (t: Theme) => void): () => void };
  version: string;
  /** Every connected controller, for the page's test hook. */
  onController?: (c: HostController | null) => void;
}

export function panelConnector(o: PanelConnectionOptions): (iframe: HTMLIFrameElement) => () => void {
  return (iframe) => {
    const listeners = new Set<(raw: unknown) => void>();
    const standIn = installUxpHostStandIn(iframe, (raw) => {
      for (const l of [...listeners]) l(raw);
    });
    const port: MessagePort = {
      post: (m) => standIn.post(m),
      onMessage(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const controller = createHostController({
      port,
      host: o.host,
      store: o.store,
      settings: o.settings,
      theme: o.theme,
      info: {
        pluginVersion: o.version,
        hostApp: "playground",
        hostVersion: navigator.userAgent.replace(/^.*(Chrom\w*\/[\d.]+|Firefox\/[\d.]+|Version\/[\d.]+).*$/, "$1"),
      },
      pollMs: 0,
    });
    controller.start();
    o.onController?.(controller);
    return () => {
      controller.dispose();
      standIn.dispose();
      o.onController?.(null);
    };
  };
}
