// The pace of new connections per client address (http/connections.ts), on a plain HTTP server
// with real sockets and a manual clock: one address opening connections faster than its allowance
// has the extra ones closed before the HTTP server handles them at all, while another address is
// served; the allowance comes back with time. And what counts as one client address.

import * as http from "http";
import * as net from "net";
import { addressKey, capConnections, DEFAULT_CONNECTION_LIMITS, type RefusedWhy } from "../../src/broker/http/connections";
import { startFakeFirefly } from "../fakes/firefly";
import { registerSecret, startTestBroker, until } from "./helpers";

const LIMITS = { ...DEFAULT_CONNECTION_LIMITS, newPerAddressPerSecond: 10, newPerAddressBurst: 5 };

interface Served {
  server: http.Server;
  port: number;
  clock: { ms: number };
  refused: RefusedWhy[];
  /** Connections anything attached before the caps was given. */
  handled: number;
  requests: number;
}

let s: Served;

beforeEach(async () => {
  const server = http.createServer((_req, res) => {
    s.requests++;
    res.end("ok");
  });
  // Stands for anything attached to connections before the caps (as the HTTP server's own handling is).
  server.on("connection", () => s.handled++);
  const clock = { ms: 1_000 };
  const refused: RefusedWhy[] = [];
  capConnections(
    server,
    LIMITS,
    (why) => refused.push(why),
    () => clock.ms,
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  s = { server, port: (server.address() as net.AddressInfo).port, clock, refused, handled: 0, requests: 0 };
});

afterEach(async () => {
  s.server.closeAllConnections();
  await new Promise((r) => s.server.close(r));
});

interface Conn {
  sock: net.Socket;
  data: () => string;
  closed: Promise<void>;
}

/** A connection from `from` that sends one request at once and records what comes back. */
async function requestFrom(from: string, port = s.port, target = "/"): Promise<Conn> {
  const sock = net.connect({ port, host: "127.0.0.1", localAddress: from });
  let text = "";
  sock.on("data", (c) => (text += c.toString("latin1")));
  sock.on("error", () => undefined);
  const closed = new Promise<void>((r) => sock.once("close", () => r()));
  await new Promise<void>((r, j) => {
    sock.once("connect", () => r());
    sock.once("error", j);
  });
  sock.write(`GET ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`);
  return { sock, data: () => text, closed };
}

test("connections past an address's allowance are closed unread, before the HTTP server handles them", async () => {
  const conns: Conn[] = [];
  // The clock stands still: the allowance is the burst, 5.
  for (let i = 0; i < 12; i++) conns.push(await requestFrom("127.0.0.2"));
  await Promise.all(conns.map((c) => c.closed));
  const answered = conns.filter((c) => c.data().startsWith("HTTP/1.1 200 "));
  expect(answered).toHaveLength(5);
  expect(conns.filter((c) => c.data() === "")).toHaveLength(7);
  expect(s.refused).toEqual(Array(7).fill("rate"));
  expect(s.requests).toBe(5);
  // Nothing else attached to the server ever saw the refused sockets.
  expect(s.handled).toBe(5);
});

test("another address is served while one is refused, and the allowance comes back with time", async () => {
  const flood: Conn[] = [];
  for (let i = 0; i < 8; i++) flood.push(await requestFrom("127.0.0.2"));
  const honest = await requestFrom("127.0.0.1");
  await Promise.all([...flood, honest].map((c) => c.closed));
  expect(honest.data()).toMatch(/^HTTP\/1\.1 200 /);
  expect(s.refused).toHaveLength(3);

  // 10 a second: after 250 ms two more (a fraction does not count).
  s.clock.ms += 250;
  const later: Conn[] = [];
  for (let i = 0; i < 3; i++) later.push(await requestFrom("127.0.0.2"));
  await Promise.all(later.map((c) => c.closed));
  expect(later.map((c) => c.data().startsWith("HTTP/1.1 200 "))).toEqual([true, true, false]);

  // Never more than the burst, however long the address was away.
  s.clock.ms += 60_000;
  const again: Conn[] = [];
  for (let i = 0; i < 6; i++) again.push(await requestFrom("127.0.0.2"));
  await Promise.all(again.map((c) => c.closed));
  expect(again.filter((c) => c.data().startsWith("HTTP/1.1 200 "))).toHaveLength(5);
  await until(() => s.requests === 5 + 1 + 2 + 5, "every admitted request to be counted");
});

test("one client address: an IPv4 address (mapped or not) as it is, an IPv6 address by its /64", () => {
  expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
  expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  expect(addressKey("::FFFF:127.0.0.2")).toBe("127.0.0.2");
  // Every address of one /64 is one client, however it is written.
  const net64 = "2001:db8:aa:1::/64";
  for (const a of ["2001:db8:aa:1::1", "2001:db8:aa:1:ffff:0:0:9", "2001:0db8:00aa:0001:1:2:3:4", "2001:DB8:AA:1::5%eth0", "2001:db8:aa:1::10.0.0.1"])
    expect(addressKey(a)).toBe(net64);
  expect(addressKey("2001:db8:aa:2::1")).not.toBe(net64);
  expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
  expect(addressKey("::1")).toBe("0:0:0:0::/64");
  expect(addressKey("fe80::1:2:3:4")).toBe("fe80:0:0:0::/64");
  expect(addressKey("1:2:3:4:5:6:7:8")).toBe("1:2:3:4::/64");
});

test("the broker paces each address: past its allowance a flood is refused and logged, another address is served", async () => {
  const ff = await startFakeFirefly();
  // An allowance that does not refill within the test (one connection per 1000 s).
  const b = await startTestBroker(ff.env(), { connectionLimits: { newPerAddressBurst: 20, newPerAddressPerSecond: 0.001 } });
  try {
    const flood: Conn[] = [];
    for (let i = 0; i < 30; i++) flood.push(await requestFrom("127.0.0.2", b.port, "/health"));
    await Promise.all(flood.map((c) => c.closed));
    expect(flood.filter((c) => c.data().startsWith("HTTP/1.1 200 "))).toHaveLength(20);
    expect(flood.filter((c) => c.data() === "")).toHaveLength(10);
    expect(b.counters.connectionsRefused).toBe(10);
    expect(b.logs.some((l) => l.includes('"connection_refused"') && l.includes('"why":"rate"'))).toBe(true);
    const honest = await requestFrom("127.0.0.1", b.port, "/health");
    await honest.closed;
    expect(honest.data()).toMatch(/^HTTP\/1\.1 200 /);
  } finally {
    ff.tokens.forEach(registerSecret);
    await b.close();
    await ff.close();
  }
});
