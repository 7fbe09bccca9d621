// GET /metrics: off unless INFILL_METRICS_TOKEN is set; then only that token or an admin key may
// scrape it. Scraped over real HTTP and parsed: the counters move with real requests (routes and
// statuses, upstream calls by outcome, IMS token fetches, submits and their wait, queue depth, the
// local engine's jobs), and nothing secret appears in it.

import sharp from "sharp";
import { loadConfig } from "../../src/broker/config";
import { ConfigError } from "../../src/broker/config-error";
import { ONE_PIXEL_PNG, startFakeFirefly } from "../fakes/firefly";
import { call, fillBody, findSecrets, KEY_A, KEY_ADMIN, KEY_B, manualClock, registerSecret, startTestBroker, tmpDir, until } from "./helpers";

const TOKEN = "metrics-token-0123456789abcdef";
registerSecret(TOKEN);

/** Sample lines of Prometheus text: `name{labels} value` → value (comments skipped). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

async function scrape(url: string, auth = TOKEN): Promise<Map<string, number>> {
  const r = await call(url, "GET", "/metrics", { key: auth });
  expect(r.status).toBe(200);
  expect(r.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(r.text);
}

const at = (m: Map<string, number>, sample: string) => m.get(sample) ?? 0;

test("off unless configured: 404; a short token is refused at start", async () => {
  const b = await startTestBroker({});
  try {
    const r = await call(b.url, "GET", "/metrics", { key: KEY_ADMIN });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ error_code: "not_found" });
  } finally {
    await b.close();
  }
  const dir = tmpDir();
  expect(() => loadConfig({ INFILL_CONFIG_DIR: dir, INFILL_METRICS_TOKEN: "short" }, { cwd: dir })).toThrow(ConfigError);
  expect(loadConfig({ INFILL_CONFIG_DIR: dir, INFILL_METRICS_TOKEN: " " }, { cwd: dir }).metricsToken).toBeUndefined();
});

test("firefly mode: only the token or an admin key; counters follow real requests, upstream calls, token fetches and submits; no secret in the text", async () => {
  const ff = await startFakeFirefly();
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "100", INFILL_METRICS_TOKEN: TOKEN }, { statusIntervalMs: 0 });
  try {
    expect((await call(b.url, "GET", "/metrics")).status).toBe(401);
    expect((await call(b.url, "GET", "/metrics", { key: "not-the-token-0123456789" })).status).toBe(401);
    expect((await call(b.url, "GET", "/metrics", { key: KEY_A })).status).toBe(403);
    expect((await call(b.url, "GET", "/metrics", { key: KEY_ADMIN })).status).toBe(200);
    expect((await call(b.url, "POST", "/metrics", { key: TOKEN })).status).toBe(405);
    const before = await scrape(b.url);
    expect(at(before, "infill_queue_depth")).toBe(0);
    expect(at(before, 'infill_http_requests_total{route="GET /metrics",status="401"}')).toBe(2);
    expect(at(before, 'infill_http_requests_total{route="GET /metrics",status="403"}')).toBe(1);

    const up = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
    const id = up.json.images[0].id;
    const acc = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(id, id) });
    expect(acc.status).toBe(202);
    await until(async () => (await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A })).json.status === "succeeded", "the job", 100, 50);
    ff.expireTokens();
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_B })).status).toBe(200);
    ff.inject({ route: "custom-models", status: 429, body: { error_code: "too_many_requests" }, headers: { "retry-after": "1" } });
    expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_B })).status).toBe(429);

    const r = await call(b.url, "GET", "/metrics", { key: TOKEN });
    const after = parse(r.text);
    const moved = (sample: string) => at(after, sample) - at(before, sample);
    expect(moved('infill_http_requests_total{route="POST /v2/storage/image",status="200"}')).toBe(1);
    expect(moved('infill_http_requests_total{route="POST /v3/images/fill-async",status="202"}')).toBe(1);
    expect(moved('infill_http_requests_total{route="GET /v3/custom-models",status="429"}')).toBe(1);
    expect(moved('infill_http_request_duration_seconds_count{route="POST /v3/images/fill-async"}')).toBe(1);
    expect(moved('infill_upstream_calls_total{target="firefly",outcome="2xx"}')).toBeGreaterThanOrEqual(3); // upload, submit, status, models
    expect(moved('infill_upstream_calls_total{target="firefly",outcome="429"}')).toBe(1);
    expect(moved('infill_upstream_calls_total{target="ims",outcome="2xx"}')).toBeGreaterThanOrEqual(2); // first token, then after expiry
    expect(at(after, 'infill_ims_token_fetches_total{outcome="2xx"}')).toBe(ff.tokens.length);
    expect(moved('infill_submits_total{result="accepted"}')).toBe(1);
    expect(moved("infill_queue_wait_seconds_count")).toBe(1);
    expect(at(after, "infill_queue_depth")).toBe(0);
    ff.tokens.forEach(registerSecret);
    registerSecret(ff.clientSecret);
    expect(findSecrets([r.text], [TOKEN, KEY_A, KEY_B, KEY_ADMIN, ff.clientSecret, ...ff.tokens])).toEqual([]);
    expect(findSecrets(b.logs, [TOKEN, ff.clientSecret, ...ff.tokens])).toEqual([]);
  } finally {
    await b.close();
    await ff.close();
  }
});

test("queue depth and the wait before a submit, on a manual clock at one submit a minute", async () => {
  const ff = await startFakeFirefly();
  const clock = manualClock();
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1", INFILL_METRICS_TOKEN: TOKEN }, { now: clock.now });
  try {
    const up = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
    const id = up.json.images[0].id;
    for (let i = 0; i < 3; i++) expect((await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(id, id) })).status).toBe(202);
    const first = await until(async () => {
      const m = await scrape(b.url);
      return at(m, 'infill_submits_total{result="accepted"}') === 1 ? m : undefined;
    }, "the first submit");
    expect(at(first, "infill_queue_depth")).toBe(2);
    expect(at(first, "infill_queue_wait_seconds_sum")).toBe(0);
    clock.advance(60_000);
    b.dispatcher.kick();
    const second = await until(async () => {
      const m = await scrape(b.url);
      return at(m, 'infill_submits_total{result="accepted"}') === 2 ? m : undefined;
    }, "the second submit");
    expect(at(second, "infill_queue_depth")).toBe(1);
    expect(at(second, "infill_queue_wait_seconds_count")).toBe(2);
    expect(at(second, "infill_queue_wait_seconds_sum")).toBe(60);
    expect(at(second, 'infill_queue_wait_seconds_bucket{le="30"}')).toBe(1);
    expect(at(second, 'infill_queue_wait_seconds_bucket{le="60"}')).toBe(2);
  } finally {
    await b.close();
    await ff.close();
  }
});

test("local mode: the engine's jobs and their time", async () => {
  const b = await startTestBroker({ INFILL_PROVIDER: "local", INFILL_METRICS_TOKEN: TOKEN });
  try {
    const png = (w: number, h: number, channels: 1 | 3, px: (x: number, y: number) => number) => {
      const raw = Buffer.alloc(w * h * channels);
      for (let i = 0; i < raw.length; i++) raw[i] = px(Math.floor(i / channels) % w, Math.floor(i / channels / w));
      return sharp(raw, { raw: { width: w, height: h, channels } })
        .png()
        .toBuffer();
    };
    const up = async (buf: Buffer) =>
      (await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: buf, headers: { "content-type": "image/png" } })).json.images[0].id;
    const s = await up(await png(48, 32, 3, (x, y) => (x * 5 + y * 7) % 256));
    const m = await up(await png(48, 32, 1, (x, y) => (x >= 16 && x < 32 && y >= 8 && y < 24 ? 255 : 0)));
    const acc = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: { ...fillBody(s, m), seeds: [3] } });
    expect(acc.status).toBe(202);
    const done = await until(
      async () => {
        const r = await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
        return ["succeeded", "failed"].includes(r.json.status) ? r.json : undefined;
      },
      "the local job",
      600,
      100,
    );
    expect(done.status).toBe("succeeded");
    const after = await scrape(b.url);
    expect(at(after, 'infill_engine_jobs_total{outcome="succeeded"}')).toBe(1);
    expect(at(after, "infill_engine_job_duration_seconds_count")).toBe(1);
    expect(at(after, 'infill_upstream_calls_total{target="ims",outcome="2xx"}')).toBe(0);
  } finally {
    await b.close();
  }
});
