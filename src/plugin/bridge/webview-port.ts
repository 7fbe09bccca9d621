// UXP side of the webview message bridge (UXP 8.0+, manifest webview.enableMessageBridge).
//   plugin → page: webviewElement.postMessage(message)      (JSON-stringified and parsed by UXP)
//   page → plugin: the page calls window.uxpHost.postMessage(message); the plugin receives a `message`
//                  event on its window, with `source` = the webview element and `data` = the message.
// Some builds dispatch on the element itself with the payload in `message` instead of `data`, and a
// string payload may arrive JSON-encoded twice; so both targets are listened to, the payload is
// `data ?? message`, a string is decoded at most twice, and an event without a payload is dropped.
// An event is handled once (same event object, or a repeated command id). Whether `source` is the very element
// object we hold (or a wrapper of it) is not documented, so a message is only ignored when its source
// is plainly another element (a different id); the protocol decoder drops anything not ours anyway.

import type { MessagePort } from "../../common/protocol";

export interface MessageEventLike {
  data?: unknown;
  message?: unknown;
  source?: unknown;
  origin?: string;
}

export interface MessageTargetLike {
  addEventListener(type: "message", listener: (e: MessageEventLike) => void): void;
  removeEventListener(type: "message", listener: (e: MessageEventLike) => void): void;
}

export interface WebviewLike extends MessageTargetLike {
  postMessage(message: unknown, targetOrigin?: string): void;
  id?: string;
}

function fromOurWebview(source: unknown, webview: WebviewLike): boolean {
  if (source === undefined || source === null || source === webview) return true;
  const id = typeof source === "object" ? (source as { id?: unknown }).id : undefined;
  return !(typeof id === "string" && id !== "" && id !== webview.id);
}

const RECENT_IDS = 200;

/** Longest string payload decoded; a command is far smaller. */
const MAX_TEXT = 1 << 20;

/** The event's payload as a value: `data ?? message`, a string JSON-decoded at most twice; undefined when there is none. */
export function payloadOf(e: MessageEventLike): unknown {
  return readPayload(e).payload;
}

/** The payload and the shape it came in, e.g. "message, JSON twice" (the host check reports it). */
export function readPayload(e: MessageEventLike): { payload: unknown; shape: string } {
  const field = e.data !== undefined && e.data !== null ? "data" : "message";
  let v = e.data ?? e.message;
  let decoded = 0;
  for (; decoded < 2 && typeof v === "string"; decoded++) {
    if (v.length > MAX_TEXT) return { payload: undefined, shape: `${field}, too long` };
    try {
      v = JSON.parse(v);
    } catch {
      break;
    }
  }
  return { payload: v ?? undefined, shape: `${field}, ${["object", "JSON once", "JSON twice"][decoded]}` };
}

function commandId(v: unknown): string | null {
  const id = typeof v === "object" && v !== null ? (v as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : null;
}

export function createWebviewPort(webview: WebviewLike, win: MessageTargetLike, log?: (line: string) => void, onShape?: (shape: string) => void): MessagePort {
  return {
    post(message) {
      try {
        webview.postMessage(message);
      } catch (e) {
        // The page may not be loaded yet; it says hello when it is, and gets everything then.
        log?.(`webview not ready (${e instanceof Error ? e.name : "error"})`);
      }
    },
    onMessage(listener) {
      const seenEvents = new WeakSet<object>();
      const seenIds: string[] = [];
      const handler = (e: MessageEventLike) => {
        if (!e || typeof e !== "object") return;
        if (seenEvents.has(e)) return;
        seenEvents.add(e);
        if (!fromOurWebview(e.source, webview)) return;
        const { payload, shape } = readPayload(e);
        if (payload === undefined) return;
        onShape?.(shape);
        const id = commandId(payload);
        if (id !== null) {
          if (seenIds.includes(id)) return;
          seenIds.push(id);
          if (seenIds.length > RECENT_IDS) seenIds.shift();
        }
        listener(payload);
      };
      win.addEventListener("message", handler);
      webview.addEventListener("message", handler);
      return () => {
        win.removeEventListener("message", handler);
        webview.removeEventListener("message", handler);
      };
    },
  };
}

/**
 * Holds messages that arrive before anyone listens (the panel's hello can beat the controller's
 * start-up), and hands them to the first listener.
 */
export function bufferUntilListened(port: MessagePort, max = 50): MessagePort {
  const early: unknown[] = [];
  let listener: ((raw: unknown) => void) | null = null;
  port.onMessage((raw) => {
    if (listener) listener(raw);
    else if (early.length < max) early.push(raw);
  });
  return {
    post: (m) => port.post(m),
    onMessage(l) {
      listener = l;
      for (const raw of early.splice(0)) l(raw);
      return () => {
        if (listener === l) listener = null;
      };
    },
  };
}
