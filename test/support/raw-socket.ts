// A raw TCP connection to a local server from a chosen loopback address (Linux answers all of
// 127/8), with what it received and whether it was closed: for tests of connection handling that
// must see the server's bytes and closes as a client would.

import * as net from "net";

export interface RawConnection {
  sock: net.Socket;
  /** Everything received so far, as latin1 text. */
  data: () => string;
  isClosed: () => boolean;
  closed: Promise<void>;
}

/** Connects to `port` on 127.0.0.1 from `localAddress`; resolves once connected. */
export async function rawConnect(port: number, localAddress = "127.0.0.1"): Promise<RawConnection> {
  const sock = net.connect({ port, host: "127.0.0.1", localAddress });
  let text = "";
  let closed = false;
  sock.on("data", (c) => (text += c.toString("latin1")));
  sock.on("error", () => undefined);
  const closedP = new Promise<void>((r) => sock.once("close", () => ((closed = true), r())));
  await new Promise<void>((r, j) => {
    sock.once("connect", () => r());
    sock.once("error", j);
  });
  return { sock, data: () => text, isClosed: () => closed, closed: closedP };
}
