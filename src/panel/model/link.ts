// The panel's only way to the host: protocol commands out, protocol events in, through the page
// side of the webview bridge (window.uxpHost.postMessage out, `message` events in). The same page
// runs in the UXP webview and in the playground's iframe.

import type { CommandBody } from "../../common/protocol/commands";
import type { ProtocolEvent } from "../../common/protocol/events";
import { decodeEvent, errorEvent } from "../../common/protocol/codec";
import { createPagePort, createPanelClient } from "../../plugin/bridge/page-port";

export interface PanelLink {
  /** Sends a command; returns its request id. */
  send(body: CommandBody): string;
  /** Listens to host events. Returns an unsubscribe. */
  subscribe(listener: (event: ProtocolEvent) => void): () => void;
}

/**
 * Checks one incoming message against the protocol: ours and valid → the event; ours but wrong
 * (another version, a malformed payload) → an error event the panel shows; not ours → null.
 */
export function parseEvent(data: unknown): ProtocolEvent | null {
  const d = decodeEvent(data);
  if (d.ok) return d.message;
  return d.error.code === "not_ours" ? null : d.error;
}

export function windowLink(win: Window = window): PanelLink {
  const client = createPanelClient(createPagePort(win as unknown as Parameters<typeof createPagePort>[0]));
  return {
    send: (body) => client.send(body),
    subscribe(listener) {
      return client.onEvent(listener, (reason) =>
        listener(
          errorEvent({
            category: "protocol",
            code: "invalid_event",
            message: "The panel received a message it does not understand.",
            hint: "Reload the panel; if it persists, the panel and plugin come from different versions.",
            detail: reason,
          }),
        ),
      );
    },
  };
}
