// Ten concurrent fill jobs through the real broker in local mode (two engine workers): all
// finish, with the right size and untouched outside pixels, while the broker's /health route keeps
// answering. Ordering, not wall-clock thresholds: a health answer counts when the same job was
// "running" both just before and just after it, which an engine on the event loop could not do.

import sharp from "sharp";
import { call, KEY_A, startTestBroker, TestBroker, until } from "../broker/helpers";
import { grass, rectMask } from "./helpers";

jest.setTimeout(120000);

let b: TestBroker;
beforeAll(async () => {
  b = await startTestBroker({ INFILL_PROVIDER: "local" });
});
afterAll(async () => {
  await b?.close();
});

test("ten concurrent fills on two workers all finish while /health stays responsive", async () => {
  expect(b.providerProblem).toBeUndefined();
  // Small images: what is asserted (all ten finish, right size, outside pixels untouched, /health
  // answered while a job runs) does not depend on their size, and a 32×32 fill costs about a third
  // of a 192×144 one.
  const W = 32,
    H = 32;
  const src = grass(W, H, 31);
  const mask = rectMask(W, H, 8, 8, 24, 24);
  const srcPng = await sharp(Buffer.from(src.data), { raw: { width: W, height: H, channels: 4 } })
    .png()
    .toBuffer();
  const maskPng = await sharp(Buffer.from(mask.data), { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toBuffer();
  const up = async (buf: Buffer): Promise<string> =>
    (await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: buf, headers: { "content-type": "image/png" } })).json.images[0].id;
  const s = await up(srcPng);
  const m = await up(maskPng);

  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const acc = await call(b.url, "POST", "/v3/images/fill-async", {
      key: KEY_A,
      body: { image: { source: { uploadId: s } }, mask: { source: { uploadId: m } }, seeds: [100 + i] },
    });
    expect(acc.status).toBe(202);
    ids.push(acc.json.jobId);
  }
  const statusesNow = async () => (await Promise.all(ids.map((id) => call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A })))).map((r) => r.json);
  let healthDuringRunningJob = 0;
  const results = await until(
    async () => {
      const before = await statusesNow();
      const h = await call(b.url, "GET", "/health");
      expect(h.status).toBe(200);
      expect(h.json.status).toBe("ok");
      const after = await statusesNow();
      if (before.some((st, i) => st.status === "running" && after[i].status === "running")) healthDuringRunningJob++;
      return after.every((st) => ["succeeded", "failed", "cancelled"].includes(st.status)) ? after : undefined;
    },
    "ten local jobs",
    1200,
    40,
  );
  expect(healthDuringRunningJob).toBeGreaterThan(0);
  for (const r of results) expect(r.status).toBe("succeeded");

  const first = new URL(results[0].result.outputs[0].image.url);
  const img = await call(b.url, "GET", first.pathname + first.search);
  const { data, info } = await sharp(img.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([W, H]);
  let outsideDiff = 0;
  for (let i = 0; i < W * H; i++) if (mask.data[i] === 0 && [0, 1, 2, 3].some((c) => data[i * 4 + c] !== src.data[i * 4 + c])) outsideDiff++;
  expect(outsideDiff).toBe(0);
});
