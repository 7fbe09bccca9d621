// The sampling area through the API: the local engine takes an optional `samplingMask` upload in
// the fill and expand bodies (checked like the mask) and copies only from it; a Firefly broker
// refuses it before anything is queued or sent.

import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import sharp from "sharp";
import { createLocalProvider } from "../../src/broker/local";
import { fillImage, expandImage } from "../../src/broker/local/engine";
import type { GrayImage, RgbaImage } from "../../src/broker/local/engine/types";
import { ProviderError, readAll, type Provider, type ProviderJobStatus } from "../../src/broker/providers/provider";
import { type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, fillBody, KEY_A, TestBroker, useFireflyBroker } from "../broker/helpers";
import { grass } from "./helpers";

jest.setTimeout(120000);

const W = 120,
  H = 90;

/** Grass whose left part is recoloured red: a hole on the border continues red unless the left is out of the sampling area. */
function scene(): RgbaImage {
  const img = grass(W, H, 5);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W / 2; x++) {
      const o = (y * W + x) * 4;
      img.data[o] = Math.min(255, img.data[o + 1] + 90);
      img.data[o + 1] = img.data[o + 2] >> 1;
    }
  return img;
}

function gray(w: number, h: number, f: (x: number, y: number) => boolean): GrayImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (f(x, y)) data[y * w + x] = 255;
  return { width: w, height: h, data };
}

async function png(img: { width: number; height: number; data: Uint8Array }, channels: 1 | 4): Promise<Buffer> {
  return sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels } })
    .png()
    .toBuffer();
}

describe("local engine: samplingMask", () => {
  let dir: string;
  let provider: Provider;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "infill-local-sampling-"));
    provider = createLocalProvider({ dataDir: dir, workers: 1 });
  });
  afterAll(async () => {
    await provider.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const upload = async (bytes: Buffer): Promise<string> => (await provider.upload(Readable.from([bytes]), "image/png", "tester")).uploadId;

  async function settled(jobId: string): Promise<ProviderJobStatus> {
    for (;;) {
      const s = await provider.status(jobId);
      if (!["pending", "running"].includes(s.status)) return s;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function result(jobId: string): Promise<Buffer> {
    const s = await settled(jobId);
    expect(s.status).toBe("succeeded");
    const out = await provider.openOutput(s.result!.outputs[0].image.url);
    return sharp(await readAll(out.stream))
      .ensureAlpha()
      .raw()
      .toBuffer();
  }

  async function refusal(submit: Promise<unknown>): Promise<{ status: number; message: string; loc: unknown }> {
    const e = await submit.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ProviderError);
    const pe = e as ProviderError;
    const body = pe.body as { message: string; validation_errors: { loc: unknown }[] };
    return { status: pe.status, message: body.message, loc: body.validation_errors[0].loc };
  }

  const img = scene();
  const hole = gray(W, H, (x, y) => Math.hypot(x - 60, y - 45) < 16);
  const right = gray(W, H, (x) => x >= 60);

  it("fill: the result is the engine's with that sampling area (and differs from the fill without one)", async () => {
    const [image, mask, sampling] = await Promise.all([upload(await png(img, 4)), upload(await png(hole, 1)), upload(await png(right, 1))]);
    const { jobId } = await provider.submit("fill", { ...fillBody(image, mask), samplingMask: { source: { uploadId: sampling } }, seeds: [3] }, undefined, "t");
    const got = await result(jobId);
    const want = fillImage(img, hole, { seed: 3, samplingMask: right });
    expect(Buffer.compare(got, Buffer.from(want.data))).toBe(0);
    expect(Buffer.compare(got, Buffer.from(fillImage(img, hole, { seed: 3 }).data))).not.toBe(0);
  });

  it("expand: the sampling mask is the canvas's size; invert swaps it", async () => {
    const src = grass(80, 60, 2);
    const left = gray(120, 60, (x) => x < 60);
    const [image, sampling] = await Promise.all([upload(await png(src, 4)), upload(await png(left, 1))]);
    const body = {
      image: { source: { uploadId: image } },
      size: { width: 120, height: 60 },
      samplingMask: { source: { uploadId: sampling }, invert: true },
      seeds: [4],
    };
    const got = await result((await provider.submit("expand", body, undefined, "t")).jobId);
    const rightOfCanvas = gray(120, 60, (x) => x >= 60);
    const want = expandImage(src, { width: 120, height: 60 }, { seed: 4, samplingMask: rightOfCanvas });
    expect(Buffer.compare(got, Buffer.from(want.data))).toBe(0);
  });

  it("refuses a sampling mask of another size and an unknown one, naming the field", async () => {
    const [image, mask, small] = await Promise.all([
      upload(await png(img, 4)),
      upload(await png(hole, 1)),
      upload(
        await png(
          gray(10, 10, () => true),
          1,
        ),
      ),
    ]);
    const wrongSize = await refusal(provider.submit("fill", { ...fillBody(image, mask), samplingMask: { source: { uploadId: small } } }, undefined, "t"));
    expect(wrongSize).toMatchObject({ status: 422, loc: ["body", "samplingMask", "source"] });
    expect(wrongSize.message).toMatch(/sampling mask is 10×10 but the image is 120×90/);
    const unknown = await refusal(
      provider.submit("fill", { ...fillBody(image, mask), samplingMask: { source: { uploadId: "00000000-0000-4000-8000-000000000000" } } }, undefined, "t"),
    );
    expect(unknown).toMatchObject({ status: 422, loc: ["body", "samplingMask", "source", "uploadId"] });
    const expandSmall = await refusal(
      provider.submit(
        "expand",
        { image: { source: { uploadId: image } }, size: { width: 200, height: 90 }, samplingMask: { source: { uploadId: mask } } },
        undefined,
        "t",
      ),
    );
    expect(expandSmall.message).toMatch(/requested size is 200×90/);
  });

  it("fails the job clearly when the sampling area leaves nothing to copy", async () => {
    const [image, mask, none] = await Promise.all([
      upload(await png(img, 4)),
      upload(await png(hole, 1)),
      upload(
        await png(
          gray(W, H, () => false),
          1,
        ),
      ),
    ]);
    const { jobId } = await provider.submit("fill", { ...fillBody(image, mask), samplingMask: { source: { uploadId: none } } }, undefined, "t");
    const s = await settled(jobId);
    expect(s).toMatchObject({ status: "failed", error_code: "validation_error" });
    expect(s.message).toMatch(/sampling area leaves nothing/);
  });
});

describe("Firefly mode: samplingMask", () => {
  let ff: FakeFirefly;
  let broker: TestBroker;
  useFireflyBroker((rig) => ({ ff, broker } = rig));

  it("is refused at submit with a 422 naming it, and nothing is sent to Firefly", async () => {
    const up = async () =>
      (await call(broker.url, "POST", "/v2/storage/image", { key: KEY_A, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } })).json.images[0]
        .id as string;
    const [image, mask, sampling] = [await up(), await up(), await up()];
    const r = await call(broker.url, "POST", "/v3/images/fill-async", {
      key: KEY_A,
      body: fillBody(image, mask, { samplingMask: { source: { uploadId: sampling } } }),
    });
    expect(r.status).toBe(422);
    expect(r.json.message).toMatch(/samplingMask is an option of the local engine/);
    expect(ff.calls.some((c) => c.route === "submit")).toBe(false);
    const ok = await call(broker.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(image, mask) });
    expect(ok.status).toBe(202);
  });
});
