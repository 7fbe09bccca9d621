// Talking to Adobe: IMS tokens (cache, single flight, 401 refresh + one replay, failures as `auth`
// without the secret), retries (GETs on 5xx/network; submits only when provably not sent), and
// every injected upstream failure surfacing with the right category.

import * as http from "http";
import { ImsTokens } from "../../src/broker/providers/ims";
import { OutputHostPolicy } from "../../src/broker/providers/output-hosts";
import { ProviderError } from "../../src/broker/providers/provider";
import { startFakeFirefly, type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, fillBody, KEY_A, manualClock, registerSecret, startTestBroker, TestBroker, until } from "./helpers";

const fakes: FakeFirefly[] = [];
const brokers: TestBroker[] = [];

async function fake(opts = {}) {
  const ff = await startFakeFirefly(opts);
  fakes.push(ff);
  return ff;
}
/** A broker in front of `ff` whose every status poll goes upstream: jobs end after their polls, not after seconds. */
async function brokerFor(ff: FakeFirefly, env: Record<string, string> = {}) {
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000", ...env }, { statusIntervalMs: 0 });
  brokers.push(b);
  return b;
}

afterAll(async () => {
  for (const ff of fakes) ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close();
  for (const ff of fakes) await ff.close();
});

const count = (ff: FakeFirefly, route: string) => ff.calls.filter((c) => c.route === route).length;

async function upload(b: TestBroker): Promise<string> {
  const r = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}

async function submitFill(b: TestBroker, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(await upload(b), await upload(b), extra) });
  expect(r.status).toBe(202);
  return r.json.jobId;
}

async function finalStatus(b: TestBroker, id: string) {
  return until(
    async () => {
      const s = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
      return ["succeeded", "failed", "cancelled", "timeout"].includes(s.json?.status) ? s.json : undefined;
    },
    `job ${id} to end`,
    200,
    50,
  );
}

describe("IMS tokens", () => {
  test("a thousand concurrent cold requests make exactly one IMS call", async () => {
    const ff = await fake();
    const ims = new ImsTokens({ url: ff.imsUrl, clientId: ff.clientId, clientSecret: ff.clientSecret, scopes: "openid,firefly_api" });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => ims.get()));
    expect(new Set(tokens).size).toBe(1);
    expect(count(ff, "ims")).toBe(1);
  });

  test("through the broker too: 100 concurrent cold calls → one IMS call", async () => {
    const ff = await fake();
    const b = await brokerFor(ff);
    const replies = await Promise.all(Array.from({ length: 100 }, () => call(b.url, "GET", "/v3/custom-models", { key: KEY_A })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(count(ff, "ims")).toBe(1);
  });

  test("cached until expires_in minus 5 minutes, then fetched again", async () => {
    const ff = await fake({ tokenTtlSec: 400 });
    const clock = manualClock();
    const ims = new ImsTokens({ url: ff.imsUrl, clientId: ff.clientId, clientSecret: ff.clientSecret, scopes: "s", now: clock.now });
    const t1 = await ims.get();
    clock.advance(99_000);
    expect(await ims.get()).toBe(t1);
    expect(count(ff, "ims")).toBe(1);
    clock.advance(2_000); // 101 s: past 400 s − 300 s
    const t2 = await ims.get();
    expect(t2).not.toBe(t1);
    expect(count(ff, "ims")).toBe(2);
  });

  test("a Firefly 401 refreshes the token once and replays the request once", async () => {
    const ff = await fake();
    const b = await brokerFor(ff);
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_A })).status).toBe(200);
    ff.expireTokens();
    const r = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(r.status).toBe(200);
    expect(count(ff, "ims")).toBe(2);
    expect(count(ff, "custom-models")).toBe(3); // ok, 401, replay ok

    // A 401 that persists after the refresh is surfaced (category auth), not retried forever.
    ff.inject({ route: "custom-models", status: 401, body: { error_code: "401013", message: "Oauth token is not valid" }, times: 2 });
    const again = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(again.status).toBe(401);
    expect(again.json).toMatchObject({ error_code: "401013", category: "auth" });
    expect(count(ff, "custom-models")).toBe(5);
  });

  test("IMS failures surface as `auth` with Adobe's error_description, never the secret", async () => {
    const ff = await fake();
    const b = await brokerFor(ff, { FIREFLY_SERVICES_CLIENT_SECRET: "p8e-wrong-secret-abcdefghijklmnop" });
    registerSecret("p8e-wrong-secret-abcdefghijklmnop");
    const r = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ error_code: "ims_token_failed", category: "auth" });
    expect(r.json.message).toContain("invalid client_secret parameter");
    expect(r.text).not.toContain("p8e-wrong-secret");
    expect(r.text).not.toContain(ff.clientSecret);
    // A job submitted meanwhile fails with the same category, and is not resent.
    const id = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a lighthouse" } });
    expect(id.status).toBe(202);
    const end = await finalStatus(b, id.json.jobId);
    expect(end).toMatchObject({ status: "failed", error_code: "ims_token_failed", category: "auth" });
    expect(count(ff, "submit")).toBe(0);
  });
});

describe("upstream failures", () => {
  let ff: FakeFirefly;
  let b: TestBroker;
  beforeAll(async () => {
    ff = await fake();
    b = await brokerFor(ff, { INFILL_UPSTREAM_TIMEOUT_MS: "400" });
  });

  test("403 quota_exhausted → the job fails with category quota", async () => {
    ff.inject({
      route: "submit",
      status: 403,
      body: { error_code: "access_error", message: "Access denied" },
      headers: { "x-access-error": "quota_exhausted" },
    });
    const end = await finalStatus(b, await submitFill(b));
    expect(end).toMatchObject({ status: "failed", error_code: "quota_exhausted", category: "quota" });
  });

  test("451 → content_policy, Adobe's code kept", async () => {
    ff.inject({ route: "submit", status: 451, body: { error_code: "prompt_unsafe", message: "The prompt did not pass content policy checks." } });
    const end = await finalStatus(b, await submitFill(b, { prompt: "something" }));
    expect(end).toMatchObject({ status: "failed", error_code: "prompt_unsafe", category: "content_policy" });
  });

  test("a job that fails upstream reports Adobe's error code", async () => {
    ff.inject({ route: "submit", jobFails: { error_code: "output_media_unsafe", message: "blocked" } });
    const end = await finalStatus(b, await submitFill(b));
    expect(end).toMatchObject({ status: "failed", error_code: "output_media_unsafe" });
    const usage = await b.store.usage();
    expect(usage.find((u) => u.owner === "alice")!.failures).toBeGreaterThanOrEqual(1);
  });

  test("status GETs are retried on 5xx and network errors", async () => {
    const id = await submitFill(b);
    await until(async () => (await b.store.getJob(id))?.state === "submitted", "submitted");
    const before = count(ff, "status");
    ff.inject({ route: "status", status: 503, body: { error_code: "model_not_loaded" }, times: 2 });
    ff.inject({ route: "status", reset: true });
    const s = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
    expect(s.status).toBe(200);
    expect(["running", "succeeded", "pending"]).toContain(s.json.status);
    expect(count(ff, "status") - before).toBe(4);
  });

  test("slow answers are waited for; hanging ones time out as service_unavailable", async () => {
    ff.inject({ route: "custom-models", delayMs: 150 });
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_A })).status).toBe(200);
    expect((await call(b.url, "GET", "/health")).json.upstream.reachable).toBe(true);
    const before = count(ff, "custom-models");
    ff.inject({ route: "custom-models", hang: true, times: 4 });
    const r = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ error_code: "upstream_unreachable", category: "service_unavailable" });
    expect(count(ff, "custom-models") - before).toBe(4); // the first try and three retries, each timed out
    const h = await call(b.url, "GET", "/health");
    expect(h.json.upstream).toMatchObject({ reachable: false });
    expect(typeof h.json.upstream.lastSeenAt).toBe("string");
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_A })).status).toBe(200);
    expect((await call(b.url, "GET", "/health")).json.upstream.reachable).toBe(true);
  });

  test("a submit that may have reached Adobe is never sent twice (500, reset, timeout)", async () => {
    for (const inj of [{ status: 500, body: { error_code: "runtime_error" } }, { reset: true }, { hang: true }]) {
      const before = count(ff, "submit");
      ff.inject({ route: "submit", ...inj });
      const end = await finalStatus(b, await submitFill(b));
      expect(end.status).toBe("failed");
      expect(["service_unavailable"]).toContain(end.category);
      expect(count(ff, "submit") - before).toBe(1);
    }
  });

  test("a submit refused with 503 (not processed) is sent again", async () => {
    const before = count(ff, "submit");
    ff.inject({ route: "submit", status: 503, body: { error_code: "model_not_loaded" }, times: 2 });
    const end = await finalStatus(b, await submitFill(b));
    expect(end.status).toBe("succeeded");
    expect(count(ff, "submit") - before).toBe(3);
    expect(ff.calls.filter((c) => c.route === "submit" && c.status === 202).length).toBeGreaterThan(0);
  });

  test("an output URL on a host that is not allow-listed is never followed", async () => {
    const id = await submitFill(b);
    const job = await until(() => b.store.getJob(id).then((j) => (j?.state === "submitted" ? j : undefined)), "submitted");
    ff.inject({
      route: "status",
      status: 200,
      body: { jobId: job.providerJobId, status: "succeeded", result: { outputs: [{ seed: 1, image: { url: "http://169.254.169.254/latest/meta-data" } }] } },
    });
    const s = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
    expect(s.json.status).toBe("succeeded");
    const link = new URL(s.json.result.outputs[0].image.url);
    expect(link.host).toBe(new URL(b.url).host);
    const out = await call(b.url, "GET", link.pathname + link.search);
    expect(out.status).toBe(502);
    expect(out.json.error_code).toBe("output_host_not_allowed");
  });
});

describe("an upstream under a path (an enterprise proxy)", () => {
  test("Firefly's paths and queries are sent beneath the configured path", async () => {
    const ff = await fake();
    // The proxy serves Firefly under /firefly/api: it records what it is asked and passes it on.
    const seen: string[] = [];
    const target = new URL(ff.url);
    const proxy = http.createServer((req, res) => {
      seen.push(req.url ?? "");
      const path = (req.url ?? "").replace(/^\/firefly\/api(?=\/)/, "");
      const up = http.request({ host: target.hostname, port: target.port, path, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const b = await brokerFor(ff, { INFILL_FIREFLY_URL: `http://127.0.0.1:${(proxy.address() as { port: number }).port}/firefly/api/` });
      const id = await submitFill(b);
      expect((await finalStatus(b, id)).status).toBe("succeeded");
      const models = await call(b.url, "GET", "/v3/custom-models?limit=5&start=0", { key: KEY_A });
      expect(models.status).toBe(200);
      expect(seen.filter((u) => u.startsWith("/firefly/api/v3/status/")).length).toBeGreaterThan(0);
      expect(seen).toContain("/firefly/api/v2/storage/image");
      expect(seen).toContain("/firefly/api/v3/images/fill-async");
      expect(seen).toContain("/firefly/api/v3/custom-models?limit=5&start=0");
      expect(seen.every((u) => u.startsWith("/firefly/api/v"))).toBe(true);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe("connection refused", () => {
  test("a submit that could not connect is resent, then fails as service_unavailable", async () => {
    const ff = await fake();
    // Firefly URL on a port nobody listens on; IMS works.
    const dead = await startFakeFirefly();
    const deadUrl = dead.url;
    await dead.close();
    const b = await brokerFor(ff, { INFILL_FIREFLY_URL: deadUrl });
    const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a harbour at dawn" } });
    expect(r.status).toBe(202);
    const end = await finalStatus(b, r.json.jobId);
    expect(end).toMatchObject({ status: "failed", category: "service_unavailable" });
    expect(b.dispatcher.sent).toBe(7); // first try + 6 resends, none of which can have been billed
  });
});

describe("output host policy", () => {
  const p = new OutputHostPolicy("http://127.0.0.1:9999", ["cdn.example.com", "http://10.0.0.5:8080"]);
  test.each([
    ["https://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/images/x?X-Amz-Expires=3600", true],
    ["https://PRE-SIGNED-FIREFLY-PROD.s3-accelerate.amazonaws.com/images/x", true],
    // Only the host Adobe documents: not any bucket that merely starts with the same name.
    ["https://pre-signed-firefly-stage.s3-accelerate.amazonaws.com/images/x", false],
    ["https://pre-signed-firefly-attacker.s3-accelerate.amazonaws.com/x", false],
    ["https://pre-signed-firefly-prod-x.s3.us-east-1.amazonaws.com/x", false],
    ["https://pre-signed-firefly-prod.s3.amazonaws.com/x", false],
    ["http://127.0.0.1:9999/outputs/x.png", true],
    ["https://cdn.example.com/x.png", true],
    ["http://10.0.0.5:8080/x.png", true],
    ["http://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/x", false],
    ["https://evil-pre-signed-firefly-prod.s3-accelerate.amazonaws.com.evil.com/x", false],
    ["https://s3.amazonaws.com/other-bucket/x", false],
    ["http://127.0.0.1:9998/x", false],
    ["https://user:pw@cdn.example.com/x", false],
    ["http://cdn.example.com/x", false],
    ["file:///etc/passwd", false],
    ["not a url", false],
  ])("%s → %s", (url, ok) => {
    expect(!!p.check(url)).toBe(ok);
  });

  test("ProviderError defaults", () => {
    const e = new ProviderError({ status: 429, body: { error_code: "rate_limited" } });
    expect(e.notSent).toBe(false);
    expect(e.message).toBe("upstream answered 429");
  });
});
