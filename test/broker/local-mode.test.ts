// Local mode with the real local engine wired in: the same Firefly-shaped flow (upload, fill,
// queued/pending → succeeded, signed output streamed by the broker) with no credentials, and
// Firefly-only endpoints answering a clear error.

import sharp from "sharp";
import { call, KEY_A, KEY_B, startTestBroker, TestBroker, until } from "./helpers";

let b: TestBroker;
beforeAll(async () => {
  b = await startTestBroker({ INFILL_PROVIDER: "local" });
});
afterAll(async () => {
  await b.close();
});

async function png(w: number, h: number, channels: 1 | 3, px: (x: number, y: number) => number[]): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px(x, y).forEach((v, c) => (raw[(y * w + x) * channels + c] = v));
  return sharp(raw, { raw: { width: w, height: h, channels } })
    .png()
    .toBuffer();
}

test("fill runs end to end on the local engine through the broker", async () => {
  expect(b.providerProblem).toBeUndefined();
  const health = await call(b.url, "GET", "/health");
  expect(health.json).toMatchObject({ status: "ok", mode: "local" });
  const src = await png(96, 64, 3, (x, y) => [(x * 5) % 256, (y * 7) % 256, 120]);
  const mask = await png(96, 64, 1, (x, y) => [x >= 30 && x < 60 && y >= 20 && y < 44 ? 255 : 0]);
  const up = async (buf: Buffer) =>
    (await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: buf, headers: { "content-type": "image/png" } })).json.images[0].id;
  const s = await up(src);
  const m = await up(mask);
  const acc = await call(b.url, "POST", "/v3/images/fill-async", {
    key: KEY_A,
    body: { image: { source: { uploadId: s } }, mask: { source: { uploadId: m } }, seeds: [7] },
  });
  expect(acc.status).toBe(202);
  expect((await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_B })).status).toBe(404);
  const done = await until(
    async () => {
      const r = await call(b.url, "GET", `/v3/status/${acc.json.jobId}`, { key: KEY_A });
      return ["succeeded", "failed"].includes(r.json.status) ? r.json : undefined;
    },
    "local job",
    600,
    100,
  );
  expect(done.status).toBe("succeeded");
  const link = new URL(done.result.outputs[0].image.url);
  expect(link.origin).toBe(b.url);
  const img = await call(b.url, "GET", link.pathname + link.search);
  expect(img.status).toBe(200);
  expect(img.headers["content-type"]).toMatch(/^image\//);
  const meta = await sharp(img.body).metadata();
  expect([meta.width, meta.height]).toEqual([96, 64]);
});

test("generate, generate-similar and custom models need Firefly: refused at once with a clear JSON error", async () => {
  const gen = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "a lighthouse" } });
  expect(gen.status).toBe(400);
  expect(gen.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
  expect(gen.json.message).toMatch(/^Generate needs Firefly credentials/);
  const similar = await call(b.url, "POST", "/v3/images/generate-similar-async", {
    key: KEY_A,
    body: { image: { source: { uploadId: "510aabb4-e154-4a7b-bd2e-f492ee71c938" } } },
  });
  expect(similar.status).toBe(400);
  expect(similar.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
  const models = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
  expect(models.status).toBeGreaterThanOrEqual(400);
  expect(models.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
});
