// POST /v3/images/adaptive-composite and /v3/images/precise-composite through the broker: bodies
// validated before anything is queued, paced in the same queue as every submit, answered and polled
// in the same job shape as fill (whichever 202 shape Adobe sends), outputs re-signed by the broker
// and served with the fake's composite of the uploaded inputs, usage, cancel, poll collapsing with the
// Redis store; and the local engine's refusal naming the credentials it needs.

import type { RGBAImage } from "../../src/common/host";
import { decodeImage, encodeRGBAPng } from "../../src/common/imaging/codecs";
import { RedisStore } from "../../src/broker/store/redis";
import { startFakeFirefly, type FakeFirefly, type FakeFireflyOptions } from "../fakes/firefly";
import { startRedis, type TestRedis } from "../store/redis-server";
import {
  call,
  expectCancelSentAndQueued,
  expectPacedBehindFirst,
  KEY_A,
  KEY_ADMIN,
  manualClock,
  registerSecret,
  startTestBroker,
  TestBroker,
  until,
} from "./helpers";

const fakes: FakeFirefly[] = [];
const brokers: TestBroker[] = [];
let redis: TestRedis | undefined;
afterAll(async () => {
  for (const ff of fakes) ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close();
  for (const ff of fakes) await ff.close();
  await redis?.stop();
});

async function setup(env: Record<string, string> = {}, ffOptions: FakeFireflyOptions = {}) {
  const ff = await startFakeFirefly(ffOptions);
  fakes.push(ff);
  const clock = manualClock();
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000", ...env }, { now: clock.now });
  brokers.push(b);
  return { ff, b, clock };
}

const W = 12;
const H = 10;
type RGB = [number, number, number];
function image(width: number, height: number, colour: (x: number, y: number) => [number, number, number, number]): RGBAImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 4);
  return { width, height, data };
}
/** Left half blue-ish, right half orange-ish: the mean is (100, 100, 100). */
const BG_LEFT: RGB = [50, 100, 150];
const BG_RIGHT: RGB = [150, 100, 50];
const BACKGROUND = image(W, H, (x) => [...(x < W / 2 ? BG_LEFT : BG_RIGHT), 255]);
/** White over x 4..7, y 2..5: the object goes into that 4×4 box. */
const FILL_AREA = image(W, H, (x, y) => (x >= 4 && x < 8 && y >= 2 && y < 6 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
/** A red 4×4 object whose top-left pixel is transparent. */
const OBJECT = image(4, 4, (x, y) => (x === 0 && y === 0 ? [0, 0, 0, 0] : [250, 20, 20, 255]));
const bgAt = (x: number): RGB => (x < W / 2 ? BG_LEFT : BG_RIGHT);

async function upload(b: TestBroker, img: RGBAImage): Promise<string> {
  const r = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: Buffer.from(encodeRGBAPng(img)), headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}
async function inputs(b: TestBroker) {
  const [bg, mask, obj] = [await upload(b, BACKGROUND), await upload(b, FILL_AREA), await upload(b, OBJECT)];
  return {
    background: { image: { source: { uploadId: bg } }, fillAreaMask: { source: { uploadId: mask } } },
    object: { image: { source: { uploadId: obj } } },
  };
}

const submit = (b: TestBroker, kind: "adaptive" | "precise", body: unknown, headers: Record<string, string> = {}) =>
  call(b.url, "POST", `/v3/images/${kind}-composite`, { key: KEY_A, body: body as object, headers });
const submits = (ff: FakeFirefly) => ff.calls.filter((c) => c.route === "submit");

async function finished(b: TestBroker, clock: ReturnType<typeof manualClock>, jobId: string) {
  return until(async () => {
    clock.advance(1_001); // past the status-poll collapsing interval
    const s = await call(b.url, "GET", `/v3/status/${jobId}`, { key: KEY_A });
    return s.json?.status === "succeeded" ? s.json : undefined;
  }, "the composite to finish");
}

async function download(b: TestBroker, link: string): Promise<RGBAImage> {
  expect(link.startsWith(`${b.url}/v1/outputs/`)).toBe(true);
  const out = await call(b.url, "GET", link.slice(b.url.length));
  expect(out.status).toBe(200);
  return decodeImage(out.body);
}
const px = (img: RGBAImage, x: number, y: number): RGB => {
  const p = (y * img.width + x) * 4;
  return [img.data[p], img.data[p + 1], img.data[p + 2]];
};

describe("composites through the broker (firefly mode)", () => {
  test("bad bodies and headers are refused with Firefly's 422, naming the field, and nothing goes upstream", async () => {
    const { ff, b } = await setup();
    const ok = await inputs(b);
    const cases: ["adaptive" | "precise", unknown, Record<string, string>, (string | number)[]][] = [
      ["adaptive", { ...ok, harmonization: 1.5 }, {}, ["body", "harmonization"]],
      ["adaptive", { ...ok, harmonization: -0.2 }, {}, ["body", "harmonization"]],
      ["adaptive", { ...ok, shadowIntensity: 3 }, {}, ["body", "shadowIntensity"]],
      ["adaptive", { ...ok, numVariations: 4 }, {}, ["body", "numVariations"]],
      ["precise", { ...ok, numVariations: 0 }, {}, ["body", "numVariations"]],
      ["adaptive", { ...ok, numVariations: 2, seeds: [1, 2, 3] }, {}, ["body", "seeds"]],
      ["adaptive", { ...ok, background: { image: ok.background.image } }, {}, ["body", "background", "fillAreaMask"]],
      ["precise", { background: ok.background }, {}, ["body", "object"]],
      ["precise", { ...ok, blend: -1 }, {}, ["body", "blend"]],
      ["precise", { ...ok, harmonization: 0.5 }, {}, ["body", "harmonization"]],
      ["adaptive", ok, { "x-model-version": "image4_standard" }, ["header", "x-model-version"]],
    ];
    for (const [kind, body, headers, loc] of cases) {
      const r = await submit(b, kind, body, headers);
      expect(r.status).toBe(422);
      expect(r.json).toMatchObject({ error_code: "validation_error", category: "invalid_input" });
      expect(r.json.validation_errors[0].loc).toEqual(loc);
    }
    expect(submits(ff)).toHaveLength(0);
  });

  test("adaptive: fill's job shape; two outputs at broker-signed links, the object tinted toward the scene with a contact shadow", async () => {
    const { ff, b, clock } = await setup();
    const body = { ...(await inputs(b)), numVariations: 2, harmonization: 0.5, shadowIntensity: 1 };
    const r = await submit(b, "adaptive", body);
    expect(r.status).toBe(202);
    const jobId: string = r.json.jobId;
    expect(r.json).toEqual({ jobId, statusUrl: `${b.url}/v3/status/${jobId}`, cancelUrl: `${b.url}/v3/cancel/${jobId}` });
    const done = await finished(b, clock, jobId);
    const sent = submits(ff)[0];
    expect(sent.path).toBe("/v3/images/adaptive-composite");
    expect(sent.body).toEqual(body);
    expect(sent.modelVersion).toBeUndefined();
    expect(done.result.outputs.map((o: { seed: number }) => o.seed)).toEqual([333, 222]);
    expect(JSON.stringify(done)).not.toContain(ff.url);
    const img = await download(b, done.result.outputs[1].image.url);
    expect([img.width, img.height]).toEqual([W, H]);
    // Inside the box: red pulled halfway to the mean (100, 100, 100).
    expect(px(img, 5, 3)).toEqual([175, 60, 60]);
    expect(px(img, 7, 5)).toEqual([175, 60, 60]);
    // The object's transparent pixel shows the background.
    expect(px(img, 4, 2)).toEqual(BG_LEFT);
    // The row under the box is darkened by half (shadowIntensity 1), only under the box.
    expect(px(img, 4, 6)).toEqual([25, 50, 75]);
    expect(px(img, 7, 6)).toEqual([75, 50, 25]);
    // Everything else is the background as sent.
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (!(x >= 4 && x < 8 && y >= 2 && y < 7)) expect(px(img, x, y)).toEqual(bgAt(x));
    const usage = await call(b.url, "GET", "/v1/usage", { key: KEY_ADMIN });
    expect(usage.json.usage).toEqual(expect.arrayContaining([expect.objectContaining({ owner: "alice", jobs: 1, images: 2 })]));
  });

  test("precise, with Firefly answering in links: the same job shape, the object blended and no shadow", async () => {
    const { ff, b, clock } = await setup({}, { compositeAccept: "links" });
    const r = await submit(b, "precise", { ...(await inputs(b)), blend: 0.25, seeds: [7] });
    expect(r.status).toBe(202);
    expect(Object.keys(r.json).sort()).toEqual(["cancelUrl", "jobId", "statusUrl"]);
    const done = await finished(b, clock, r.json.jobId);
    expect(submits(ff)[0].path).toBe("/v3/images/precise-composite");
    expect(done.result.outputs.map((o: { seed: number }) => o.seed)).toEqual([7]);
    const img = await download(b, done.result.outputs[0].image.url);
    // blend 0.25 keeps a quarter of the original: red pulled three quarters of the way to the mean.
    expect(px(img, 6, 4)).toEqual([138, 80, 80]);
    expect(px(img, 4, 6)).toEqual(BG_LEFT);
    expect(px(img, 7, 6)).toEqual(BG_RIGHT);
  });

  test("paced with the other submits: beyond the minute's pace a composite waits as `queued`", async () => {
    const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "1" });
    const ok = await inputs(b);
    const second = await expectPacedBehindFirst(
      b,
      ff,
      clock,
      (n) => (n === 1 ? submit(b, "adaptive", ok) : submit(b, "precise", { ...ok, seeds: [2] })),
      "composite",
    );
    expect(second.path).toBe("/v3/images/precise-composite");
  });

  test("cancel: a sent composite is cancelled upstream; a queued one without going upstream", async () => {
    const { ff, b } = await setup({ INFILL_RATE_PER_MINUTE: "1" }, { pollsToFinish: 100 });
    const ok = await inputs(b);
    await expectCancelSentAndQueued(b, ff, (n) => submit(b, "adaptive", { ...ok, seeds: [n] }), "composite");
  });
});

describe("composites with the Redis store", () => {
  test("concurrent polls of a composite collapse into one upstream call per second; the result comes back signed", async () => {
    redis = await startRedis();
    const { ff, b, clock } = await setup({ INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: "composite:" });
    expect(b.store).toBeInstanceOf(RedisStore);
    const r = await submit(b, "adaptive", { ...(await inputs(b)), harmonization: 0.5 });
    expect(r.status).toBe(202);
    const id: string = r.json.jobId;
    await until(async () => (await b.store.getJob(id))?.state === "submitted", "the composite to be submitted");
    const statusCalls = () => ff.calls.filter((c) => c.route === "status").length;
    const burst = () => Promise.all(Array.from({ length: 20 }, () => call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A })));
    const first = await burst();
    expect(first.every((x) => x.status === 200 && x.json.status === "running")).toBe(true);
    expect(statusCalls()).toBe(1);
    clock.advance(1_000);
    const second = await burst();
    expect(statusCalls()).toBe(2);
    expect(second.every((x) => x.json.status === "succeeded")).toBe(true);
    const img = await download(b, second[0].json.result.outputs[0].image.url);
    expect(px(img, 5, 3)).toEqual([175, 60, 60]);
  });
});

describe("composites in local mode", () => {
  test("refused at once with a clear 400 that names the Firefly credentials", async () => {
    const b = await startTestBroker({ INFILL_PROVIDER: "local" });
    brokers.push(b);
    const ref = { source: { uploadId: "00000000-0000-4000-8000-000000000000" } };
    const body = { background: { image: ref, fillAreaMask: ref }, object: { image: ref } };
    for (const [kind, name] of [
      ["adaptive", "Adaptive composite"],
      ["precise", "Precise composite"],
    ] as const) {
      const r = await submit(b, kind, body);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
      expect(r.json.message).toMatch(
        new RegExp(`^${name} \\(Harmonize\\) needs Firefly credentials.*FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET`),
      );
    }
  });
});
