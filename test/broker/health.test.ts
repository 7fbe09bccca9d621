// What /health and error answers say when parts of the broker are in trouble: an upstream 429 on
// a status poll is a rate limit, not a bad request; uploads refused by the broker itself (too
// large, dropped) do not make Firefly look unreachable; a job store that cannot be reached makes
// the broker "degraded", not "ok".

import * as http from "http";
import * as net from "net";
import { StoreUnavailableError } from "../../src/broker/store/redis/errors";
import { type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, fillBody, KEY_A, TestBroker, useFireflyBroker, until } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;

useFireflyBroker((rig) => ({ ff, broker } = rig));

const upload = async () =>
  (await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } })).json.images[0]
    .id as string;

test("an upstream 429 on a status poll is answered as a rate limit", async () => {
  const acc = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(await upload(), await upload()) });
  await until(() => ff.calls.some((c) => c.route === "submit" && c.jobId), "the submit");
  ff.inject({ route: "status", status: 429, body: "<html>Too Many Requests</html>", headers: { "retry-after": "7" }, times: 10 });
  const r = await until(
    async () => {
      const s = await call(broker.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
      return s.status === 429 ? s : undefined;
    },
    "a 429",
    100,
    30,
  );
  expect(r.json).toMatchObject({ error_code: "rate_limited", category: "rate_limited" });
  expect(r.headers["retry-after"]).toBe("7");
});

test("an oversized upload and a dropped one leave upstream reachable in /health", async () => {
  expect((await call(broker.url, "GET", "/health")).json.upstream.reachable).toBe(true);
  // Chunked, so the broker finds it too large only while reading it.
  const big = await new Promise<number>((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: broker.port,
        method: "POST",
        path: "/v2/storage/image",
        headers: { authorization: `Bearer ${KEY_A}`, "content-type": "image/png", "transfer-encoding": "chunked" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on("error", () => resolve(-1));
    req.end(Buffer.concat([ONE_PIXEL_PNG, Buffer.alloc(15 * 1024 * 1024)]));
  });
  expect(big).toBe(413);
  const before = broker.counters.uploadsAborted;
  const sock = net.connect(broker.port, "127.0.0.1");
  sock.on("error", () => undefined);
  sock.write(
    `POST /v2/storage/image HTTP/1.1\r\nhost: 127.0.0.1:${broker.port}\r\nauthorization: Bearer ${KEY_A}\r\ncontent-type: image/png\r\ncontent-length: 5000\r\n\r\n`,
  );
  sock.write(ONE_PIXEL_PNG);
  await until(() => broker.uploads.active > 0, "the upload to start");
  sock.destroy();
  await until(() => broker.counters.uploadsAborted > before, "the drop to be counted");
  const h = await call(broker.url, "GET", "/health");
  expect(h.json.upstream.reachable).toBe(true);
  expect(h.json.status).toBe("ok");
});

test("/health says degraded, not ok, while the job store cannot be reached", async () => {
  const store = broker.store;
  const realStats = store.queueStats.bind(store);
  store.queueStats = () => Promise.reject(new StoreUnavailableError("connection refused"));
  try {
    const h = await call(broker.url, "GET", "/health");
    expect(h.status).toBe(200);
    expect(h.json.status).toBe("degraded");
  } finally {
    store.queueStats = realStats;
  }
  expect((await call(broker.url, "GET", "/health")).json.status).toBe("ok");
});
