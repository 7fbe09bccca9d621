// The Host header is parsed strictly (name or [IPv6] literal, optional port, nothing else), and
// the links the broker hands out are built from the parsed parts, never from the raw header.

import { ONE_PIXEL_PNG } from "../fakes/firefly";
import { originOf, parseHost } from "../../src/broker/http/guards";
import { call, fillBody, KEY_A, TestBroker, useFireflyBroker } from "./helpers";

test.each([
  ["localhost", { name: "localhost" }],
  ["LocalHost:8765", { name: "localhost", port: 8765 }],
  ["127.0.0.1:1", { name: "127.0.0.1", port: 1 }],
  ["[::1]", { name: "::1" }],
  ["[::1]:8765", { name: "::1", port: 8765 }],
])("Host %s is read as %o", (raw, want) => {
  expect(parseHost(raw)).toEqual(want);
});

test.each([
  "[::1]@evil.com",
  "[::1]evil.com",
  "user@localhost",
  "localhost:80@evil.com",
  "localhost:",
  "localhost:99999",
  "localhost:0x50",
  "[::1",
  "[evil.com]",
  "local host",
  "",
  "localhost/x",
  "localhost#x",
  "localhost\\@evil.com",
  "8765",
  "0x7f.1",
  "127.1",
  "127.000.0.1",
  "a.0x10",
])("Host %p is refused", (raw) => {
  expect(parseHost(raw)).toBeUndefined();
});

test("fuzz: every Host accepted builds a link whose host is exactly the one checked", () => {
  // Seeded: strings made of the characters that matter in authorities, around real host names.
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const parts = ["[", "]", "@", ":", "::1", "127.0.0.1", "localhost", "evil.com", "8765", "/", "#", "?", "%40", "\\", ".", "-", "a", "0", " ", "user:pw"];
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const raw = Array.from({ length: 1 + Math.floor(next() * 6) }, () => parts[Math.floor(next() * parts.length)]).join("");
    const host = parseHost(raw);
    if (!host) continue;
    accepted++;
    const u = new URL(originOf(host) + "/v3/status/x");
    expect(u.hostname.replace(/^\[|\]$/g, "")).toBe(host.name);
    expect(u.username + u.password).toBe("");
    expect(u.port).toBe(host.port === undefined || host.port === 80 ? "" : String(host.port));
  }
  expect(accepted).toBeGreaterThan(100);
});

describe("over HTTP", () => {
  let broker: TestBroker;
  useFireflyBroker((rig) => ({ broker } = rig));

  test("Host: [::1]@evil.com is refused with 421", async () => {
    const r = await call(broker.url, "GET", "/health", { headers: { host: "[::1]@evil.com" } });
    expect(r.status).toBe(421);
    expect(r.json.error_code).toBe("host_not_allowed");
  });

  test("statusUrl is built from the parsed host: [::1]:port", async () => {
    const up = async () =>
      (
        await call(broker.url, "POST", "/v2/storage/image", {
          key: KEY_A,
          body: ONE_PIXEL_PNG,
          headers: { "content-type": "image/png", host: `[::1]:${broker.port}` },
        })
      ).json.images[0].id;
    const r = await call(broker.url, "POST", "/v3/images/fill-async", {
      key: KEY_A,
      body: fillBody(await up(), await up()),
      headers: { host: `[::1]:${broker.port}` },
    });
    expect(r.status).toBe(202);
    expect(new URL(r.json.statusUrl).host).toBe(`[::1]:${broker.port}`);
    expect(r.json.statusUrl.startsWith(`http://[::1]:${broker.port}/v3/status/`)).toBe(true);
  });
});
