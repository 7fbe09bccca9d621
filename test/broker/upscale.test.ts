// POST /v3/images/upscale through the broker: the body validated before anything is queued, paced in
// the same queue as every submit, Adobe's 202 links (pointing at the broker), the outputs re-signed
// by the broker and served with the fake's upscaled content, usage, cancel; and the local engine's
// refusal naming the credentials it needs.

import { encodeRGBAPng, decodeImage } from "../../src/common/imaging/codecs";
import { resampleRGBA } from "../../src/common/imaging/resample";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { UPSCALE_PATTERN_AMPLITUDE, upscalePatternSign } from "../fakes/firefly/upscale";
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
afterAll(async () => {
  for (const ff of fakes) ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close();
  for (const ff of fakes) await ff.close();
});

async function setup(env: Record<string, string> = {}, ffOptions = {}) {
  const ff = await startFakeFirefly(ffOptions);
  fakes.push(ff);
  const clock = manualClock();
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000", ...env }, { now: clock.now });
  brokers.push(b);
  return { ff, b, clock };
}

/** A 7×5 image with a different colour at every pixel. */
const INPUT = (() => {
  const width = 7;
  const height = 5;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([40 + i * 5, 200 - i * 4, 60 + ((i * 37) % 120), 255], i * 4);
  return { width, height, data };
})();

async function uploadInput(b: TestBroker): Promise<string> {
  const r = await call(b.url, "POST", "/v2/storage/image", { key: KEY_A, body: Buffer.from(encodeRGBAPng(INPUT)), headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}

const upscale = (b: TestBroker, body: unknown, headers: Record<string, string> = {}) =>
  call(b.url, "POST", "/v3/images/upscale", { key: KEY_A, body: body as object, headers });
const submits = (ff: FakeFirefly) => ff.calls.filter((c) => c.route === "submit");

describe("upscale through the broker (firefly mode)", () => {
  test("bad bodies and headers are refused with Firefly's 422, naming the field, and nothing goes upstream", async () => {
    const { ff, b } = await setup();
    const id = await uploadInput(b);
    const cases: [unknown, Record<string, string>, (string | number)[]][] = [
      [{ image: { source: { uploadId: id } } }, {}, ["body", "seeds"]],
      [{ image: { source: { uploadId: id } }, seeds: [1], upscaleFactor: 5 }, {}, ["body", "upscaleFactor"]],
      [{ image: { source: { uploadId: id } }, seeds: [1, 1] }, {}, ["body", "seeds"]],
      [{ image: { source: { uploadId: id } }, seeds: [1, 2, 3, 4, 5] }, {}, ["body", "seeds"]],
      [{ image: { source: { uploadId: id } }, seeds: [1], prompt: "sharper" }, {}, ["body", "prompt"]],
      [{ image: { source: { uploadId: id } }, seeds: [1] }, { "x-model-version": "creative_upsampler_v1" }, ["header", "x-model-version"]],
    ];
    for (const [body, headers, loc] of cases) {
      const r = await upscale(b, body, headers);
      expect(r.status).toBe(422);
      expect(r.json).toMatchObject({ error_code: "validation_error", category: "invalid_input" });
      expect(r.json.validation_errors[0].loc).toEqual(loc);
    }
    expect(submits(ff)).toHaveLength(0);
  });

  test("202 with Adobe's links to the broker; the output is the input at 3× with the fine pattern, at a broker-signed link", async () => {
    const { ff, b, clock } = await setup();
    const id = await uploadInput(b);
    const r = await upscale(b, { image: { source: { uploadId: id } }, seeds: [11, 12], upscaleFactor: 3 }, { "x-model-version": "precise_upsampler_v1" });
    expect(r.status).toBe(202);
    const jobId: string = r.json.jobId;
    expect(jobId).toMatch(/^urn:infill:jobs:/);
    expect(r.json.links).toEqual({ result: { href: `${b.url}/v3/status/${jobId}` }, cancel: { href: `${b.url}/v3/cancel/${jobId}` } });
    const done = await until(async () => {
      clock.advance(1_001); // past the status-poll collapsing interval
      const s = await call(b.url, "GET", `/v3/status/${jobId}`, { key: KEY_A });
      return s.json?.status === "succeeded" ? s.json : undefined;
    }, "the upscale to finish");
    const sent = submits(ff)[0];
    expect(sent.path).toBe("/v3/images/upscale");
    expect(sent.body).toEqual({ image: { source: { uploadId: id } }, seeds: [11, 12], upscaleFactor: 3 });
    expect(sent.modelVersion).toBe("precise_upsampler_v1");
    expect(done.result.version).toBe("precise_upsampler_v1");
    expect(done.result.outputs).toHaveLength(2);
    const link: string = done.result.outputs[0].presignedUrl;
    expect(link.startsWith(`${b.url}/v1/outputs/`)).toBe(true);
    expect(done.result.outputs[0].image.url).toBe(link);
    expect(JSON.stringify(done)).not.toContain(ff.url);
    const out = await call(b.url, "GET", link.slice(b.url.length));
    expect(out.status).toBe(200);
    const img = decodeImage(out.body);
    expect([img.width, img.height]).toEqual([21, 15]);
    const plain = resampleRGBA(INPUT, 21, 15);
    for (let y = 0; y < 15; y++)
      for (let x = 0; x < 21; x++) {
        const p = (y * 21 + x) * 4;
        const want = Math.max(0, Math.min(255, plain.data[p] + UPSCALE_PATTERN_AMPLITUDE * upscalePatternSign(x, y)));
        expect(img.data[p]).toBe(want);
      }
    const usage = await call(b.url, "GET", "/v1/usage", { key: KEY_ADMIN });
    expect(usage.json.usage).toEqual(expect.arrayContaining([expect.objectContaining({ owner: "alice", jobs: 1, images: 2 })]));
  });

  test("paced with the other submits: beyond the minute's pace an upscale waits as `queued`", async () => {
    const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "1" });
    const id = await uploadInput(b);
    const second = await expectPacedBehindFirst(b, ff, clock, (n) => upscale(b, { image: { source: { uploadId: id } }, seeds: [n] }), "upscale");
    expect((second.body as { seeds: number[] }).seeds).toEqual([2]);
  });

  test("cancel: a sent upscale is cancelled upstream; a queued one without going upstream", async () => {
    const { ff, b } = await setup({ INFILL_RATE_PER_MINUTE: "1" }, { pollsToFinish: 100 });
    const id = await uploadInput(b);
    await expectCancelSentAndQueued(b, ff, (n) => upscale(b, { image: { source: { uploadId: id } }, seeds: [n] }), "upscale");
  });
});

describe("upscale in local mode", () => {
  test("refused at once with a clear 400 that names the Firefly credentials", async () => {
    const b = await startTestBroker({ INFILL_PROVIDER: "local" });
    brokers.push(b);
    const r = await call(b.url, "POST", "/v3/images/upscale", {
      key: KEY_A,
      body: { image: { source: { uploadId: "00000000-0000-4000-8000-000000000000" } }, seeds: [1] },
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error_code: "needs_firefly_credentials", category: "invalid_input" });
    expect(r.json.message).toMatch(/^Upscale needs Firefly credentials.*FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET/);
  });
});
