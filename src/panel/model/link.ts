// The panel's only way to the host: protocol commands out, protocol events in.
// In the UXP webview (and the playground's iframe) commands go through `window.uxpHost.postMessage`
// and events arrive as `message` events on the window.

import type { CommandBody } from "../../common/protocol/commands";
import type { HostEvent } from "../../common/protocol/events";
import { PROTOCOL_NAME, PROTOCOL_VERSION } from "../../common/protocol/version";
import { decodeEvent } from "../../common/protocol/codec";

export interface PanelLink {
  /** Sends a command; returns its request id. */
  send(body: CommandBody): string;
  /** Listens to host events. Returns an unsubscribe. */
  subscribe(listener: (event: HostEvent) => void): () => void;
}

interface UxpHostLike {
  postMessage(message: unknown): void;
}

let counter = 0;
function nextId(): string {
  counter += 1;
  return `p${Date.now().toString(36)}-${counter}`;
}

/**
 * Checks one incoming message against the protocol: ours and valid → the event; ours but wrong
 * (another version, a malformed payload) → an error event the panel shows; not ours → null.
 */
export function parseEvent(data: unknown): HostEvent | null {
  const d = decodeEvent(data);
  if (d.ok) return d.message;
  return d.error.code === "not_ours" ? null : d.error;
}

/**
 * UXP defines window.uxpHost before the page runs. A browser host (the playground) may install its
 * stand-in a moment later, so commands sent before it exists wait in order and go out when it appears.
 */
export function windowLink(win: Window & { uxpHost?: UxpHostLike } = window): PanelLink {
  const pending: string[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  const flush = () => {
    const host = win.uxpHost;
    if (!host) return false;
    while (pending.length) host.postMessage(pending.shift()!);
    if (timer) clearInterval(timer);
    timer = null;
    return true;
  };
  return {
    send(body) {
      const id = body.id ?? nextId();
      pending.push(JSON.stringify({ protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...body, id }));
      if (!flush() && !timer) timer = setInterval(flush, 25);
      return id;
    },
    subscribe(listener) {
      const onMessage = (e: MessageEvent) => {
        const ev = parseEvent(e.data);
        if (ev) listener(ev);
      };
      win.addEventListener("message", onMessage);
      return () => win.removeEventListener("message", onMessage);
    },
  };
}
