// Bad input, in bulk: 10,000+ malformed requests (random bytes, broken JSON, wrong types, huge
// headers and bodies, `..` and encoded separators in job ids, wrong content types, truncated
// bodies, junk credentials). The broker must never crash or hit an internal error, every answer
// must be a JSON error with a category, and memory must stay flat. Seeded, so failures reproduce.

import * as net from "net";
import * as v8 from "v8";
import * as vm from "vm";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, capture, KEY_A, registerSecret, startTestBroker, TestBroker } from "./helpers";

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc") as () => void;

let ff: FakeFirefly;
let b: TestBroker;
beforeAll(async () => {
  ff = await startFakeFirefly();
  // Every request is a new connection from one address, as fast as the broker answers: no pacing.
  b = await startTestBroker(
    { ...ff.env(), INFILL_RATE_PER_MINUTE: "1000" },
    { connectionLimits: { newPerAddressPerSecond: Infinity, newPerAddressBurst: Infinity } },
  );
});
afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await b.close();
  await ff.close();
});

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const str = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join("");
  return { next, int, pick, bytes, str };
}

interface Raw {
  kind: string;
  data: Buffer;
  /** A response is not guaranteed (the request itself is cut short). */
  mayNotAnswer?: boolean;
}

const SUBMITS = ["/v3/images/fill-async", "/v3/images/expand-async", "/v3/images/generate-async", "/v3/images/generate-similar-async"];
const BAD_IDS = [
  "..",
  "%2e%2e",
  "..%2F..%2Fetc%2Fpasswd",
  "%2F",
  "a%00b",
  "urn:infill:jobs:..%2f..",
  "%c0%ae%c0%ae",
  "urn%3Ainfill%3Ajobs%3Ax",
  "....//....//",
  "%25%32%65",
  "urn:infill:jobs:00000000-0000-4000-8000-000000000000",
  "%ZZ",
  "x".repeat(290),
];

function request(method: string, path: string, headers: Record<string, string>, body?: Buffer, declaredLength?: number): Buffer {
  const h = { host: `127.0.0.1:${b.port}`, ...headers } as Record<string, string>;
  if (body !== undefined || declaredLength !== undefined) h["content-length"] = String(declaredLength ?? body!.length);
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body ?? Buffer.alloc(0)]);
}

function generate(r: ReturnType<typeof rng>): Raw {
  const auth = { authorization: `Bearer ${KEY_A}` };
  const json = { "content-type": "application/json" };
  switch (r.int(11)) {
    case 0:
      return { kind: "random bytes", data: r.bytes(1 + r.int(400)) };
    case 1: {
      const good = JSON.stringify({ image: { source: { uploadId: "6b1f3c2e-0000-4000-8000-000000000000" } }, prompt: "a" });
      return {
        kind: "broken JSON",
        data: request("POST", r.pick(SUBMITS), { ...auth, ...json }, Buffer.from(good.slice(0, r.int(good.length)) + r.str(r.int(5)))),
      };
    }
    case 2: {
      const shapes = [
        [],
        1,
        "x",
        null,
        true,
        { image: 5 },
        { prompt: 7 },
        { prompt: "x".repeat(2000) },
        { numVariations: "4", prompt: "a" },
        { seeds: [1, 1], prompt: "a" },
        { image: { source: { url: "http://127.0.0.1/x" } } },
        { size: { width: -1 }, prompt: "p" },
        { style: { strength: 1e309 } },
      ].map((x) => JSON.stringify(x));
      shapes.push(
        '{"__proto__":{"admin":true},"prompt":"p"}',
        '{"constructor":{"prototype":{"x":1}},"prompt":"p"}',
        '{"prompt":"p","prompt":7}',
        "1e999",
        '"\ud800"',
      );
      return { kind: "wrong types", data: request("POST", r.pick(SUBMITS), { ...auth, ...json }, Buffer.from(r.pick(shapes))) };
    }
    case 3:
      return { kind: "huge headers", data: request("GET", "/v3/custom-models", { ...auth, "x-junk": "a".repeat(17_000 + r.int(20_000)) }) };
    case 4:
      return { kind: "huge JSON body", data: request("POST", r.pick(SUBMITS), { ...auth, ...json }, Buffer.alloc(65 * 1024 + r.int(16 * 1024), 0x61)) };
    case 5: {
      const id = r.pick(BAD_IDS);
      const [m, p] = r.pick([
        ["GET", `/v3/status/${id}`],
        ["PUT", `/v3/cancel/${id}`],
        ["GET", `/v1/outputs/${id}/0?expires=1&sig=x`],
        ["GET", `/ui/${id}/x`],
        ["GET", `/${id}/${id}`],
      ] as const);
      return { kind: "bad job ids", data: request(m, p, auth) };
    }
    case 6:
      return {
        kind: "wrong content types",
        data: request(
          "POST",
          r.pick(["/v2/storage/image", ...SUBMITS]),
          {
            ...auth,
            "content-type": r.pick(["text/plain", "image/gif", "multipart/form-data; boundary=x", "application/xml", "", "image/png; x=" + r.str(20)]),
          },
          r.bytes(r.int(200)),
        ),
      };
    case 7: {
      const path = r.pick(["/v2/storage/image", ...SUBMITS]);
      const ct = path.startsWith("/v2") ? "image/png" : "application/json";
      return {
        kind: "truncated body",
        data: request("POST", path, { ...auth, "content-type": ct }, r.bytes(r.int(50)), 1000 + r.int(1000)),
        mayNotAnswer: true,
      };
    }
    case 8:
      return {
        kind: "junk credentials",
        data: request(r.pick(["GET", "POST", "PUT"]), r.pick(["/v3/custom-models", "/v1/usage", ...SUBMITS]), {
          authorization: r.pick(["Bearer", "Bearer ", "Basic Zm9vOmJhcg==", `Bearer ${r.str(40)}`, `Bearer ${"k".repeat(600)}`, "bearer\tx", r.str(30)]),
        }),
      };
    case 9:
      return {
        kind: "odd methods and paths",
        data: request(
          r.pick(["DELETE", "PATCH", "TRACE", "PROPFIND", "POST", "PUT"]),
          r.pick([
            "/health",
            "/",
            "/v3/status",
            "/v3/images/",
            "/v3/images/fill",
            "/v9/x",
            "/v2/storage/image/x",
            `/v3/custom-models/${r.str(5).replace(/[ ?#%]/g, "a")}`,
          ]),
          auth,
        ),
      };
    default:
      return {
        kind: "secrets in query / bad queries",
        data: request(
          "GET",
          r.pick([
            `/v3/custom-models?token=${r.str(8).replace(/[ #&%]/g, "a")}`,
            "/v3/custom-models?api_key=x",
            "/v1/usage?since=yesterday",
            `/v1/outputs/x/0?expires=${r.str(5).replace(/[ #&%]/g, "a")}`,
            "/v3/status/?%%%",
            "/v3/custom-models?client_secret=%zz",
          ]),
          auth,
        ),
      };
  }
}

function send(raw: Raw): Promise<{ raw: Raw; status?: number; headers?: string; body?: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: b.port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), 5000);
    let endTimer: NodeJS.Timeout | undefined;
    s.on("connect", () => {
      s.write(raw.data);
      // A cut-short request is half-closed at once (the broker sees the body end early); anything
      // else is closed only if the broker has not answered within a second.
      if (raw.mayNotAnswer) s.end();
      else endTimer = setTimeout(() => s.end(), 1000);
    });
    s.on("data", (c) => chunks.push(c));
    s.on("end", () => s.end());
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(timer);
      clearTimeout(endTimer);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return resolve({ raw });
      resolve({ raw, status: Number(m[1]), headers: m[2].toLowerCase(), body: m[3] });
    });
  });
}

test("10,000+ malformed requests: no crash, JSON errors with a category, flat memory", async () => {
  const r = rng(20261128);
  const TOTAL = 10_400;
  const CONCURRENCY = 48;
  const problems: string[] = [];
  const perKind = new Map<string, { sent: number; answered: number }>();
  let answered = 0;
  let done = 0;
  let heapAfterWarmup = 0;

  const check = (res: Awaited<ReturnType<typeof send>>) => {
    const k = perKind.get(res.raw.kind) ?? { sent: 0, answered: 0 };
    k.sent++;
    perKind.set(res.raw.kind, k);
    if (res.status === undefined) {
      if (!res.raw.mayNotAnswer) problems.push(`${res.raw.kind}: no answer`);
      return;
    }
    k.answered++;
    answered++;
    capture.responses.push(res.body ?? "");
    if (res.status < 400 || res.status === 500) problems.push(`${res.raw.kind}: status ${res.status}`);
    if (!/content-type: application\/json/.test(res.headers ?? "")) problems.push(`${res.raw.kind}: not JSON (${res.status})`);
    // Chunked bodies never happen for the broker's JSON errors (content-length is always set).
    try {
      const j = JSON.parse(res.body ?? "");
      if (typeof j.category !== "string" || typeof j.error_code !== "string") problems.push(`${res.raw.kind}: no category/error_code in ${res.body}`);
    } catch {
      problems.push(`${res.raw.kind}: body is not JSON: ${(res.body ?? "").slice(0, 80)}`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < TOTAL) {
      next++;
      check(await send(generate(r)));
      done++;
      if (done === 1000) {
        gc();
        heapAfterWarmup = process.memoryUsage().heapUsed;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  gc();
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapAfterWarmup) / (1024 * 1024);

  expect(problems.slice(0, 20)).toEqual([]);
  expect(done).toBe(TOTAL);
  expect(answered).toBeGreaterThan(TOTAL * 0.85);
  for (const [kind, k] of perKind) expect({ kind, some: k.sent > 100 && k.answered > 0 }).toEqual({ kind, some: true });
  // Nothing internal went wrong and the broker still serves.
  expect(b.logs.some((l) => l.includes('"internal_error"'))).toBe(false);
  expect((await call(b.url, "GET", "/health")).json.status).toBe("ok");
  // Flat: what the captured responses/logs of this test retain is small; allow 40 MB of noise.
  expect(heapGrowthMb).toBeLessThan(40);
  // Nothing malformed was submitted to Adobe, and no upload was completed there.
  expect(ff.calls.filter((c) => c.route === "submit")).toHaveLength(0);
  expect(ff.calls.filter((c) => c.route === "upload" && c.status === 200)).toHaveLength(0);
}, 120_000);
