// Until the host controller is part of the build, the playground answers the panel's read-only
// commands from the simulated host itself and refuses jobs with a clear message.

import type { SimHost } from "../sim";
import { PROTOCOL_NAME, PROTOCOL_VERSION } from "../../common/protocol/version";

export function interimResponder(host: SimHost, post: (msg: unknown) => void): { handle(raw: string): void; dispose(): void } {
  const send = (body: Record<string, unknown>) => post({ protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...body });
  const docState = async () => {
    const a = await host.activeDocument();
    const sel = a ? await host.selection(a.id) : null;
    send({
      type: "document.state",
      active: a && { id: a.id, title: a.title, width: a.width, height: a.height, mode: a.mode, bitDepth: a.bitDepth, resolution: a.resolution, supported: true },
      selection: sel && { bounds: sel.bounds },
    });
    const docs = await host.documents();
    send({ type: "documents", documents: docs.map((d) => ({ id: d.id, title: d.title, width: d.width, height: d.height, active: d.id === a?.id })) });
  };
  const off = host.subscribe(() => void docState());
  return {
    handle(raw) {
      const cmd = JSON.parse(raw) as { type: string; id?: string; docId?: number };
      const replyTo = cmd.id;
      switch (cmd.type) {
        case "hello":
          send({ type: "hello", replyTo, pluginVersion: "dev", hostApp: "playground", hostVersion: "interim" });
          send({ type: "theme", theme: "dark", scheme: "dark" });
          void docState();
          break;
        case "documents.list":
          void docState();
          break;
        case "layers.list":
          void host.layers(cmd.docId!).then((layers) => send({ type: "layers", replyTo, docId: cmd.docId, layers }));
          break;
        case "jobs.list":
          send({ type: "jobs", replyTo, jobs: [] });
          break;
        default:
          send({
            type: "error",
            replyTo,
            category: "internal",
            code: "not_wired",
            message: "This playground build has no host controller, so jobs cannot run.",
            hint: "Rebuild once the host controller is in place.",
          });
      }
    },
    dispose: off,
  };
}
