// Local mode under the memory attack, scaled to the suite: small PNGs that decode to many
// megapixels, several fills at once with 4 variations each. An image over the pixel limit is
// refused at upload naming the limit (its header is read, nothing decoded); the ones under it are
// decoded only when a worker starts their task, and tasks start only while their estimated memory
// fits the budget. The broker is a real child process; its resident memory is read from /proc.

import sharp from "sharp";
import { KEY_A, call, until } from "../broker/helpers";
import { startBrokerProcess, uploadPng, type BrokerProcess } from "./broker-process";

jest.setTimeout(240000);

const MB = 1024 * 1024;
/** The stated budget for running tasks in this test (INFILL_LOCAL_MEMORY_MB). */
const BUDGET_MB = 256;

let b: BrokerProcess;
afterAll(async () => {
  await b?.stop();
});

/** A smooth gradient: a few hundred KB of PNG that decodes to `w`×`h` RGBA. */
function gradientPng(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      raw[o] = (x * 255) / w;
      raw[o + 1] = (y * 255) / h;
      raw[o + 2] = 128;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

function maskPng(w: number, h: number, hole: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h);
  const x0 = Math.floor(w / 2 - hole / 2),
    y0 = Math.floor(h / 2 - hole / 2);
  for (let y = y0; y < y0 + hole; y++) raw.fill(255, y * w + x0, y * w + x0 + hole);
  return sharp(raw, { raw: { width: w, height: h, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

async function waitDone(id: string): Promise<Record<string, unknown>> {
  return until(
    async () => {
      const r = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
      return ["succeeded", "failed", "cancelled"].includes(r.json.status) ? r.json : undefined;
    },
    `job ${id}`,
    2400,
    50,
  );
}

test("an image over the pixel limit is refused naming it; fills of 9 MP images, 6 at once × 4 variations, stay within the memory budget", async () => {
  b = await startBrokerProcess({ INFILL_LOCAL_MAX_MEGAPIXELS: "12", INFILL_LOCAL_MEMORY_MB: String(BUDGET_MB) });

  // Warm up: both workers started and a job run, so the baseline holds everything a broker keeps.
  const small = await uploadPng(b.url, await gradientPng(256, 192));
  const smallMask = await uploadPng(b.url, await maskPng(256, 192, 40));
  const warm = await call(b.url, "POST", "/v3/images/fill-async", {
    key: KEY_A,
    body: { image: { source: { uploadId: small } }, mask: { source: { uploadId: smallMask } }, seeds: [1, 2] },
  });
  expect(await waitDone(warm.json.jobId)).toMatchObject({ status: "succeeded" });
  const baseline = b.rss();

  // Over the limit: 4000×4000 = 16 MP. The header says so; the answer names the limit.
  const huge = await gradientPng(4000, 4000);
  expect(huge.length).toBeLessThan(2 * MB);
  const refused = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: huge, headers: { "content-type": "image/png" } });
  expect(refused.status).toBe(400);
  expect(refused.json.message).toContain("4000×4000");
  expect(refused.json.message).toContain("at most 12 megapixels");
  expect(refused.json.message).not.toContain("could not be read");

  // Under it: 3000×3000 = 9 MP, 36 MB decoded; 6 jobs × 4 variations would hold over 1 GB decoded at once.
  const W = 3000,
    H = 3000;
  const image = await uploadPng(b.url, await gradientPng(W, H));
  // A small hole: the engine completes a crop around it, so the memory held is the decoded
  // images' and the hole's size only changes how long the engine runs.
  const mask = await uploadPng(b.url, await maskPng(W, H, 16));
  let peak = b.rss();
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, b.rss());
    } catch {
      /* exited */
    }
  }, 20);
  try {
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const r = await call(b.url, "POST", "/v3/images/fill-async", {
          key: KEY_A,
          body: { image: { source: { uploadId: image } }, mask: { source: { uploadId: mask } }, seeds: [10 + i, 20 + i, 30 + i, 40 + i] },
        });
        expect(r.status).toBe(202);
        ids.push(r.json.jobId);
      }),
    );
    // Until one whole job (4 variations, each decoded, filled and encoded) has finished.
    const first = await Promise.race(ids.map(waitDone));
    expect(first).toMatchObject({ status: "succeeded" });
    for (const id of ids) await call(b.url, "PUT", `/v3/cancel/${id}`, { key: KEY_A });
    for (const id of ids) await waitDone(id);
  } finally {
    clearInterval(sampler);
  }
  const h = await call(b.url, "GET", "/health");
  expect(h.status).toBe(200);
  process.stdout.write(`local memory attack: baseline ${Math.round(baseline / MB)} MB, peak ${Math.round(peak / MB)} MB, budget ${BUDGET_MB} MB\n`);
  expect(peak - baseline).toBeLessThan(BUDGET_MB * MB);
});
