// The broker's HTTP surface against the fake Firefly: who may call, what is refused before anything
// goes upstream, the Firefly-shaped job flow, ownership, signed outputs and static files.

import * as fs from "fs";
import * as path from "path";
import { startFakeFirefly, type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, fillBody, KEY_A, KEY_ADMIN, KEY_B, registerSecret, startTestBroker, TestBroker, until } from "./helpers";

let ff: FakeFirefly;
let broker: TestBroker;

beforeAll(async () => {
  ff = await startFakeFirefly();
  // Every status poll goes upstream: a fake job ends after its two polls, not after seconds.
  broker = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000" }, { statusIntervalMs: 0 });
  fs.mkdirSync(path.join(broker.dir, "playground", "assets"), { recursive: true });
  fs.writeFileSync(path.join(broker.dir, "playground", "index.html"), "<!doctype html><title>playground</title>");
  fs.writeFileSync(path.join(broker.dir, "playground", "assets", "app.js"), "console.log(1)");
  fs.mkdirSync(path.join(broker.dir, "ui"), { recursive: true });
  fs.writeFileSync(path.join(broker.dir, "ui", "index.html"), "<!doctype html><title>panel</title>");
  fs.writeFileSync(path.join(broker.dir, "secret.txt"), "outside the static root");
});

afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await broker.close();
  await ff.close();
});

async function upload(key = KEY_A): Promise<string> {
  const r = await call(broker.url, "POST", "/v2/storage/image", { key, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}

describe("who may call", () => {
  test("health needs no key and reports mode, version and queue", async () => {
    const r = await call(broker.url, "GET", "/health");
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: "ok", mode: "firefly", queue: { depth: 0 } });
    expect(typeof r.json.version).toBe("string");
  });

  test("every API route needs a broker key", async () => {
    for (const [m, p] of [
      ["POST", "/v2/storage/image"],
      ["POST", "/v3/images/fill-async"],
      ["GET", "/v3/status/urn:infill:jobs:x"],
      ["PUT", "/v3/cancel/urn:infill:jobs:x"],
      ["GET", "/v3/custom-models"],
      ["GET", "/v1/usage"],
    ]) {
      const missing = await call(broker.url, m, p);
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ error_code: "broker_key_missing", category: "auth" });
      const wrong = await call(broker.url, m, p, { key: "ifk_not_a_key_at_all_0000000000000" });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toMatchObject({ error_code: "broker_key_invalid", category: "auth" });
    }
    // Nothing reached Adobe.
    expect(ff.calls.filter((c) => c.route !== "ims")).toHaveLength(0);
  });

  test("a hashed key in the keys file works", async () => {
    const r = await call(broker.url, "GET", "/v3/custom-models", { key: KEY_B });
    expect(r.status).toBe(200);
    expect(r.json.custom_models[0].assetId).toMatch(/^urn:aaid/);
  });

  test("requests addressed to another host name are refused (DNS rebinding)", async () => {
    const r = await call(broker.url, "GET", "/health", { headers: { host: "evil.example:8765" } });
    expect(r.status).toBe(421);
    expect(r.json).toMatchObject({ error_code: "host_not_allowed", category: "invalid_input" });
    const ok = await call(broker.url, "GET", "/health", { headers: { host: `localhost:${broker.port}` } });
    expect(ok.status).toBe(200);
  });

  test("secrets are never accepted in the query string", async () => {
    for (const q of ["key", "api_key", "access_token", "token", "client_secret"]) {
      const r = await call(broker.url, "GET", `/v3/custom-models?${q}=${KEY_A}`, { key: KEY_A });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error_code: "secret_in_query", category: "invalid_input" });
    }
  });

  test("CORS only for the broker's own origin (and configured ones)", async () => {
    const own = `http://127.0.0.1:${broker.port}`;
    const pre = await call(broker.url, "OPTIONS", "/v3/images/fill-async", { headers: { origin: own, "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe(own);
    expect(pre.headers["access-control-allow-headers"]).toContain("authorization");
    const evil = await call(broker.url, "OPTIONS", "/v3/images/fill-async", { headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    const evilGet = await call(broker.url, "GET", "/v3/custom-models", { key: KEY_A, headers: { origin: "https://evil.example" } });
    expect(evilGet.status).toBe(403);
    expect(evilGet.json.category).toBe("auth");
  });

  test("usage is for admin keys only", async () => {
    expect((await call(broker.url, "GET", "/v1/usage", { key: KEY_A })).status).toBe(403);
    const r = await call(broker.url, "GET", "/v1/usage", { key: KEY_ADMIN });
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json.usage)).toBe(true);
  });

  test("unknown routes and wrong methods answer JSON errors", async () => {
    const r = await call(broker.url, "GET", "/v3/nothing", { key: KEY_A });
    expect(r.status).toBe(404);
    expect(r.json.category).toBe("not_found");
    const m = await call(broker.url, "DELETE", "/v3/custom-models", { key: KEY_A });
    expect(m.status).toBe(405);
    expect(m.json.category).toBe("invalid_input");
  });
});

describe("static files", () => {
  test("GET / serves the playground and /ui/ the panel, with content types", async () => {
    const root = await call(broker.url, "GET", "/");
    expect(root.status).toBe(200);
    expect(root.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(root.text).toContain("playground");
    const js = await call(broker.url, "GET", "/assets/app.js");
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const ui = await call(broker.url, "GET", "/ui/");
    expect(ui.status).toBe(200);
    expect(ui.text).toContain("panel");
  });

  test("no path escapes the static folders", async () => {
    for (const p of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/ui/..%2F..%2Fsecret.txt",
      "/ui/%2e%2e%5csecret.txt",
      "/.%00/x",
      "/%c0%ae%c0%ae/secret.txt",
    ]) {
      const r = await call(broker.url, "GET", p);
      expect([403, 404]).toContain(r.status);
      expect(r.text).not.toContain("outside the static root");
      expect(r.json.category).toBeDefined();
    }
  });
});

describe("uploads", () => {
  test("a PNG goes to Firefly and its id comes back", async () => {
    const id = await upload();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const up = ff.calls.filter((c) => c.route === "upload");
    expect(up[up.length - 1].hadAuth).toBe(true);
  });

  test("bytes that are not the declared image type → 415 before anything goes upstream", async () => {
    const before = ff.calls.filter((c) => c.route === "upload").length;
    for (const [ct, body] of [
      ["image/png", Buffer.from("GIF89a not a png at all")],
      ["image/jpeg", ONE_PIXEL_PNG],
      ["image/webp", Buffer.from("RIFF0000WAVEfmt ")],
    ] as const) {
      const r = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body, headers: { "content-type": ct } });
      expect(r.status).toBe(415);
      expect(r.json).toMatchObject({ error_code: "invalid_content_type", category: "invalid_input" });
    }
    const empty = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: Buffer.alloc(0), headers: { "content-type": "image/png" } });
    expect(empty.status).toBe(400);
    expect(empty.json.error_code).toBe("empty_input_body");
    expect(ff.calls.filter((c) => c.route === "upload").length).toBe(before);
  });

  test("wrong content type → 415, too large → 413, both JSON, nothing upstream", async () => {
    const before = ff.calls.filter((c) => c.route === "upload").length;
    const t = await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: "GIF89a", headers: { "content-type": "image/gif" } });
    expect(t.status).toBe(415);
    expect(t.json).toMatchObject({ error_code: "invalid_content_type", category: "invalid_input" });
    const big = await call(broker.url, "POST", "/v2/storage/image", {
      key: KEY_A,
      body: Buffer.alloc(16),
      headers: { "content-type": "image/png", "content-length": String(15 * 1024 * 1024 + 1) },
    });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error_code: "payload_too_large", category: "invalid_input" });
    expect(ff.calls.filter((c) => c.route === "upload").length).toBe(before);
  });

  test("a chunked upload past 15 MB is cut off with 413", async () => {
    const http = await import("http");
    const u = new URL(broker.url);
    const reply = await new Promise<{ status: number; body: string }>((resolve) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          method: "POST",
          path: "/v2/storage/image",
          headers: { authorization: `Bearer ${KEY_A}`, "content-type": "image/jpeg", "transfer-encoding": "chunked" },
        },
        (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on("error", () => resolve({ status: -1, body: "" }));
      const chunk = Buffer.alloc(1024 * 1024, 7);
      req.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0])); // a JPEG start, then far too much
      let sent = 0;
      const pump = () => {
        while (sent < 17) {
          sent++;
          if (!req.write(chunk)) return req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ error_code: "payload_too_large", category: "invalid_input" });
    // Whatever reached upstream was refused there or cut: no upload id was handed out.
    expect(ff.calls.filter((c) => c.route === "upload" && c.status === 200).length).toBe(1);
  });
});

describe("jobs", () => {
  test("invalid bodies are refused with Firefly's 422 shape before anything goes upstream", async () => {
    const before = ff.calls.filter((c) => c.route === "submit").length;
    const r = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: { image: { source: { uploadId: "nope" } }, numVariations: 9 } });
    expect(r.status).toBe(422);
    expect(r.json.error_code).toBe("validation_error");
    expect(r.json.category).toBe("invalid_input");
    expect(r.json.validation_errors.length).toBeGreaterThan(0);
    expect(r.json.validation_errors[0].loc[0]).toBe("body");
    const mv = await call(broker.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a cat" }, headers: { "x-model-version": "image9" } });
    expect(mv.status).toBe(422);
    expect(mv.json.validation_errors[0].loc).toEqual(["header", "x-model-version"]);
    const fillModel = await call(broker.url, "POST", "/v3/images/fill-async", {
      key: KEY_A,
      body: fillBody("0d4a8b0e-1111-4222-8333-444455556666", "0d4a8b0e-1111-4222-8333-444455556667"),
      headers: { "x-model-version": "image4_ultra" },
    });
    expect(fillModel.status).toBe(422);
    const url = await call(broker.url, "POST", "/v3/images/generate-similar-async", {
      key: KEY_A,
      body: { image: { source: { url: "https://attacker.example/x.png" } } },
    });
    expect(url.status).toBe(422);
    const notJson = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: "{", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(notJson.json.category).toBe("invalid_input");
    const wrongType = await call(broker.url, "POST", "/v3/images/fill-async", {
      key: KEY_A,
      body: "a=b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    expect(ff.calls.filter((c) => c.route === "submit").length).toBe(before);
  });

  test("submit → 202 with broker URLs → status → signed output streamed from the upstream", async () => {
    const src = await upload();
    const mask = await upload();
    const acc = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(src, mask, { prompt: "a boat", numVariations: 2 }) });
    expect(acc.status).toBe(202);
    expect(acc.json.jobId).toMatch(/^urn:infill:jobs:/);
    expect(acc.json.statusUrl).toBe(`${broker.url}/v3/status/${acc.json.jobId}`);
    expect(acc.json.cancelUrl).toBe(`${broker.url}/v3/cancel/${acc.json.jobId}`);
    const submitted = await until(() => ff.calls.find((c) => c.route === "submit" && (c.body as { prompt?: string })?.prompt === "a boat"), "submit upstream");
    expect(submitted.hadAuth).toBe(true);

    const done = await until(
      async () => {
        const s = await call(broker.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
        expect(s.status).toBe(200);
        expect(s.json.jobId).toBe(acc.json.jobId);
        return s.json.status === "succeeded" ? s.json : undefined;
      },
      "job to succeed",
      500,
      20,
    );
    expect(done.result.outputs).toHaveLength(2);
    // The id percent-encoded in the path is the same job; a wrong method or a longer path is not the status route.
    const encoded = await call(broker.url, "GET", `/v3/status/${encodeURIComponent(acc.json.jobId)}`, { key: KEY_A });
    expect(encoded.json).toMatchObject({ jobId: acc.json.jobId, status: "succeeded" });
    expect((await call(broker.url, "POST", `/v3/status/${acc.json.jobId}`, { key: KEY_A })).status).toBe(405);
    for (const path of ["/v3/status/", `/v3/status/${acc.json.jobId}/x`]) expect((await call(broker.url, "GET", path, { key: KEY_A })).status).toBe(404);
    const link = new URL(done.result.outputs[0].image.url);
    expect(link.origin).toBe(broker.url);
    expect(link.pathname).toBe(`/v1/outputs/${acc.json.jobId}/0`);
    // No Authorization needed (like a pre-signed URL), and the upstream sees no auth headers either.
    const img = await call(broker.url, "GET", link.pathname + link.search);
    expect(img.status).toBe(200);
    expect(img.headers["content-type"]).toBe("image/png");
    expect(img.body.equals(ONE_PIXEL_PNG)).toBe(true);
    const outCall = ff.calls.filter((c) => c.route === "output").pop()!;
    expect(outCall.hadAuth).toBe(false);

    // Forged, tampered or other-index links are refused.
    const bad = await call(broker.url, "GET", link.pathname.replace(/0$/, "1") + link.search);
    expect(bad.status).toBe(403);
    const tampered = await call(
      broker.url,
      "GET",
      `${link.pathname}?expires=${Number(link.searchParams.get("expires")) + 60000}&sig=${link.searchParams.get("sig")}`,
    );
    expect(tampered.status).toBe(403);
    expect(tampered.json.category).toBe("auth");

    // Usage counted the job and its images for alice.
    const usage = await call(broker.url, "GET", "/v1/usage", { key: KEY_ADMIN });
    const alice = usage.json.usage.find((u: { owner: string }) => u.owner === "alice");
    expect(alice.jobs).toBeGreaterThanOrEqual(1);
    expect(alice.images).toBeGreaterThanOrEqual(2);
    expect(alice.uploads).toBeGreaterThanOrEqual(2);
  });

  test("one key can never read, cancel or download another key's job", async () => {
    const src = await upload();
    const mask = await upload();
    const acc = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(src, mask) });
    const id = acc.json.jobId;
    const peek = await call(broker.url, "GET", `/v3/status/${id}`, { key: KEY_B });
    expect(peek.status).toBe(404);
    expect(peek.json).toMatchObject({ error_code: "unknown_job_id", category: "not_found" });
    const cancel = await call(broker.url, "PUT", `/v3/cancel/${id}`, { key: KEY_B });
    expect(cancel.status).toBe(404);
    // A guessed id looks exactly like a missing one.
    const guess = await call(broker.url, "GET", `/v3/status/${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`, { key: KEY_A });
    expect(guess.status).toBe(404);
    // Alice's output link is bound to alice: re-signing is impossible without the key, and the
    // link stops working for a job that is not alice's.
    const done = await until(
      async () => {
        const s = await call(broker.url, "GET", `/v3/status/${id}`, { key: KEY_A });
        return s.json.status === "succeeded" ? s.json : undefined;
      },
      "job",
      500,
      20,
    );
    const link = new URL(done.result.outputs[0].image.url);
    const other = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_B, body: fillBody(await upload(KEY_B), await upload(KEY_B)) });
    const stolen = await call(broker.url, "GET", `/v1/outputs/${other.json.jobId}/0${link.search}`);
    expect(stolen.status).toBe(403);
  });

  test("cancel: a job Firefly already finished answers 409 job_completed", async () => {
    const acc = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(await upload(), await upload()) });
    await until(async () => (await call(broker.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A })).json.status === "succeeded", "job", 500, 20);
    const c = await call(broker.url, "PUT", `/v3/cancel/${acc.json.jobId}`, { key: KEY_A });
    expect(c.status).toBe(409);
    expect(c.json.error_code).toBe("job_completed");
  });

  test("cancel of a running job goes upstream and ends cancelled", async () => {
    const acc = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(await upload(), await upload()) });
    await until(async () => (await broker.store.getJob(acc.json.jobId))?.state === "submitted", "submitted state");
    const c = await call(broker.url, "PUT", `/v3/cancel/${acc.json.jobId}`, { key: KEY_A });
    expect(c.status).toBe(200);
    expect(ff.calls.filter((x) => x.route === "cancel").length).toBeGreaterThan(0);
    const end = await until(
      async () => {
        const s = await call(broker.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
        return s.json.status === "cancelled" ? s.json : undefined;
      },
      "cancelled",
      500,
      20,
    );
    expect(end.status).toBe("cancelled");
  });

  test("every request is logged as one JSON line with key name, route and status", async () => {
    await call(broker.url, "GET", "/v3/custom-models", { key: KEY_A });
    const lines = broker.logs.map((l) => JSON.parse(l));
    const line = lines.reverse().find((l) => l.route === "GET /v3/custom-models");
    expect(line).toMatchObject({ key: "alice", status: 200 });
    expect(typeof line.time).toBe("string");
    expect(typeof line.upstreamMs).toBe("number");
  });
});

describe("providers that refuse an endpoint", () => {
  test("a provider's refuse() answers at once, before anything is queued", async () => {
    const { createUnavailableProvider } = await import("../../src/broker/providers/unavailable");
    const { ProviderError } = await import("../../src/broker/providers/provider");
    const base = createUnavailableProvider("local", "unused");
    const provider = {
      ...base,
      refuse: (endpoint: string) =>
        endpoint === "generate"
          ? new ProviderError({ status: 400, body: { error_code: "needs_firefly_credentials", message: "Generate needs Firefly credentials on the broker." } })
          : undefined,
    };
    const b = await startTestBroker({ INFILL_PROVIDER: "local" }, { provider });
    try {
      const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a lighthouse" } });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
      expect((await b.store.queueStats()).depth).toBe(0);
      expect((await b.store.usage()).length).toBe(0);
    } finally {
      await b.close();
    }
  });
});
