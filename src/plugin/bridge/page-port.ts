// Page side of the bridge, for the panel inside the webview (and the playground's iframe):
// commands go out through window.uxpHost.postMessage, events arrive as `message` events on window.
// UXP defines uxpHost before the page runs; the playground may install its stand-in a moment later,
// so messages posted before it exists wait, in order.

import { decodeEvent, makeCommand, type CommandBody, type MessagePort, type ProtocolEvent } from "../../common/protocol";

interface UxpHostLike {
  postMessage(message: unknown): void;
}

export interface PageWindowLike {
  uxpHost?: UxpHostLike;
  addEventListener(type: "message", listener: (e: { data?: unknown }) => void): void;
  removeEventListener(type: "message", listener: (e: { data?: unknown }) => void): void;
  setTimeout(fn: () => void, ms: number): unknown;
}

export function createPagePort(win: PageWindowLike): MessagePort {
  const pending: unknown[] = [];
  let waiting = false;
  const flush = () => {
    waiting = false;
    const host = win.uxpHost;
    if (!host) {
      waiting = true;
      win.setTimeout(flush, 25);
      return;
    }
    while (pending.length) host.postMessage(pending.shift()!);
  };
  return {
    post(message) {
      // A plain object, as documented: UXP serialises it once.
      pending.push(message);
      if (!waiting) flush();
    },
    onMessage(listener) {
      const handler = (e: { data?: unknown }) => listener(e.data);
      win.addEventListener("message", handler);
      return () => win.removeEventListener("message", handler);
    },
  };
}

let counter = 0;

/** A small typed client over a port: commands with generated ids, checked events. */
export function createPanelClient(port: MessagePort) {
  return {
    /** Sends a command; returns its id (events answering it carry it as `replyTo`). */
    send(body: CommandBody): string {
      const id = body.id ?? `c${Date.now().toString(36)}-${++counter}`;
      port.post(makeCommand({ ...body, id } as CommandBody));
      return id;
    },
    /** Valid host events only; anything else that arrives on the window is dropped. */
    onEvent(listener: (event: ProtocolEvent) => void, onInvalid?: (reason: string) => void): () => void {
      return port.onMessage((raw) => {
        const d = decodeEvent(raw);
        if (d.ok) listener(d.message);
        else if (d.error.code !== "not_ours") onInvalid?.(`${d.error.code}: ${d.error.detail ?? d.error.message}`);
      });
    },
  };
}
