// An in-process stand-in for the broker and Firefly, so the bench times only plugin-side work. It
// answers at once; the time it spends making results (decoding what it got, encoding outputs) is
// counted separately as service time and left out of the plugin figures. Like the broker's output
// route it crops an output when asked (`downloadCropped`), with the broker's own crop function, so the
// bytes the pipeline receives are what the real route would send; cropping counts as service time.

import type { AcceptResponse, SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import type { RGBAImage } from "../../src/common/host";
import { decodeImage, encodeJpeg, encodeRGBAPng } from "../../src/common/imaging/codecs";
import type { OutputCrop } from "../../src/common/imaging/crop";
import { cropOutput } from "../../src/broker/output-crop";
import type { BrokerClient, CroppedDownload, StatusAnswer } from "../../src/plugin/broker-client";

export class BenchService implements BrokerClient {
  serviceMs = 0;
  /** The part of serviceMs spent cropping outputs (inside the pipeline's download phase). */
  cropMs = 0;
  private uploads = new Map<string, Uint8Array>();
  private files = new Map<string, Uint8Array>();
  private results = new Map<string, { seed: number; url: string }[]>();
  private n = 0;
  constructor(private readonly format: "jpeg" | "png") {}

  async upload(bytes: Uint8Array): Promise<string> {
    const id = `00000000-0000-4000-8000-${String(++this.n).padStart(12, "0")}`;
    this.uploads.set(id, bytes);
    return id;
  }

  async submit<E extends SubmitEndpoint>(_e: E, body: SubmitRequest[E]): Promise<AcceptResponse> {
    const t = performance.now();
    const b = body as unknown as { image: { source: { uploadId: string } }; size: { width: number; height: number }; seeds: number[] };
    const src = decodeImage(this.uploads.get(b.image.source.uploadId)!);
    const jobId = `urn:ff:jobs:bench:${++this.n}`;
    const outs = b.seeds.map((seed, k) => {
      // "Generated": the source with its colours shifted a little, at the requested size.
      const out: RGBAImage = { width: b.size.width, height: b.size.height, data: new Uint8Array(b.size.width * b.size.height * 4) };
      for (let y = 0; y < out.height; y++)
        for (let x = 0; x < out.width; x++) {
          const sx = Math.min(src.width - 1, Math.floor((x * src.width) / out.width));
          const sy = Math.min(src.height - 1, Math.floor((y * src.height) / out.height));
          const s = (sy * src.width + sx) * 4;
          const o = (y * out.width + x) * 4;
          out.data[o] = Math.min(255, src.data[s] + 10 + (seed % 7));
          out.data[o + 1] = src.data[s + 1];
          out.data[o + 2] = src.data[s + 2];
          out.data[o + 3] = 255;
        }
      const url = `bench://${jobId}/${k}`;
      this.files.set(url, this.format === "jpeg" ? encodeJpeg(out, 90) : encodeRGBAPng(out));
      return { seed, url };
    });
    this.results.set(jobId, outs);
    this.serviceMs += performance.now() - t;
    return { jobId, statusUrl: "", cancelUrl: "" };
  }

  async status(jobId: string): Promise<StatusAnswer> {
    const outputs = this.results.get(jobId)!.map((o) => ({ seed: o.seed, image: { url: o.url } }));
    return { job: { jobId, status: "succeeded", result: { outputs } } };
  }

  async cancel(): Promise<void> {}

  async download(url: string): Promise<Uint8Array> {
    return this.files.get(url)!;
  }

  async downloadCropped(url: string, crop: OutputCrop): Promise<CroppedDownload> {
    const t = performance.now();
    const c = await cropOutput(this.files.get(url)!, crop);
    const ms = performance.now() - t;
    this.serviceMs += ms;
    this.cropMs += ms;
    return { bytes: new Uint8Array(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength), placement: c.placement };
  }

  async customModels() {
    return { custom_models: [] };
  }
}
