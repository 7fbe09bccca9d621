// An in-process stand-in for the broker + Firefly, for workflow tests: it decodes what it is sent,
// "generates" deterministic pixels (a flat colour per seed inside the mask / new area, the source
// elsewhere) and serves them back as PNG or JPEG. Statuses and failures are scriptable.

import type { AcceptResponse, JobStatusResponse, SubmitEndpoint, SubmitRequest } from "../../../src/common/firefly";
import { validateSubmit } from "../../../src/common/firefly";
import type { RGBAImage } from "../../../src/common/host";
import { decodeImage, encodeJpeg } from "../../../src/common/imaging/codecs";
import { encodePng } from "../../../src/common/imaging/png";
import { createRGBA, pasteRGBA } from "../../../src/common/imaging/image";
import { fakeUpscaleImage } from "../../fakes/firefly/upscale";
import { BrokerError, type BrokerClient, type StatusAnswer } from "../../../src/plugin/broker-client";
import { fakeCompositeImage, type CompositeParams } from "../../fakes/firefly/composite";

export function seedColour(seed: number): [number, number, number] {
  return [40 + (seed % 180), 40 + ((seed >> 3) % 180), 40 + ((seed >> 7) % 180)];
}

export interface FakeOptions {
  format?: "png" | "jpeg";
  /** Statuses reported before success, e.g. ["queued", "running"]. */
  script?: JobStatusResponse["status"][];
  /** The job ends with this status instead of success. */
  finalStatus?: JobStatusResponse["status"];
  errorCode?: string;
  /** Output size differs from the requested size (tests exact scale factors). */
  outputScale?: number;
  /** Shift the colours of the untouched part (a service colour drift), per channel. */
  drift?: [number, number, number];
  /** Submit fails with this error once. */
  submitError?: BrokerError;
}

interface Job {
  endpoint: SubmitEndpoint;
  body: SubmitRequest[SubmitEndpoint];
  modelVersion?: string;
  polls: number;
  cancelled: boolean;
  outputs: { seed: number; url: string }[];
}

export class FakeBroker implements BrokerClient {
  uploads = new Map<string, { bytes: Uint8Array; type: string }>();
  jobs = new Map<string, Job>();
  files = new Map<string, Uint8Array>();
  cancelCalls: string[] = [];
  statusCalls = 0;
  private n = 0;
  constructor(public opts: FakeOptions = {}) {}

  async upload(bytes: Uint8Array, type: "image/jpeg" | "image/png"): Promise<string> {
    const id = `00000000-0000-4000-8000-${String(++this.n).padStart(12, "0")}`;
    this.uploads.set(id, { bytes: bytes.slice(), type });
    return id;
  }

  async submit<E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], modelVersion?: string): Promise<AcceptResponse> {
    if (this.opts.submitError) {
      const e = this.opts.submitError;
      this.opts.submitError = undefined;
      throw e;
    }
    const v = validateSubmit(endpoint, body, modelVersion);
    if (!v.ok) throw new BrokerError("invalid_input", v.body.message, JSON.stringify(v.body), 422, "validation_error");
    const jobId = `urn:ff:jobs:test:${++this.n}`;
    this.jobs.set(jobId, { endpoint, body, modelVersion, polls: 0, cancelled: false, outputs: [] });
    return { jobId, statusUrl: `/v3/status/${jobId}`, cancelUrl: `/v3/cancel/${jobId}` };
  }

  async status(jobId: string): Promise<StatusAnswer> {
    this.statusCalls++;
    const job = this.jobs.get(jobId)!;
    if (job.cancelled) return { job: { jobId, status: "cancelled" } };
    const script = this.opts.script ?? ["running"];
    const i = job.polls++;
    if (i < script.length) {
      const status = script[i];
      return {
        job: status === "queued" ? { jobId, status, queuePosition: script.length - i } : { jobId, status, progress: Math.round((100 * i) / script.length) },
      };
    }
    if (this.opts.finalStatus) return { job: { jobId, status: this.opts.finalStatus, error_code: this.opts.errorCode } };
    if (job.outputs.length === 0) this.generate(jobId, job);
    const size = (job.body as { size?: { width: number; height: number } }).size;
    return { job: { jobId, status: "succeeded", result: { size, outputs: job.outputs.map((o) => ({ seed: o.seed, image: { url: o.url } })) } } };
  }

  async cancel(jobId: string): Promise<void> {
    this.cancelCalls.push(jobId);
    const job = this.jobs.get(jobId);
    if (job) job.cancelled = true;
  }

  async download(url: string): Promise<Uint8Array> {
    const b = this.files.get(url);
    if (!b) throw new BrokerError("not_found", "gone", "404", 404);
    return b.slice();
  }

  async customModels() {
    return { custom_models: [] };
  }

  lastJob(): Job {
    return [...this.jobs.values()].pop()!;
  }

  private decoded = new Map<string, RGBAImage>();
  image(uploadId: string): RGBAImage {
    let img = this.decoded.get(uploadId);
    if (!img) this.decoded.set(uploadId, (img = decodeImage(this.uploads.get(uploadId)!.bytes)));
    return img;
  }

  /** Upscale as the fake Firefly serves it: the input resampled, with its one-pixel checkerboard. */
  private upscale(jobId: string, job: Job): void {
    const b = job.body as SubmitRequest["upscale"];
    const id = b.image.source.uploadId;
    if (!id) throw new Error("the fake upscales uploaded images only");
    const out = fakeUpscaleImage(this.image(id), b.upscaleFactor ?? 2);
    const url = `http://broker.test/files/${encodeURIComponent(jobId)}/0`;
    this.files.set(url, encodePng(out.width, out.height, out.data, 4, 0));
    job.outputs.push({ seed: b.seeds[0], url });
  }

  private generate(jobId: string, job: Job): void {
    if (job.endpoint === "upscale") return this.upscale(jobId, job);
    const b = job.body as unknown as {
      image?: { source: { uploadId: string } };
      mask?: { source: { uploadId: string } };
      size: { width: number; height: number };
      seeds: number[];
      placement?: { inset: { left: number; top: number; right: number; bottom: number } };
    };
    if (job.endpoint === "adaptive" || job.endpoint === "precise") return compositeOf(this, jobId, job);
    const scale = this.opts.outputScale ?? 1;
    const W = Math.round(b.size.width * scale);
    const H = Math.round(b.size.height * scale);
    b.seeds.forEach((seed, k) => {
      const [r, g, bl] = seedColour(seed);
      const url = `http://broker.test/files/${encodeURIComponent(jobId)}/${k}`;
      job.outputs.push({ seed, url });
      if (job.endpoint !== "fill" && job.endpoint !== "expand" && W === b.size.width && H === b.size.height) {
        this.files.set(url, flatOutput(W, H, [r, g, bl], this.opts.format ?? "png"));
        return;
      }
      let out: RGBAImage;
      if (job.endpoint === "fill") {
        const src = this.image(b.image!.source.uploadId);
        const mask = this.image(b.mask!.source.uploadId);
        out = maskedFill(src, mask, [r, g, bl], this.opts.drift);
      } else if (job.endpoint === "expand") {
        const src = this.image(b.image!.source.uploadId);
        out = createRGBA(b.size.width, b.size.height, [r, g, bl, 255]);
        pasteRGBA(out, src, b.placement!.inset.left, b.placement!.inset.top);
      } else {
        out = createRGBA(b.size.width, b.size.height, [r, g, bl, 255]);
      }
      if (out.width !== W || out.height !== H) {
        // The service answered at another size: nearest-neighbour keeps flat colours flat.
        const o2 = createRGBA(W, H);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const sx = Math.min(out.width - 1, Math.floor((x * out.width) / W));
            const sy = Math.min(out.height - 1, Math.floor((y * out.height) / H));
            o2.data.set(out.data.subarray((sy * out.width + sx) * 4, (sy * out.width + sx) * 4 + 4), (y * W + x) * 4);
          }
        out = o2;
      }
      this.files.set(url, encoded(out, this.opts.format ?? "png"));
    });
  }
}

/**
 * What the fake's fill answers: `colour` where the mask (red channel) is 255, the source where it is 0,
 * round(source·(1−m) + colour·m) between, each plus `drift` and clamped; opaque.
 */
export function maskedFill(src: RGBAImage, mask: RGBAImage, colour: readonly number[], drift: readonly number[] = [0, 0, 0]): RGBAImage {
  const [r, g, bl] = colour;
  const [d0, d1, d2] = drift;
  const [f0, f1, f2] = [clamp(r + d0), clamp(g + d1), clamp(bl + d2)];
  const out = createRGBA(src.width, src.height);
  const s = src.data;
  const o = out.data;
  for (let i = 0; i < src.width * src.height; i++) {
    const v = mask.data[i * 4];
    const p = i * 4;
    // Unmasked and fully masked pixels: the source and the colour, each with the drift, as the blend gives them.
    if (v === 0) {
      o[p] = clamp(s[p] + d0);
      o[p + 1] = clamp(s[p + 1] + d1);
      o[p + 2] = clamp(s[p + 2] + d2);
    } else if (v === 255) {
      o[p] = f0;
      o[p + 1] = f1;
      o[p + 2] = f2;
    } else {
      const m = v / 255;
      o[p] = clamp(Math.round(s[p] * (1 - m) + r * m) + d0);
      o[p + 1] = clamp(Math.round(s[p + 1] * (1 - m) + g * m) + d1);
      o[p + 2] = clamp(Math.round(s[p + 2] * (1 - m) + bl * m) + d2);
    }
    o[p + 3] = 255;
  }
  return out;
}

function encoded(img: RGBAImage, format: "png" | "jpeg"): Uint8Array {
  return format === "jpeg" ? encodeJpeg(img, 95) : encodePng(img.width, img.height, img.data, 4, 0);
}

/** The last few flat outputs encoded, by size, colour and format: cases of one suite ask for the same ones again. */
const flatOutputs = new Map<string, Uint8Array>();

/** A width×height output of one colour, encoded (the bytes are shared: `download` answers copies). */
function flatOutput(width: number, height: number, colour: [number, number, number], format: "png" | "jpeg"): Uint8Array {
  const key = `${format} ${width}×${height} ${colour.join()}`;
  let bytes = flatOutputs.get(key);
  if (!bytes) {
    bytes = encoded(createRGBA(width, height, [...colour, 255]), format);
    if (flatOutputs.size >= 8) flatOutputs.delete(flatOutputs.keys().next().value!);
  }
  flatOutputs.delete(key);
  flatOutputs.set(key, bytes);
  return bytes;
}

/** Composites answer as the fake upstream does (test/fakes/firefly/composite.ts), one output per seed. */
function compositeOf(broker: FakeBroker, jobId: string, job: Job): void {
  const params = { kind: job.endpoint, body: job.body } as CompositeParams;
  const b = params.body;
  const objectMask = "mask" in b.object ? b.object.mask : undefined;
  const img = fakeCompositeImage(
    {
      background: broker.image(b.background.image.source.uploadId!),
      fillAreaMask: broker.image(b.background.fillAreaMask.source.uploadId!),
      object: broker.image(b.object.image.source.uploadId!),
      objectMask: objectMask ? broker.image(objectMask.source.uploadId!) : undefined,
    },
    params,
  );
  if (typeof img === "string") throw new Error(img);
  (b.seeds ?? [333]).forEach((seed, k) => {
    const url = `http://broker.test/files/${encodeURIComponent(jobId)}/${k}`;
    broker.files.set(url, encodePng(img.width, img.height, img.data, 4, 0));
    job.outputs.push({ seed, url });
  });
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
