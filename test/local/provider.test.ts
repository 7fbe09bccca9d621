// The local provider end to end through its Provider interface: real sharp codecs, real workers.

import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import sharp from "sharp";
import { createLocalProvider } from "../../src/broker/local";
import { ProviderError, readAll, type Provider, type ProviderJobStatus } from "../../src/broker/providers/provider";
import { classifyError } from "../../src/common/firefly";
import { until } from "../broker/helpers";
import { grass, rectMask } from "./helpers";

jest.setTimeout(120000);

let dir: string;
let provider: Provider;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "infill-local-test-"));
  provider = createLocalProvider({ dataDir: dir, workers: 2 });
});
afterAll(async () => {
  await provider.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function pngOf(img: { width: number; height: number; data: Uint8Array }, channels: 1 | 4): Promise<Buffer> {
  return sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels } })
    .png()
    .toBuffer();
}

async function upload(bytes: Buffer): Promise<string> {
  return (await provider.upload(Readable.from([bytes]), "image/png", "tester")).uploadId;
}

async function waitDone(jobId: string, seen?: Set<string>): Promise<ProviderJobStatus> {
  for (;;) {
    const s = await provider.status(jobId);
    seen?.add(s.status);
    if (!["pending", "running", "cancel_pending"].includes(s.status)) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function outputPixels(s: ProviderJobStatus, i = 0): Promise<{ bytes: Buffer; raw: Buffer; width: number; height: number }> {
  const out = await provider.openOutput(s.result!.outputs[i].image.url);
  expect(out.contentType).toBe("image/png");
  const bytes = await readAll(out.stream);
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { bytes, raw: data, width: info.width, height: info.height };
}

function expectError(e: unknown, status: number, code: string): ProviderError {
  expect(e).toBeInstanceOf(ProviderError);
  const pe = e as ProviderError;
  expect(pe.status).toBe(status);
  expect((pe.body as { error_code: string }).error_code).toBe(code);
  return pe;
}

describe("local provider", () => {
  // Small images: what these cases assert (states, result shape, outside pixels, invert, same
  // bytes for a seed, placement) does not depend on the size, and a 40×30 fill is a fraction of the
  // engine's cost at 200×150.
  const W = 40,
    H = 30,
    EW = 52,
    EH = 38;
  const src = grass(W, H, 8);
  const mask = rectMask(W, H, 14, 8, 28, 22);

  it("fills: pending → running → succeeded, Firefly-shaped result, input size, outside pixels exact, prompt noted as unused", async () => {
    const image = await upload(await pngOf(src, 4));
    const m = await upload(await pngOf(mask, 1));
    const { jobId } = await provider.submit(
      "fill",
      { image: { source: { uploadId: image } }, mask: { source: { uploadId: m } }, prompt: "a red car", numVariations: 2 },
      undefined,
      "tester",
    );
    const first = await provider.status(jobId);
    expect(["pending", "running"]).toContain(first.status);
    const seen = new Set<string>([first.status]);
    const s = await waitDone(jobId, seen);
    expect(s.status).toBe("succeeded");
    expect(seen.has("succeeded")).toBe(true);
    expect(s.progress).toBe(100);
    expect(s.result!.size).toEqual({ width: W, height: H });
    expect(s.result!.outputs).toHaveLength(2);
    expect(s.result!.promptUsed).toBe(false);
    expect(String(s.result!.note)).toMatch(/prompt was not used/);
    for (const o of s.result!.outputs) expect(Number.isInteger(o.seed)).toBe(true);
    const px = await outputPixels(s);
    expect([px.width, px.height]).toEqual([W, H]);
    let outsideDiff = 0,
      insideDiff = 0;
    for (let i = 0; i < W * H; i++) {
      const same = [0, 1, 2, 3].every((c) => px.raw[i * 4 + c] === src.data[i * 4 + c]);
      if (mask.data[i] === 0 && !same) outsideDiff++;
      if (mask.data[i] === 255 && !same) insideDiff++;
    }
    expect(outsideDiff).toBe(0);
    expect(insideDiff).toBeGreaterThan(0);
  });

  it("honours mask.invert (black = fill)", async () => {
    const inverted = { ...mask, data: mask.data.map((v) => 255 - v) };
    const image = await upload(await pngOf(src, 4));
    const m = await upload(await pngOf(inverted, 1));
    const { jobId } = await provider.submit(
      "fill",
      { image: { source: { uploadId: image } }, mask: { source: { uploadId: m }, invert: true }, seeds: [3] },
      undefined,
      "tester",
    );
    const s = await waitDone(jobId);
    expect(s.status).toBe("succeeded");
    const px = await outputPixels(s);
    let outsideDiff = 0;
    for (let i = 0; i < W * H; i++) if (mask.data[i] === 0 && [0, 1, 2, 3].some((c) => px.raw[i * 4 + c] !== src.data[i * 4 + c])) outsideDiff++;
    expect(outsideDiff).toBe(0);
  });

  it("gives the same bytes for the same seed", async () => {
    const image = await upload(await pngOf(src, 4));
    const m = await upload(await pngOf(mask, 1));
    const body = { image: { source: { uploadId: image } }, mask: { source: { uploadId: m } }, seeds: [1234] };
    const [a, b] = await Promise.all([provider.submit("fill", body, undefined, "tester"), provider.submit("fill", body, undefined, "tester")]);
    const [sa, sb] = await Promise.all([waitDone(a.jobId), waitDone(b.jobId)]);
    expect(sa.result!.outputs[0].seed).toBe(1234);
    const [pa, pb] = await Promise.all([outputPixels(sa), outputPixels(sb)]);
    expect(pa.bytes.equals(pb.bytes)).toBe(true);
  });

  it("expands to the requested size with the source where the placement puts it", async () => {
    const image = await upload(await pngOf(src, 4));
    const { jobId } = await provider.submit(
      "expand",
      {
        image: { source: { uploadId: image } },
        size: { width: EW, height: EH },
        placement: { alignment: { horizontal: "left", vertical: "top" } },
        seeds: [9],
      },
      undefined,
      "tester",
    );
    const s = await waitDone(jobId);
    expect(s.status).toBe("succeeded");
    expect(s.result!.size).toEqual({ width: EW, height: EH });
    const px = await outputPixels(s);
    expect([px.width, px.height]).toEqual([EW, EH]);
    let diff = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < 4; c++) if (px.raw[(y * EW + x) * 4 + c] !== src.data[(y * W + x) * 4 + c]) diff++;
      }
    expect(diff).toBe(0);
  });

  it("cancels a running job: cancel_pending, then cancelled, no result", async () => {
    const big = grass(480, 480, 5);
    const image = await upload(await pngOf(big, 4));
    const m = await upload(await pngOf(rectMask(480, 480, 100, 100, 380, 380), 1));
    const { jobId } = await provider.submit(
      "fill",
      { image: { source: { uploadId: image } }, mask: { source: { uploadId: m } }, seeds: [1, 2] },
      undefined,
      "tester",
    );
    while ((await provider.status(jobId)).status === "pending") await new Promise((r) => setTimeout(r, 5));
    await provider.cancel(jobId);
    expect((await provider.status(jobId)).status).toBe("cancel_pending");
    const s = await waitDone(jobId);
    expect(s.status).toBe("cancelled");
    expect(s.result).toBeUndefined();
    // "cancelled" only once both variations' work has stopped: no worker is busy any more
    expect(provider.health().detail).toMatch(/ 0 busy, 0 queued/);
    await expect(provider.cancel(jobId)).rejects.toMatchObject({ status: 409 });
    expect(provider.health()).toMatchObject({ reachable: true });
  });

  it("answers Firefly-shaped errors: unknown job, completed job, bad mask size", async () => {
    await provider.status("local-nope").then(
      () => {
        throw new Error("should fail");
      },
      (e) => expectError(e, 404, "unknown_job_id"),
    );
    const image = await upload(await pngOf(src, 4));
    const m = await upload(await pngOf(rectMask(100, 100, 10, 10, 50, 50), 1));
    await provider.submit("fill", { image: { source: { uploadId: image } }, mask: { source: { uploadId: m } } }, undefined, "t").then(
      () => {
        throw new Error("should fail");
      },
      (e) => expectError(e, 422, "validation_error"),
    );
    const m2 = await upload(await pngOf(mask, 1));
    const { jobId } = await provider.submit("fill", { image: { source: { uploadId: image } }, mask: { source: { uploadId: m2 } } }, undefined, "t");
    await waitDone(jobId);
    await provider.cancel(jobId).then(
      () => {
        throw new Error("should fail");
      },
      (e) => expectError(e, 409, "job_completed"),
    );
    await provider.upload(Readable.from([Buffer.from("not an image")]), "image/png", "t").then(
      () => {
        throw new Error("should fail");
      },
      (e) => expectError(e, 400, "bad_request"),
    );
  });

  it.each([
    ["generate", { prompt: "a cat" }],
    ["similar", { image: { source: { uploadId: "3f0b9b8e-1111-4222-8333-444455556666" } } }],
  ] as const)("refuses %s with an invalid_input error that says Firefly credentials are needed", async (endpoint, body) => {
    const e = await provider.submit(endpoint, body, undefined, "t").then(
      () => null,
      (x) => x,
    );
    const pe = expectError(e, 400, "needs_firefly_credentials");
    const c = classifyError({ status: pe.status, body: pe.body });
    expect(c.category).toBe("invalid_input");
    expect(c.message).toMatch(/Firefly credentials/);
  });

  it("refuses custom models the same way", async () => {
    const e = await provider.customModels({}).then(
      () => null,
      (x) => x,
    );
    const pe = expectError(e, 400, "needs_firefly_credentials");
    expect(classifyError({ status: pe.status, body: pe.body }).category).toBe("invalid_input");
  });

  it("refuses output URLs it did not produce", async () => {
    await expect(provider.openOutput("infill-local:/outputs/../../etc/passwd")).rejects.toMatchObject({ status: 404 });
    await expect(provider.openOutput("https://example.com/x.png")).rejects.toMatchObject({ status: 404 });
  });
});

describe("files on disk", () => {
  test("expired uploads, finished jobs and outputs, and files no record names are removed on a schedule", async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "infill-local-sweep-"));
    let clock = Date.UTC(2026, 11, 1, 12, 0, 0);
    const DAY = 24 * 60 * 60 * 1000;
    const p = createLocalProvider({ dataDir: own, workers: 1, now: () => clock, retentionMs: DAY, sweepEveryMs: 20 });
    try {
      const W = 96,
        H = 64;
      const up = async (bytes: Buffer) => (await p.upload(Readable.from([bytes]), "image/png", "tester")).uploadId;
      const s = await up(await pngOf(grass(W, H, 3), 4));
      const m = await up(await pngOf(rectMask(W, H, 30, 20, 60, 44), 1));
      const { jobId } = await p.submit("fill", { image: { source: { uploadId: s } }, mask: { source: { uploadId: m } }, seeds: [5] }, undefined, "tester");
      let st: ProviderJobStatus;
      do {
        st = await p.status(jobId);
        await new Promise((r) => setTimeout(r, 20));
      } while (st.status !== "succeeded");
      const url = st.result!.outputs[0].image.url;
      // A file no record names (as a crash between a file and its record would leave).
      const stray = path.join(own, "uploads", "00000000-0000-4000-8000-000000000000");
      await fs.writeFile(stray, "left over");
      const files = async () => (await Promise.all(["uploads", "outputs", "jobs"].map((d) => fs.readdir(path.join(own, d))))).flat();
      expect(await files()).toHaveLength(2 + 2 + 1 + 1 + 1);

      // Half a day later the sweep has run many times and removed nothing kept.
      clock += DAY / 2;
      await new Promise((r) => setTimeout(r, 100));
      expect(await files()).toHaveLength(7);
      expect((await p.openOutput(url)).contentType).toBe("image/png");

      // A day and a bit later everything has expired. (The stray file is as old as the clock says
      // only by its mtime, so it is made old too.)
      clock += DAY;
      const old = new Date(clock - 2 * DAY);
      await fs.utimes(stray, old, old);
      await until(async () => (await files()).length === 0, "the sweep");
      await expect(p.status(jobId)).rejects.toMatchObject({ status: 404 });
      await expect(p.openOutput(url)).rejects.toMatchObject({ status: 404 });
      await expect(p.submit("fill", { image: { source: { uploadId: s } }, mask: { source: { uploadId: m } } }, undefined, "tester")).rejects.toMatchObject({
        status: 422,
      });
    } finally {
      await p.close();
      await fs.rm(own, { recursive: true, force: true });
    }
  });
});

describe("expiry at start", () => {
  test("what expired while the broker was stopped is removed when it starts, before the first scheduled sweep", async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "infill-local-startsweep-"));
    let clock = Date.UTC(2026, 11, 1, 12, 0, 0);
    const DAY = 24 * 60 * 60 * 1000;
    const opts = { dataDir: own, workers: 1, now: () => clock, retentionMs: DAY, sweepEveryMs: DAY };
    let p = createLocalProvider(opts);
    try {
      const id = (await p.upload(Readable.from([await pngOf(grass(32, 32, 1), 4)]), "image/png", "tester")).uploadId;
      await p.close();
      const files = async () => fs.readdir(path.join(own, "uploads"));
      expect(await files()).toEqual(expect.arrayContaining([id, `${id}.json`]));
      clock += 2 * DAY;
      p = createLocalProvider(opts);
      // Forgotten at once, files gone soon after.
      await expect(p.submit("fill", { image: { source: { uploadId: id } }, mask: { source: { uploadId: id } } }, undefined, "tester")).rejects.toMatchObject({
        status: 422,
      });
      await until(async () => (await files()).length === 0, "the start sweep");
    } finally {
      await p.close();
      await fs.rm(own, { recursive: true, force: true });
    }
  });
});

describe("a stop and a new start on the same folder", () => {
  test("a job running at the stop runs again; one whose cancel was asked stays cancelled", async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "infill-local-stop-"));
    const W = 320,
      H = 240;
    let p = createLocalProvider({ dataDir: own, workers: 2 });
    try {
      const up = async (bytes: Buffer) => (await p.upload(Readable.from([bytes]), "image/png", "tester")).uploadId;
      const s = await up(await pngOf(grass(W, H, 4), 4));
      const m = await up(await pngOf(rectMask(W, H, 50, 40, 270, 200), 1));
      const body = { image: { source: { uploadId: s } }, mask: { source: { uploadId: m } }, seeds: [1] };
      const kept = (await p.submit("fill", body, undefined, "tester")).jobId;
      const dropped = (await p.submit("fill", body, undefined, "tester")).jobId;
      await until(async () => (await p.status(kept)).status === "running" && (await p.status(dropped)).status === "running", "both running", 2000, 10);
      await p.cancel(dropped);
      await p.close();

      p = createLocalProvider({ dataDir: own, workers: 2 });
      const cancelled = await p.status(dropped);
      expect(cancelled).toMatchObject({ status: "cancelled", error_code: "cancelled" });
      let again: ProviderJobStatus;
      do {
        again = await p.status(kept);
        await new Promise((r) => setTimeout(r, 20));
      } while (!["succeeded", "failed", "cancelled"].includes(again.status));
      expect(again.status).toBe("succeeded");
      expect(again.result!.size).toEqual({ width: W, height: H });
      expect((await p.status(dropped)).status).toBe("cancelled");
    } finally {
      await p.close();
      await fs.rm(own, { recursive: true, force: true });
    }
  });
});
