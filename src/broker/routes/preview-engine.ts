// The local engine a Firefly broker runs for instant previews: every image uploaded to Firefly is
// also kept here (its bytes in memory, within a budget, the oldest forgotten first), and handed to
// this engine when a preview first names it (then remembered by the engine's id against
// Firefly's), so a preview request can name the same upload ids as the Firefly job it stands in
// for, and an upload no preview asks for costs no disk write. A preview is one variation,
// made at once (not paced, not counted as Firefly usage), within the engine's own memory budget
// and worker pool. The id map lives in this process only: a preview asked of another instance, or
// after a restart, is answered "not available" and the panel goes on without one.

import { rmSync } from "fs";
import { Readable } from "stream";
import { isTerminalStatus } from "../../common/firefly";
import type { Logger } from "../log";
import { ProviderError, type LocalProviderFactory, type OwnerName, type Provider, type UploadContentType } from "../providers/provider";
import { httpError, HttpError } from "../http/errors";
import { uploadRefs } from "../jobs/upload-ids";

export type PreviewEndpoint = "fill" | "expand";

export interface PreviewEngineOptions {
  factory: LocalProviderFactory;
  /** A folder of its own: emptied at start (the id map of a previous run is gone). */
  dataDir: string;
  log: Logger;
  /** Firefly upload ids remembered (the oldest are forgotten first). */
  maxUploads?: number;
  /** Bytes of uploads kept in memory that no preview has named yet (the oldest are forgotten first). */
  maxKeptBytes?: number;
  /** Previews one key may have running at once. */
  perKey?: number;
  /** How often a running preview is looked at, and how long it may take. */
  pollMs?: number;
  timeoutMs?: number;
}

/** One finished preview image. */
export interface PreviewImage {
  bytes: Buffer;
  contentType: string;
}

const unavailable = (why: string) => httpError(409, "preview_unavailable", "not_found", why);

/** A copy of a submit body with every `uploadId` replaced by the engine's id (undefined when one is not known). */
function withLocalIds(body: unknown, local: (id: string) => string | undefined): unknown {
  if (Array.isArray(body)) return body.map((v) => withLocalIds(v, local));
  if (!body || typeof body !== "object") return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === "uploadId" && typeof v === "string") {
      const id = local(v);
      if (id === undefined) throw unavailable("This image was not kept for previews (the broker restarted, or another broker instance took the upload).");
      out[k] = id;
    } else out[k] = withLocalIds(v, local);
  }
  return out;
}

/** One variation: the first seed asked for, else the engine's own. */
function oneVariation(body: unknown): unknown {
  const b = { ...(body as Record<string, unknown>) };
  delete b.numVariations;
  if (Array.isArray(b.seeds) && b.seeds.length > 0) b.seeds = [b.seeds[0]];
  else delete b.seeds;
  return b;
}

/** An upload kept for previews: its bytes until a preview first names it, then the engine's id for it. */
type Kept = { bytes: Buffer; contentType: UploadContentType; owner: OwnerName } | { local: Promise<string | undefined> };

export class PreviewEngine {
  private engine: Provider | undefined;
  /** By Firefly upload id, oldest first. */
  private readonly kept = new Map<string, Kept>();
  /** Bytes held in `kept`. */
  private keptBytes = 0;
  private readonly maxKeptBytes: number;
  private readonly running = new Map<OwnerName, number>();
  private readonly maxUploads: number;
  private readonly perKey: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(private readonly o: PreviewEngineOptions) {
    this.maxUploads = o.maxUploads ?? 2048;
    this.maxKeptBytes = o.maxKeptBytes ?? 128 * 1024 * 1024;
    this.perKey = o.perKey ?? 2;
    this.pollMs = o.pollMs ?? 50;
    this.timeoutMs = o.timeoutMs ?? 120_000;
  }

  /** The engine, started on first use (a broker that never previews spends nothing on it). */
  private local(): Provider {
    if (!this.engine) {
      rmSync(this.o.dataDir, { recursive: true, force: true });
      this.engine = this.o.factory({ dataDir: this.o.dataDir, log: (e) => this.o.log.log({ source: "preview", ...e }) });
    }
    return this.engine;
  }

  /** Keeps an image Firefly took under `fireflyId` (its bytes, as they are: not copied), until a preview names it. */
  keepUpload(fireflyId: string, bytes: Buffer, contentType: UploadContentType, owner: OwnerName): void {
    if (this.closed) return;
    this.forget(fireflyId);
    this.kept.set(fireflyId, { bytes, contentType, owner });
    this.keptBytes += bytes.length;
    while (this.kept.size > this.maxUploads || this.keptBytes > this.maxKeptBytes) this.forget(this.kept.keys().next().value!);
  }

  private forget(fireflyId: string): void {
    const k = this.kept.get(fireflyId);
    if (k && "bytes" in k) this.keptBytes -= k.bytes.length;
    this.kept.delete(fireflyId);
  }

  /**
   * The engine's id for the upload Firefly took under `fireflyId` (handed to the engine the first
   * time a preview names it), or undefined when it is not kept. A failure only means no preview
   * for it: logged, never thrown.
   */
  private localId(fireflyId: string): Promise<string | undefined> {
    const k = this.kept.get(fireflyId);
    if (!k) return Promise.resolve(undefined);
    if ("local" in k) return k.local;
    const local = this.local()
      .upload(Readable.from([k.bytes]), k.contentType, k.owner, k.bytes.length)
      .then(
        (r) => r.uploadId,
        (e: Error) => {
          this.o.log.log({ event: "preview_upload_skipped", key: k.owner, error: e.message });
          return undefined;
        },
      );
    this.keptBytes -= k.bytes.length;
    this.kept.set(fireflyId, { local });
    return local;
  }

  /**
   * The local engine's result for a validated, owner-checked fill or expand body (one variation).
   * `signal` aborts it (the client left); the engine's job is then cancelled.
   */
  async run(endpoint: PreviewEndpoint, body: unknown, owner: OwnerName, signal: AbortSignal): Promise<PreviewImage> {
    if (this.closed) throw httpError(503, "service_unavailable", "service_unavailable", "The broker is stopping.");
    const held = this.running.get(owner) ?? 0;
    if (held >= this.perKey) {
      throw httpError(429, "preview_busy", "rate_limited", `You already have ${held} previews being made; wait for one to finish.`, { "retry-after": "1" });
    }
    this.running.set(owner, held + 1);
    try {
      const ids = new Map<string, string | undefined>();
      // One at a time, in the body's order, so the engine takes each image once.
      for (const { id } of uploadRefs(body)) if (!ids.has(id)) ids.set(id, await this.localId(id));
      return await this.make(endpoint, oneVariation(withLocalIds(body, (id) => ids.get(id))), owner, signal);
    } catch (e) {
      if (e instanceof ProviderError) throw new HttpError(e.status === 422 ? 422 : 502, previewFailure(e));
      throw e;
    } finally {
      const left = (this.running.get(owner) ?? 1) - 1;
      if (left > 0) this.running.set(owner, left);
      else this.running.delete(owner);
    }
  }

  private async make(endpoint: PreviewEndpoint, request: unknown, owner: OwnerName, signal: AbortSignal): Promise<PreviewImage> {
    const engine = this.local();
    const { jobId } = await engine.submit(endpoint, request, undefined, owner);
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const st = await engine.status(jobId);
      if (isTerminalStatus(st.status)) {
        const url = st.status === "succeeded" ? st.result?.outputs[0]?.image.url : undefined;
        if (!url)
          throw new ProviderError({ status: 500, body: { error_code: st.error_code ?? "runtime_error", message: st.message ?? "The preview failed." } });
        const out = await engine.openOutput(url);
        const chunks: Buffer[] = [];
        for await (const c of out.stream) chunks.push(c as Buffer);
        return { bytes: Buffer.concat(chunks), contentType: out.contentType };
      }
      if (signal.aborted || this.closed || performance.now() > deadline) {
        await engine.cancel(jobId).catch(() => undefined);
        if (signal.aborted) throw httpError(499, "cancelled", "cancelled", "The preview was cancelled.");
        throw httpError(504, "timeout_error", "timeout", "The preview took too long.");
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.engine?.close();
  }
}

function previewFailure(e: ProviderError): { error_code: string; message: string; category: "invalid_input" | "service_unavailable" } {
  const body = (e.body ?? {}) as { error_code?: unknown };
  const code = typeof body.error_code === "string" ? body.error_code : "runtime_error";
  return { error_code: code, message: `The preview could not be made: ${e.message}`, category: e.status === 422 ? "invalid_input" : "service_unavailable" };
}
