// No log line or response contains the client secret, an IMS token or a broker key.
//
// Every broker test file imports ./helpers, which captures every log line the brokers write and
// every response body the tests receive, and fails the file after its tests if any captured text
// contains a registered secret (the fakes' client secrets and issued tokens, every broker key).
// This file checks that the check itself works, and drives the paths where secrets are handled —
// including an upstream that echoes secrets back — through a broker with everything captured.

import { Redactor } from "../../src/broker/log";
import { startFakeFirefly } from "../fakes/firefly";
import { call, capture, fillBody, findSecrets, KEY_A, KEY_ADMIN, KEY_B, registerSecret, startTestBroker, until, type Reply } from "./helpers";
import { ONE_PIXEL_PNG } from "../fakes/firefly";

test("the leak check finds a planted secret (it can fail)", () => {
  expect(findSecrets(["ok", `{"message":"token ${KEY_A}"}`], [KEY_A])).toHaveLength(1);
  expect(findSecrets(["ok"], [KEY_A])).toHaveLength(0);
});

test("the redactor masks registered secrets, bearer credentials, secret-looking parameters and broker keys", () => {
  const r = new Redactor();
  r.add("p8e-super-secret-value");
  r.add("short"); // too short to be a secret: ignored
  expect(r.redact("a p8e-super-secret-value b")).toBe("a [redacted] b");
  expect(r.redact("Authorization: Bearer eyJabc.def-123456")).toBe("Authorization: Bearer [redacted]");
  expect(r.redact("client_secret=abc123&scope=x")).toBe("client_secret=[redacted]&scope=x");
  expect(r.redact("key ifk_abcdefgh12345678")).toBe("key ifk_[redacted]");
  expect(r.redact("short words stay")).toBe("short words stay");
});

test("a full session through every secret-handling path leaks nothing (answers, logs, /metrics, /admin and its overview)", async () => {
  const ff = await startFakeFirefly();
  const metricsToken = "metrics-token-for-the-leak-test-0123";
  registerSecret(metricsToken);
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "100", INFILL_METRICS_TOKEN: metricsToken }, { statusIntervalMs: 0 });
  let metricsText = "";
  try {
    // Normal flow: upload, submit, poll, download.
    const up = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
    const id = up.json.images[0].id;
    const acc = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(id, id) });
    const done = await until(
      async () => {
        const s = await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
        return s.json.status === "succeeded" ? s.json : undefined;
      },
      "job",
      100,
      50,
    );
    const link = new URL(done.result.outputs[0].image.url);
    expect((await call(b.url, "GET", link.pathname + link.search)).status).toBe(200);
    // Token expiry and refresh.
    ff.expireTokens();
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_B })).status).toBe(200);
    // An upstream that echoes the token and the client secret in its error text.
    const token = ff.tokens[ff.tokens.length - 1];
    ff.inject({ route: "custom-models", status: 400, body: { error_code: "bad_request", message: `bad token ${token} for ${ff.clientSecret}` } });
    const echoed = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(echoed.status).toBe(400);
    expect(echoed.text).toContain("[redacted]");
    // Keys in the wrong places.
    await call(b.url, "GET", `/v3/custom-models?api_key=${KEY_ADMIN}`, { key: KEY_A });
    await call(b.url, "GET", "/v3/custom-models", { headers: { authorization: `Bearer ${KEY_A}x` } });
    await call(b.url, "GET", "/v1/usage", { key: KEY_ADMIN });
    // IMS down, then IMS rejecting the secret.
    ff.inject({ route: "ims", status: 500, body: { error: "server_error", error_description: `oops ${ff.clientSecret}` }, times: 3 });
    ff.expireTokens();
    await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    ff.inject({ route: "ims", status: 401, body: { error: "invalid_client", error_description: `bad secret ${ff.clientSecret}` } });
    ff.expireTokens();
    const ims = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    expect(ims.json.category).toBe("auth");
    expect(ims.text).toContain("bad secret");
    // A submit refused with the token and the client secret in its message: the admin overview
    // lists the failure by code and category only; the /admin page holds no data at all.
    ff.inject({ route: "submit", status: 400, body: { error_code: "validation_error", message: `bad ${token} ${ff.clientSecret}` } });
    const refused = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(id, id) });
    await until(async () => (await b.store.getJob(refused.json.jobId))?.state === "failed", "the refused submit");
    const overview = await call(b.url, "GET", "/v1/admin/overview", { key: KEY_ADMIN });
    expect(overview.status).toBe(200);
    expect(overview.json.failures[0]).toMatchObject({ person: "alice", code: "validation_error", category: "invalid_input" });
    expect(overview.text).not.toContain("bad ");
    expect([200, 404]).toContain((await call(b.url, "GET", "/admin")).status);
    // The metrics after all that, scraped with the token and with an admin key.
    const scraped = await call(b.url, "GET", "/metrics", { key: metricsToken });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain("infill_upstream_calls_total");
    expect((await call(b.url, "GET", "/metrics", { key: KEY_ADMIN })).status).toBe(200);
    metricsText = scraped.text;
  } finally {
    await b.close();
    await ff.close();
  }
  ff.tokens.forEach(registerSecret);
  registerSecret(ff.clientSecret);
  expect(ff.tokens.length).toBeGreaterThanOrEqual(2);
  expect(b.logs.length).toBeGreaterThan(10);
  const texts = [...b.logs, ...capture.responses];
  expect(texts).toContain(metricsText);
  expect(findSecrets(texts, [ff.clientSecret, ...ff.tokens, KEY_A, KEY_B, KEY_ADMIN, metricsToken])).toEqual([]);
});

/** The first `n` characters of `secret` in any of `texts` (what a cut made before redaction leaves). */
const leaksStart = (texts: string[], secret: string, n = 10) => texts.some((t) => t.includes(secret.slice(0, n)));

test("secrets at the point where a message is shortened are redacted before the cut; passed-through headers are redacted", async () => {
  const ff = await startFakeFirefly();
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "100", INFILL_RETRY_BASE_MS: "1" });
  const seen: string[] = [];
  const keep = (r: Reply) => (seen.push(r.text, JSON.stringify(r.headers)), r);
  try {
    const up = keep(await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } }));
    const token = ff.tokens[0];
    // A job whose status message carries the token just before Firefly's message is cut.
    const acc = keep(await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(up.json.images[0].id, up.json.images[0].id) }));
    const sent = await until(() => ff.calls.find((c) => c.route === "submit" && c.jobId), "the submit");
    ff.inject({
      route: "status",
      status: 200,
      body: { jobId: sent.jobId, status: "failed", error_code: "runtime_error", message: `${"z".repeat(1995)}${token}` },
      times: 50,
    });
    const failed = await until(
      async () => {
        const s = keep(await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A }));
        return s.json.status === "failed" ? s : undefined;
      },
      "the failed status",
      100,
      30,
    );
    expect(failed.json.message ?? failed.json.error?.message ?? failed.text).toContain("z");
    // An HTML error page with the token where it is cut.
    ff.inject({ route: "upload", status: 413, body: `<html><body>${"y".repeat(290)}${token}</body></html>` });
    const html = keep(await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } }));
    expect(html.status).toBe(413);
    // Rate-limit headers echoing the token.
    ff.inject({
      route: "custom-models",
      status: 429,
      body: { error_code: "rate_limited" },
      headers: { "x-access-error": `denied for ${token}`, "retry-after": token, "x-access-rate-limit-level": `org ${token}` },
    });
    const limited = keep(await call(b.url, "GET", "/v3/custom-models", { key: KEY_A }));
    expect(limited.status).toBe(429);
    expect(String(limited.headers["x-access-error"])).toContain("[redacted]");
    // IMS echoing the client secret at the 300th character of its error_description.
    ff.inject({ route: "ims", status: 401, body: { error: "invalid_client", error_description: `${"x".repeat(290)}${ff.clientSecret}` } });
    ff.expireTokens();
    const ims = keep(await call(b.url, "GET", "/v3/custom-models", { key: KEY_A }));
    expect(ims.json.error_code).toBe("ims_token_failed");
    ff.tokens.forEach(registerSecret);
    registerSecret(ff.clientSecret);
    for (const secret of [ff.clientSecret, ...ff.tokens]) {
      expect(leaksStart(seen, secret)).toBe(false);
      expect(leaksStart(b.logs, secret)).toBe(false);
    }
  } finally {
    await b.close();
    await ff.close();
  }
});
