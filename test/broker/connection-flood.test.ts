// A flood of connections from many client addresses (real sockets from 127.0.1.x: Linux answers
// all of 127/8), against a broker whose pace does not refill within the test: the new connections
// of all addresses together are paced, so the flood cannot fill the total cap and an honest client
// that used its key before still gets its poll answered; at the total cap an idle connection of
// the address holding the most gives way to a newcomer, while keyed connections and a request in
// progress are kept.

import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { rawConnect, type RawConnection } from "../support/raw-socket";
import { KEY_A, registerSecret, startTestBroker, TestBroker, until } from "./helpers";

let ff: FakeFirefly;
beforeAll(async () => {
  ff = await startFakeFirefly();
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await ff.close();
});

/** One connection per second in a thousand: nothing refills while the test runs. */
const FROZEN = 0.001;

type Conn = RawConnection;

/** A raw connection to `b` from `from`; resolves once connected. */
const connectFrom = (b: TestBroker, from: string): Promise<Conn> => rawConnect(b.port, from);

/** A keyed status poll of a job nobody has (answered 404 `unknown_job_id`), keeping the connection open unless `close`. */
function poll(b: TestBroker, c: Conn, close = false): void {
  c.sock.write(
    `GET /v3/status/urn:infill:jobs:00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nhost: 127.0.0.1:${b.port}\r\n` +
      `authorization: Bearer ${KEY_A}\r\n${close ? "connection: close\r\n" : ""}\r\n`,
  );
}

/** Whether `c` got the broker's answer to `poll`. */
const answered = (c: Conn) => /^HTTP\/1\.1 404 /.test(c.data()) && c.data().includes('"unknown_job_id"');

test("a flood from 64 addresses is paced in total; a client that used its key before is still answered", async () => {
  const b = await startTestBroker(ff.env(), {
    connectionLimits: { perAddress: 8, total: 48, newPerAddressPerSecond: FROZEN, newPerAddressBurst: 4, newTotalPerSecond: FROZEN, newTotalBurst: 32 },
  });
  try {
    // The honest client polls once with its key, on a connection that then closes.
    const first = await connectFrom(b, "127.0.0.1");
    poll(b, first, true);
    await first.closed;
    expect(answered(first)).toBe(true);

    // 64 addresses, 4 connections each (each within its own allowance), never sending a byte.
    const flood: Conn[] = [];
    for (let a = 1; a <= 64; a++) for (let i = 0; i < 4; i++) flood.push(await connectFrom(b, `127.0.1.${a}`));
    // The honest client's next poll, on a new connection, is answered.
    const again = await connectFrom(b, "127.0.0.1");
    poll(b, again, true);
    await again.closed;
    expect(answered(again)).toBe(true);

    // All addresses together get the total allowance (32, one of them the honest client's first
    // connection), so the flood holds 31, short of the cap (48).
    await until(() => flood.filter((c) => c.isClosed()).length >= 256 - 31, "the flood past the total allowance to be closed");
    expect(flood.filter((c) => !c.isClosed())).toHaveLength(31);
    expect(b.counters.connectionsRefused).toBe(256 - 31);
    expect(b.logs.some((l) => l.includes('"connection_refused"') && l.includes('"why":"total_rate"'))).toBe(true);

    // An address with no keyed traffic is paced with the flood: refused while the allowance is spent.
    const stranger = await connectFrom(b, "127.0.2.1");
    await stranger.closed;
    expect(stranger.data()).toBe("");
    for (const c of flood) c.sock.destroy();
  } finally {
    await b.close();
  }
});

test("at the total cap the oldest idle connection of the biggest address gives way; keyed ones and a request in progress stay", async () => {
  const b = await startTestBroker(ff.env(), {
    connectionLimits: {
      perAddress: 8,
      total: 8,
      newPerAddressPerSecond: Infinity,
      newPerAddressBurst: Infinity,
      newTotalPerSecond: Infinity,
      newTotalBurst: Infinity,
    },
  });
  const all: Conn[] = [];
  const open = async (from: string) => {
    const c = await connectFrom(b, from);
    all.push(c);
    return c;
  };
  try {
    // 127.0.0.2 holds five: a kept-alive keyed one, an upload in progress, then three idle ones.
    const keyed = await open("127.0.0.2");
    poll(b, keyed);
    await until(() => answered(keyed), "the keyed poll's answer");
    const uploading = await open("127.0.0.2");
    uploading.sock.write(
      Buffer.from(
        `POST /v2/storage/image HTTP/1.1\r\nhost: 127.0.0.1:${b.port}\r\nauthorization: Bearer ${KEY_A}\r\ncontent-type: image/png\r\ncontent-length: 1000\r\n\r\n` +
          "\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        "latin1",
      ),
    );
    await until(() => b.uploads.active === 1, "the upload to be in progress");
    const idle = [await open("127.0.0.2"), await open("127.0.0.2"), await open("127.0.0.2")];
    // Two more addresses fill the cap (8).
    const small = [await open("127.0.0.3"), await open("127.0.0.3"), await open("127.0.0.1")];
    await until(() => b.counters.connectionsRefused === 0 && !all.some((c) => c.isClosed()), "eight open connections");

    // Newcomers from 127.0.0.4 take the idle ones of 127.0.0.2, oldest first.
    const newcomers = [await open("127.0.0.4")];
    await until(() => idle[0].isClosed(), "the oldest idle connection to give way");
    newcomers.push(await open("127.0.0.4"));
    await until(() => idle[1].isClosed(), "the next idle connection to give way");
    newcomers.push(await open("127.0.0.4"));
    await until(() => idle[2].isClosed(), "the last idle connection to give way");
    // Now 127.0.0.4 holds the most (3); 127.0.0.2's two are keyed or busy: the next newcomer is refused.
    const refused = await open("127.0.0.4");
    await refused.closed;
    expect(b.counters.connectionsRefused).toBe(4);
    expect(b.logs.some((l) => l.includes('"connection_refused"') && l.includes('"why":"evicted"'))).toBe(true);
    expect([keyed, uploading, ...small, ...newcomers].filter((c) => c.isClosed())).toHaveLength(0);
    // The keyed connection still serves.
    poll(b, keyed, true);
    await keyed.closed;
    expect(keyed.data().split('"unknown_job_id"').length - 1).toBe(2);
  } finally {
    for (const c of all) c.sock.destroy();
    await b.close();
  }
});
