// Clients without a key holding connections open (real sockets, bounded counts): a body sent to a
// route that reads none is refused at once and the connection closed; headers and whole requests
// that take too long are cut; connections past the per-address and total caps are closed at once.

import { startFakeFirefly, type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { rawConnect, type RawConnection } from "../support/raw-socket";
import { call, KEY_A, registerSecret, startTestBroker, TestBroker, until } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;

beforeAll(async () => {
  ff = await startFakeFirefly();
  // An idle kept-alive connection stays open past the test's bound (the jest timeout): only the
  // request cap can close one within a test.
  broker = await startTestBroker(ff.env(), {
    connectionLimits: { headersTimeoutMs: 400, requestTimeoutMs: 600, keepAliveTimeoutMs: 120_000, maxRequestsPerSocket: 3 },
  });
});

afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

type Conn = RawConnection;

const connect = (localAddress = "127.0.0.1", port = broker.port): Promise<Conn> => rawConnect(port, localAddress);

test("/health declaring a huge body is answered 413 at once and its connection closed", async () => {
  const c = await connect();
  c.sock.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\ncontent-length: 999999999999\r\n\r\nx`);
  await c.closed;
  expect(c.data()).toMatch(/^HTTP\/1\.1 413 /);
  expect(c.data()).toContain('"error_code":"payload_too_large"');
  expect(c.data().toLowerCase()).toContain("connection: close");
});

test("a small body on a route that reads none is refused too (no draining it first)", async () => {
  const c = await connect();
  c.sock.write(
    `GET /v3/custom-models HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\nauthorization: Bearer ${KEY_A}\r\ntransfer-encoding: chunked\r\n\r\n1\r\na\r\n`,
  );
  await c.closed;
  expect(c.data()).toMatch(/^HTTP\/1\.1 413 /);
});

test("a kept-alive connection is closed after its last allowed request", async () => {
  const c = await connect();
  for (let i = 0; i < 3; i++) c.sock.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\n\r\n`);
  await c.closed;
  const answers = c.data().split("HTTP/1.1 200 ").length - 1;
  expect(answers).toBe(3);
  expect(c.data().toLowerCase()).toContain("connection: close");
});

test("headers that never finish, and an upload that trickles, are cut by the broker's timeouts", async () => {
  const headers = await connect();
  headers.sock.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\n`);
  const body = await connect();
  body.sock.write(
    `POST /v2/storage/image HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\nauthorization: Bearer ${KEY_A}\r\ncontent-type: image/png\r\ncontent-length: 4096\r\n\r\n`,
  );
  body.sock.write(ONE_PIXEL_PNG.subarray(0, 16));
  // Neither ever sends the rest; the broker closes both (the test's bound is the jest timeout).
  await Promise.all([headers.closed, body.closed]);
  expect(body.data()).not.toContain("HTTP/1.1 200");
  await until(() => broker.uploads.active === 0, "the upload's slot to be given back");
  expect((await call(broker.url, "GET", "/health")).status).toBe(200);
});

test("past the per-address cap (20) connections are closed at once; at the total cap (25) idle ones of the biggest address give way", async () => {
  // Its own broker, with the default (long) header timeout: idle connections stay until capped.
  const capped = await startTestBroker(ff.env(), { connectionLimits: { perAddress: 20, total: 25 } });
  const refusedBefore = capped.counters.connectionsRefused;
  const mine: Conn[] = [];
  for (let i = 0; i < 30; i++) mine.push(await connect("127.0.0.1", capped.port));
  await until(() => mine.filter((c) => c.isClosed()).length >= 10, "ten connections to be closed");
  const others: Conn[] = [];
  for (let i = 0; i < 10; i++) others.push(await connect("127.0.0.2", capped.port));
  await until(() => mine.filter((c) => c.isClosed()).length >= 15, "five idle ones of the address holding the most to give way");
  expect(others.filter((c) => c.isClosed())).toHaveLength(0);
  const open = [...mine, ...others].filter((c) => !c.isClosed());
  expect(open).toHaveLength(25);
  expect(capped.counters.connectionsRefused - refusedBefore).toBe(15);
  // The ones kept are answered.
  open[0].sock.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${capped.port}\r\n\r\n`);
  await until(() => open[0].data().includes("\r\n\r\n{"), "health on a kept connection");
  expect(open[0].data()).toMatch(/^HTTP\/1\.1 200 /);
  for (const c of [...mine, ...others]) c.sock.destroy();
  await until(
    async () => (await call(capped.url, "GET", "/health", { agent: false }).catch(() => ({ status: 0 }))).status === 200,
    "health once they are gone",
  );
  await capped.close();
});
