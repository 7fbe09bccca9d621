import { BrokerError, createBrokerClient } from "../../src/plugin/broker-client";

type Call = { url: string; init: RequestInit };

function fakeFetch(answers: ((c: Call) => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const f = (async (url: string, init: RequestInit) => {
    const c = { url: String(url), init };
    calls.push(c);
    const next = answers.shift();
    if (!next) throw new Error("no answer scripted");
    return next(c);
  }) as unknown as typeof fetch;
  return { f, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const UUID = "510aabb4-e154-4a7b-bd2e-f492ee71c938";

describe("broker client", () => {
  test("upload sends raw bytes with the type and the broker key; returns the upload id", async () => {
    const { f, calls } = fakeFetch([() => json(200, { images: [{ id: UUID }] })]);
    const c = createBrokerClient({ baseUrl: "http://127.0.0.1:8765/", key: "k1", fetch: f });
    expect(await c.upload(Uint8Array.of(1, 2, 3), "image/png")).toBe(UUID);
    expect(calls[0].url).toBe("http://127.0.0.1:8765/v2/storage/image");
    const h = calls[0].init.headers as Record<string, string>;
    expect(h.authorization).toBe("Bearer k1");
    expect(h["content-type"]).toBe("image/png");
    expect(calls[0].init.method).toBe("POST");
  });

  test("submit validates against the contract before sending, and sends x-model-version", async () => {
    const { f, calls } = fakeFetch([() => json(202, { jobId: "urn:ff:jobs:x:1", statusUrl: "s", cancelUrl: "c" })]);
    const c = createBrokerClient({ baseUrl: "http://b", key: "k", fetch: f });
    await expect(
      c.submit("fill", { image: { source: { uploadId: UUID } }, mask: { source: { uploadId: UUID } }, size: { width: 1000, height: 1000 } }),
    ).rejects.toMatchObject({
      category: "invalid_input",
    });
    expect(calls.length).toBe(0);
    const a = await c.submit("generate", { prompt: "p", size: { width: 2048, height: 2048 } }, "image4_ultra");
    expect(a.jobId).toBe("urn:ff:jobs:x:1");
    expect(calls[0].url).toBe("http://b/v3/images/generate-async");
    expect((calls[0].init.headers as Record<string, string>)["x-model-version"]).toBe("image4_ultra");
  });

  test("status parses the broker's queued state; the job URN stays unencoded", async () => {
    const { f, calls } = fakeFetch([() => json(200, { jobId: "urn:ff:jobs:a:b", status: "queued", queuePosition: 2 })]);
    const c = createBrokerClient({ baseUrl: "http://b", key: "k", fetch: f });
    const s = await c.status("urn:ff:jobs:a:b");
    expect(s.job).toEqual({ jobId: "urn:ff:jobs:a:b", status: "queued", queuePosition: 2 });
    expect(calls[0].url).toBe("http://b/v3/status/urn:ff:jobs:a:b");
  });

  test("errors are classified: 429 with retry-after, 403 quota, broker key, network", async () => {
    const { f } = fakeFetch([
      () => json(429, { error_code: "rate_limited" }, { "retry-after": "3" }),
      () => json(403, { error_code: "access_error" }, { "x-access-error": "quota_exhausted" }),
      () => json(401, { error_code: "broker_key_invalid", message: "no", category: "auth" }),
      () => {
        throw new TypeError("fetch failed");
      },
    ]);
    const c = createBrokerClient({ baseUrl: "http://b", key: "k", fetch: f });
    await expect(c.status("j")).rejects.toMatchObject({ category: "rate_limited", retryAfterMs: 3000, status: 429 });
    await expect(c.status("j")).rejects.toMatchObject({ category: "quota" });
    await expect(c.status("j")).rejects.toMatchObject({ category: "auth", message: expect.stringMatching(/broker key/) });
    const e = await c.status("j").catch((x) => x);
    expect(e).toBeInstanceOf(BrokerError);
    expect(e.category).toBe("network");
    expect(e.detail).toMatch(/fetch failed/);
  });

  test("downloads go without the Authorization header; relative links resolve against the broker", async () => {
    const { f, calls } = fakeFetch([() => new Response(Uint8Array.of(9, 8, 7)), () => new Response(Uint8Array.of(1))]);
    const c = createBrokerClient({ baseUrl: "http://b:1", key: "secret", fetch: f });
    expect(Array.from(await c.download("http://b:1/outputs/x?sig=1"))).toEqual([9, 8, 7]);
    expect(calls[0].init.headers).toBeUndefined();
    await c.download("/outputs/y");
    expect(calls[1].url).toBe("http://b:1/outputs/y");
  });

  test("cancel treats an already finished job as done", async () => {
    const { f } = fakeFetch([() => json(409, { error_code: "job_completed" })]);
    const c = createBrokerClient({ baseUrl: "http://b", key: "k", fetch: f });
    await expect(c.cancel("j")).resolves.toBeUndefined();
  });
});
