// The playground's stand-in for UXP's webview message bridge.
//   page → plugin: the panel calls window.uxpHost.postMessage(msg) inside the iframe; we hand msg to `onCommand`.
//   plugin → page: `post(msg)` delivers a `message` event to the iframe's window, as webview.postMessage does.
// Messages cross as JSON strings, like the real bridge (no transfer, no pixels).

export interface StandIn {
  /** Sends one host message to the panel. */
  post(message: unknown): void;
  /** Removes the stand-in. */
  dispose(): void;
}

export function installUxpHostStandIn(iframe: HTMLIFrameElement, onCommand: (raw: string) => void): StandIn {
  const install = () => {
    const win = iframe.contentWindow as (Window & { uxpHost?: unknown }) | null;
    if (!win) return;
    win.uxpHost = {
      postMessage(message: unknown) {
        const raw = typeof message === "string" ? message : JSON.stringify(message);
        // Asynchronous like the real bridge: the panel never sees a reply inside its own call.
        setTimeout(() => onCommand(raw), 0);
      },
    };
  };
  // Install as early as the iframe's document exists, and again after every (re)load of the panel.
  install();
  const onLoad = () => install();
  iframe.addEventListener("load", onLoad);
  const timer = setInterval(() => {
    const win = iframe.contentWindow as (Window & { uxpHost?: unknown }) | null;
    if (win && !win.uxpHost) install();
  }, 20);
  return {
    post(message) {
      const raw = typeof message === "string" ? message : JSON.stringify(message);
      iframe.contentWindow?.postMessage(raw, window.location.origin === "null" ? "*" : window.location.origin);
    },
    dispose() {
      clearInterval(timer);
      iframe.removeEventListener("load", onLoad);
    },
  };
}
