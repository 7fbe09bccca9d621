// Instant previews: a Firefly broker answers POST /v1/preview/{fill,expand} from its local engine
// at once, for the same body and upload ids as the Firefly job (same validation and ownership),
// without queueing, pacing or counting it; INFILL_PREVIEWS=off and local mode answer a clear 409.

import * as path from "path";
import sharp from "sharp";
import { loadConfig } from "../../src/broker/config";
import { utcDay } from "../../src/broker/store/store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, fillBody, KEY_A, KEY_ADMIN, KEY_B, registerSecret, startTestBroker, tmpDir, until, type TestBroker } from "./helpers";

let ff: FakeFirefly;
let b: TestBroker;

beforeAll(async () => {
  ff = await startFakeFirefly();
  // Paced at one submit a minute: the second job waits, and a preview must not.
  b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1" });
});
afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  await b?.close();
  await ff?.close();
});

// Small images: the engine's time grows with them, and nothing here is about size.
const W = 48;
const H = 32;
const inHole = (x: number, y: number) => x >= 15 && x < 30 && y >= 10 && y < 22;

async function png(w: number, h: number, channels: 1 | 3, px: (x: number, y: number) => number[]): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px(x, y).forEach((v, c) => (raw[(y * w + x) * channels + c] = v));
  return sharp(raw, { raw: { width: w, height: h, channels } })
    .png()
    .toBuffer();
}

const source = () => png(W, H, 3, (x, y) => [(x * 5) % 256, (y * 7) % 256, 120]);
const mask = () => png(W, H, 1, (x, y) => [inHole(x, y) ? 255 : 0]);

async function upload(broker: TestBroker, key: string, bytes: Buffer): Promise<string> {
  const r = await call(broker.url, "POST", "/v2/storage/image", { key, body: bytes, headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}

const submits = () => ff.calls.filter((c) => c.route === "submit").length;

test("a fill preview comes from the local engine at once while the Firefly jobs wait, and is not counted", async () => {
  const src = await source();
  const s = await upload(b, KEY_A, src);
  const m = await upload(b, KEY_A, await mask());
  const body = fillBody(s, m, { prompt: "a red door", numVariations: 2 });
  // Two Firefly jobs: at one a minute the second stays queued.
  const first = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body });
  expect(first.status).toBe(202);
  const queued = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body });
  expect(queued.status).toBe(202);
  // The first job goes upstream in the background: wait until it has, so that the counts read
  // below are settled and only a preview could still move them.
  await until(
    async () => submits() === 1 && (await call(b.url, "GET", `/v3/status/${first.json.jobId}`, { key: KEY_A })).json.status !== "queued",
    "the first job to be submitted",
  );
  const usageBefore = (await call(b.url, "GET", "/v1/usage", { key: KEY_ADMIN })).json;
  const rateBefore = await b.store.rateUsage(b.jobs.now());
  const submitsBefore = submits();

  const p = await call(b.url, "POST", "/v1/preview/fill", { key: KEY_A, body });
  expect(p.status).toBe(200);
  expect(p.headers["content-type"]).toBe("image/png");
  expect((await call(b.url, "GET", `/v3/status/${queued.json.jobId}`, { key: KEY_A })).json.status).toBe("queued");

  // One image, the source's size, untouched outside the mask and filled inside it.
  const out = await sharp(p.body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([out.info.width, out.info.height]).toEqual([W, H]);
  const want = await sharp(src).raw().toBuffer();
  let outsideDiff = 0;
  let insideDiff = 0;
  for (let i = 0; i < W * H * 3; i++) {
    const px = Math.floor(i / 3);
    const d = Math.abs(out.data[i] - want[i]);
    if (inHole(px % W, Math.floor(px / W))) insideDiff += d;
    else outsideDiff += d;
  }
  expect(outsideDiff).toBe(0);
  expect(insideDiff).toBeGreaterThan(0);

  // Not a Firefly submit, not in the rate window, not in anyone's usage.
  expect(submits()).toBe(submitsBefore);
  expect(await b.store.rateUsage(b.jobs.now())).toEqual(rateBefore);
  expect((await call(b.url, "GET", "/v1/usage", { key: KEY_ADMIN })).json).toEqual(usageBefore);
  expect(usageBefore.usage).toBeDefined();
  expect(JSON.stringify(usageBefore.usage)).toContain(utcDay(b.jobs.now()));
});

test("an expand preview has the requested size", async () => {
  const s = await upload(b, KEY_A, await source());
  const r = await call(b.url, "POST", "/v1/preview/expand", { key: KEY_A, body: { image: { source: { uploadId: s } }, size: { width: 64, height: 48 } } });
  expect(r.status).toBe(200);
  const meta = await sharp(r.body).metadata();
  expect([meta.width, meta.height]).toEqual([64, 48]);
});

test("the body is validated and upload ids checked as for the Firefly route", async () => {
  const s = await upload(b, KEY_A, await source());
  const m = await upload(b, KEY_A, await mask());
  const noMask = await call(b.url, "POST", "/v1/preview/fill", { key: KEY_A, body: { image: { source: { uploadId: s } } } });
  expect(noMask.status).toBe(422);
  expect(noMask.json).toMatchObject({ error_code: "validation_error", category: "invalid_input" });
  // Another key's upload ids are answered exactly like unknown ones.
  const stolen = await call(b.url, "POST", "/v1/preview/fill", { key: KEY_B, body: fillBody(s, m) });
  const unknown = await call(b.url, "POST", "/v1/preview/fill", { key: KEY_B, body: fillBody("0d4a8b0e-1111-4222-8333-444455556666", m) });
  expect(stolen.status).toBe(422);
  expect(unknown.status).toBe(422);
  expect(stolen.json.message).toBe(unknown.json.message);
  expect((await call(b.url, "POST", "/v1/preview/fill", { key: null, body: fillBody(s, m) })).status).toBe(401);
  expect((await call(b.url, "GET", "/v1/preview/fill", { key: KEY_A })).status).toBe(405);
  expect((await call(b.url, "POST", "/v1/preview/generate", { key: KEY_A, body: { prompt: "x" } })).status).toBe(404);
  expect((await call(b.url, "POST", "/v1/preview/fill", { key: KEY_A, body: "{not json", headers: { "content-type": "application/json" } })).status).toBe(400);
});

test("after a restart, an upload the preview engine no longer knows is a 409 that names no id", async () => {
  const dir = tmpDir();
  const first = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1" }, { dir });
  let s: string;
  let m: string;
  try {
    s = await upload(first, KEY_A, await source());
    m = await upload(first, KEY_A, await mask());
    expect((await call(first.url, "POST", "/v1/preview/fill", { key: KEY_A, body: fillBody(s, m) })).status).toBe(200);
  } finally {
    await first.close();
  }
  const again = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1" }, { dir });
  try {
    const r = await call(again.url, "POST", "/v1/preview/fill", { key: KEY_A, body: fillBody(s, m) });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ error_code: "preview_unavailable" });
    expect(r.text).not.toContain(s);
    // The uploads are still this key's for Firefly.
    expect((await call(again.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(s, m) })).status).toBe(202);
  } finally {
    await again.close();
  }
});

describe("when previews are off or there is no Firefly", () => {
  test("INFILL_PREVIEWS=off answers 409 previews_off and makes nothing", async () => {
    const off = await startTestBroker({ ...ff.env(), INFILL_PREVIEWS: "off", INFILL_RATE_PER_MINUTE: "1" });
    try {
      const s = await upload(off, KEY_A, await source());
      const m = await upload(off, KEY_A, await mask());
      const r = await call(off.url, "POST", "/v1/preview/fill", { key: KEY_A, body: fillBody(s, m) });
      expect(r.status).toBe(409);
      expect(r.json).toMatchObject({ error_code: "previews_off", category: "invalid_input" });
      expect(r.json.message).toContain("INFILL_PREVIEWS=off");
    } finally {
      await off.close();
    }
  });

  test("a local-mode broker has no preview", async () => {
    const local = await startTestBroker({ INFILL_PROVIDER: "local" });
    try {
      const s = await upload(local, KEY_A, await source());
      const m = await upload(local, KEY_A, await mask());
      const r = await call(local.url, "POST", "/v1/preview/fill", { key: KEY_A, body: fillBody(s, m) });
      expect(r.status).toBe(409);
      expect(r.json).toMatchObject({ error_code: "preview_local_mode" });
    } finally {
      await local.close();
    }
  });

  test("INFILL_PREVIEWS takes on or off only", () => {
    const dir = tmpDir();
    const base = { INFILL_CONFIG_DIR: path.join(dir, "c"), INFILL_DATA_DIR: path.join(dir, "d"), INFILL_API_KEY: "k".repeat(20) };
    expect(loadConfig({ ...base }, { cwd: dir }).previews).toBe(true);
    expect(loadConfig({ ...base, INFILL_PREVIEWS: "off" }, { cwd: dir }).previews).toBe(false);
    expect(() => loadConfig({ ...base, INFILL_PREVIEWS: "maybe" }, { cwd: dir })).toThrow('INFILL_PREVIEWS must be "on" or "off" (got "maybe")');
  });
});
