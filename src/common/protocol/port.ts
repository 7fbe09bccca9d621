// The transport the controller and the panel talk over, independent of where they run:
// UXP (webview bridge), the playground (window.uxpHost stand-in, iframe postMessage) or tests.

export interface MessagePort<Out = unknown> {
  /** Send one message (a JSON-safe object). Must not throw when the other side is gone. */
  post(message: Out): void;
  /** Receive raw messages (strings or objects; decode them). Returns an unsubscribe function. */
  onMessage(listener: (raw: unknown) => void): () => void;
}

/**
 * Two connected in-memory ports (tests, playground). Messages are JSON round-tripped, as the webview
 * bridge does, so anything that is not JSON-safe fails here as it would in Photoshop; delivery is
 * asynchronous (a microtask later), as it is across the bridge.
 */
export function createPortPair(): [MessagePort, MessagePort] {
  const listeners: [Set<(raw: unknown) => void>, Set<(raw: unknown) => void>] = [new Set(), new Set()];
  const make = (self: 0 | 1): MessagePort => ({
    post(message) {
      const text = JSON.stringify(message);
      const other = listeners[self === 0 ? 1 : 0];
      void Promise.resolve().then(() => {
        for (const l of [...other]) l(JSON.parse(text));
      });
    },
    onMessage(listener) {
      listeners[self].add(listener);
      return () => listeners[self].delete(listener);
    },
  });
  return [make(0), make(1)];
}
