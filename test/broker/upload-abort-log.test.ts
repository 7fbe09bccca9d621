// An upload the client drops part way (real sockets) is one log line, the request's own, saying
// so (`upload_aborted`, status 0, bytes received), and is still counted: in /health's counters and
// in the request metrics (status 0: the client left first).

import * as net from "net";
import { ONE_PIXEL_PNG, startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, registerSecret, startTestBroker, TestBroker, until } from "./helpers";

const TOKEN = "metrics-token-abort-0123456789abcdef";
registerSecret(TOKEN);

let ff: FakeFirefly;
let broker: TestBroker;
beforeAll(async () => {
  ff = await startFakeFirefly();
  broker = await startTestBroker({ ...ff.env(), INFILL_METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

/** Sends an upload's headers (declaring 4096 bytes) and its first `sent` bytes, then drops the connection. */
async function dropUpload(sent: number): Promise<void> {
  const sock = net.connect(broker.port, "127.0.0.1");
  sock.on("error", () => undefined);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  sock.write(
    `POST /v2/storage/image HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\nauthorization: Bearer ${KEY_A}\r\ncontent-type: image/png\r\ncontent-length: 4096\r\n\r\n`,
  );
  sock.write(ONE_PIXEL_PNG.subarray(0, sent));
  await until(() => broker.uploads.active === 1, "the upload to be under way");
  sock.destroy();
}

/** The count of aborted uploads in the request metrics. */
async function abortedInMetrics(): Promise<number> {
  const r = await call(broker.url, "GET", "/metrics", { key: TOKEN });
  const line = r.text.split("\n").find((l) => l.startsWith('infill_http_requests_total{route="POST /v2/storage/image",status="0"}'));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

test("each dropped upload is one log line, the request's, and is counted", async () => {
  const from = broker.logs.length;
  const counted = broker.counters.uploadsAborted;
  const inMetrics = await abortedInMetrics();
  for (const sent of [20, 40, 60]) {
    const logged = broker.logs.length;
    await dropUpload(sent);
    await until(() => broker.uploads.active === 0, "the upload's slot to be given back");
    await until(() => broker.logs.length > logged, "the upload's log line");
  }
  // One more request, answered after the drops, so any late line would be in by then.
  expect((await call(broker.url, "GET", "/health")).status).toBe(200);
  const lines = broker.logs.slice(from).filter((l) => !l.includes('"route":"GET /health"') && !l.includes('"route":"GET /metrics"'));
  expect(lines).toHaveLength(3);
  lines.forEach((l, i) => {
    const o = JSON.parse(l);
    expect(o).toMatchObject({ event: "upload_aborted", route: "POST /v2/storage/image", status: 0, key: "alice", received: [20, 40, 60][i] });
  });
  expect(broker.counters.uploadsAborted - counted).toBe(3);
  expect((await abortedInMetrics()) - inMetrics).toBe(3);
});
