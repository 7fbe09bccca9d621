import { createBrokerClient, upscale } from "../../src/plugin/broker-client";

const UUID = "510aabb4-e154-4a7b-bd2e-f492ee71c938";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function client(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url: String(url), init });
    return answer();
  }) as unknown as typeof fetch;
  return { c: createBrokerClient({ baseUrl: "http://127.0.0.1:8765", key: "k", fetch: f }), calls };
}

describe("broker client: upscale", () => {
  test("upscale posts the precise upsampler's body and model to the broker's upscale route", async () => {
    const accepted = { jobId: "j1", statusUrl: "http://127.0.0.1:8765/v3/status/j1", cancelUrl: "http://127.0.0.1:8765/v3/cancel/j1" };
    const { c, calls } = client(() => json(202, { ...accepted, links: { result: { href: accepted.statusUrl }, cancel: { href: accepted.cancelUrl } } }));
    expect(await upscale(c, UUID, 3, 77)).toMatchObject({ jobId: "j1" });
    expect(calls[0].url).toBe("http://127.0.0.1:8765/v3/images/upscale");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ image: { source: { uploadId: UUID } }, seeds: [77], upscaleFactor: 3 });
    expect((calls[0].init.headers as Record<string, string>)["x-model-version"]).toBe("precise_upsampler_v1");
  });

  test("an upscale's status, whose outputs carry no seed, is read with its outputs in order", async () => {
    const link = "http://127.0.0.1:8765/v1/outputs/j1/0?sig=x";
    const { c } = client(() => json(200, { jobId: "j1", status: "succeeded", result: { outputs: [{ presignedUrl: link, image: { url: link } }] } }));
    const { job } = await c.status("j1");
    expect(job.result?.outputs).toEqual([{ seed: 0, image: { url: link } }]);
  });

  test("a status whose outputs lack a seed without being upscale outputs is still refused", async () => {
    const { c } = client(() => json(200, { jobId: "j1", status: "succeeded", result: { outputs: [{ image: { url: "u" } }] } }));
    await expect(c.status("j1")).rejects.toMatchObject({ category: "service_unavailable" });
  });
});
