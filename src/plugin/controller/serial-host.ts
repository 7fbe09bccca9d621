// Photoshop runs one modal scope at a time, so the controller hands the workflows a Host whose pixel
// reads and writes run one after another (jobs in parallel still overlap on the network).

import type { Host } from "../../common/host";

export function serializeHost(host: Host): Host {
  let tail: Promise<unknown> = Promise.resolve();
  const queued = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    activeDocument: () => host.activeDocument(),
    documents: () => host.documents(),
    layers: (docId) => host.layers(docId),
    selection: (docId) => queued(() => host.selection(docId)),
    composite: (docId, request) => queued(() => host.composite(docId, request)),
    capture: (docId, request) => queued(() => host.capture(docId, request)),
    apply: (docId, plan, signal) => queued(() => host.apply(docId, plan, signal)),
    subscribe: (listener) => host.subscribe(listener),
  };
}
