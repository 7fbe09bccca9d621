// Playground entry: the simulated Photoshop, the panel iframe and the host side that connects them.
import React from "react";
import { createRoot } from "react-dom/client";
import { SimHost } from "./sim";
import { PlaygroundApp } from "./ui/PlaygroundApp";
import { installUxpHostStandIn } from "./bridge/uxpHostStandIn";
import { interimResponder } from "./bridge/interimHost";

const host = new SimHost();
(window as unknown as { __infill: unknown }).__infill = { host };

function connectPanel(iframe: HTMLIFrameElement): () => void {
  let responder: ReturnType<typeof interimResponder> | null = null;
  const standIn = installUxpHostStandIn(iframe, (raw) => responder?.handle(raw));
  responder = interimResponder(host, (m) => standIn.post(m));
  return () => {
    responder?.dispose();
    standIn.dispose();
  };
}

createRoot(document.getElementById("root")!).render(
  <PlaygroundApp host={host} connectPanel={connectPanel} engineLabel="Engine: not connected" />,
);
