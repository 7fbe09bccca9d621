// Hostile uploads over real sockets: a client that drops an upload while the broker waits on
// upstream (the IMS token fetch held open) must not end the process; the abort is logged and
// counted. Many slow uploads closing together, and one key's uploads never holding up another
// key's short calls.

import * as net from "net";
import { type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, KEY_A, KEY_B, startTestBroker, TestBroker, useFireflyBroker, until } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(() => process.on("uncaughtException", onCrash));
useFireflyBroker((rig) => ({ ff, broker } = rig));
afterAll(() => process.off("uncaughtException", onCrash));

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** A socket that has sent an upload's headers (declaring `declared` bytes) and its first `sent` bytes. */
async function partialUpload(key: string, declared: number, sent: number): Promise<net.Socket> {
  const u = new URL(broker.url);
  const sock = net.connect(Number(u.port), u.hostname);
  sock.on("error", () => undefined);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const body = Buffer.concat([ONE_PIXEL_PNG, Buffer.alloc(Math.max(0, sent - ONE_PIXEL_PNG.length), 1)]).subarray(0, sent);
  sock.write(
    `POST /v2/storage/image HTTP/1.1\r\nhost: 127.0.0.1:${u.port}\r\nauthorization: Bearer ${key}\r\ncontent-type: image/png\r\ncontent-length: ${declared}\r\n\r\n`,
  );
  sock.write(body);
  return sock;
}

/** Whether the broker has logged `n` closed upload requests since `from`. */
const uploadLines = (from: number) => broker.logs.slice(from).filter((l) => l.includes('"route":"POST /v2/storage/image"'));

test("a client dropping an upload while the token is being fetched does not end the broker; the abort is logged and counted", async () => {
  const ims = gate();
  ff.inject({ route: "ims", until: ims.promise });
  const logFrom = broker.logs.length;
  const abortedBefore = broker.counters.uploadsAborted;
  const sock = await partialUpload(KEY_A, 4096, 200);
  // Let the broker start upstream work for it if it does (the token fetch), before the drop.
  for (let i = 0; i < 30 && !ff.calls.some((c) => c.route === "ims"); i++) await new Promise((r) => setTimeout(r, 10));
  sock.destroy();
  await until(() => broker.counters.uploadsAborted > abortedBefore, "the abort to be counted");
  ims.open();
  await until(() => uploadLines(logFrom).length >= 1, "the upload's log line");
  expect(uploadLines(logFrom).some((l) => l.includes('"event":"upload_aborted"') || l.includes('"status":0'))).toBe(true);
  expect(broker.logs.slice(logFrom).some((l) => l.includes('"event":"upload_aborted"'))).toBe(true);
  const h = await call(broker.url, "GET", "/health");
  expect(h.status).toBe(200);
  expect(crashes).toEqual([]);
});

test("many slow uploads closing together do not end the broker", async () => {
  const ims = gate();
  // The cached token is dropped, so every upload that goes upstream waits on IMS again.
  broker.ims!.invalidate(broker.ims!.current()!);
  ff.inject({ route: "ims", until: ims.promise });
  const socks: net.Socket[] = [];
  for (let i = 0; i < 70; i++) socks.push(await partialUpload(i % 2 ? KEY_A : KEY_B, 1 << 20, 64));
  for (const s of socks) s.destroy();
  ims.open();
  await until(async () => (await call(broker.url, "GET", "/health")).status === 200, "health");
  const after = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(after.status).toBe(200);
  expect(crashes).toEqual([]);
});

test("one key's uploads beyond its slots are refused with 429 at once; another key's upload still goes through", async () => {
  const upstreamBefore = ff.calls.filter((c) => c.route === "upload").length;
  const socks: net.Socket[] = [];
  for (let i = 0; i < 4; i++) socks.push(await partialUpload(KEY_A, 4096, 64));
  await until(() => broker.uploads.active === 4, "the four uploads to be under way");
  // Nothing goes upstream for an upload still being received.
  expect(ff.calls.filter((c) => c.route === "upload").length).toBe(upstreamBefore);
  const over = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(over.status).toBe(429);
  expect(over.json).toMatchObject({ error_code: "rate_limited", category: "rate_limited" });
  expect(over.headers["retry-after"]).toBe("1");
  const other = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_B, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(other.status).toBe(200);
  for (const s of socks) s.destroy();
  // The slots come back when those clients are gone.
  await until(
    async () =>
      (await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } })).status === 200,
    "a slot for alice again",
  );
});

describe("uploads held by upstream", () => {
  let wide: TestBroker;
  beforeAll(async () => {
    wide = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000" }, { uploadLimits: { perKey: 80, total: 80 } });
  });
  afterAll(() => wide.close());

  test("64 uploads Firefly is slow to answer do not hold up another key's custom-models call or status poll", async () => {
    const up = async (key: string) =>
      (await call(wide.url, "POST", "/v2/storage/image", { key, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } })).json.images[0].id as string;
    const src = await up(KEY_B);
    const acc = await call(wide.url, "POST", "/v3/images/fill-async", {
      key: KEY_B,
      body: { image: { source: { uploadId: src } }, mask: { source: { uploadId: await up(KEY_B) } } },
    });
    expect(acc.status).toBe(202);
    const held = gate();
    const heldFrom = ff.calls.length;
    ff.inject({ route: "upload", until: held.promise, times: 64 });
    const slow = Array.from({ length: 64 }, () =>
      call(wide.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } }),
    );
    let slowDone = 0;
    for (const p of slow) void p.then(() => slowDone++);
    // Firefly has as many of them as the broker sends at once, and answers none yet.
    await until(() => ff.calls.slice(heldFrom).filter((c) => c.route === "upload").length >= 16, "uploads to reach upstream");
    const models = call(wide.url, "GET", "/v3/custom-models", { key: KEY_B });
    const poll = call(wide.url, "GET", `/v3/status/${encodeURIComponent(acc.json.jobId)}`, { key: KEY_B });
    let answered = false;
    void Promise.all([models, poll]).then(() => (answered = true));
    for (let i = 0; i < 500 && !answered; i++) await new Promise((r) => setTimeout(r, 10));
    // Both answered while every upload is still held upstream.
    expect(answered).toBe(true);
    expect(slowDone).toBe(0);
    expect((await models).status).toBe(200);
    expect((await poll).status).toBe(200);
    held.open();
    const done = await Promise.all(slow);
    expect(done.every((r) => r.status === 200)).toBe(true);
  });
});
