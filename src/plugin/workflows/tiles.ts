// A tiled Native-detail fill or expansion, the effects: every tile whose context was read from the
// document is uploaded and submitted as its own fill at once (the record holds each tile's broker job
// as soon as it is accepted); a tile that sees other tiles' results (an expansion's tile far from the
// original) is sent once they are stored, its source composed from them. Each tile is finished on its
// own — polled, downloaded, tone-fitted against what it sent, upscaled when its plan says so, read at
// native size over its part and stored — and the tiles' results are blended into one result per
// variation, placed like a single fill's or expansion's. A job taken up after a reload finishes the
// tiles not yet stored, and sends those not yet sent, the same way (see resume.ts). A tile that fails
// fails the job with its category: the other tiles are cancelled and nothing is placed.

import type { Rect, RGBAImage } from "../../common/host";
import type { ExpandGeometry } from "../../common/imaging/expand";
import { expandLayerRect } from "../../common/imaging/expand";
import { describeRequests } from "../../common/imaging/detail";
import { decodeGrayPng, decodeImage, encodeGrayPng, encodeJpeg, encodeRGBAPng } from "../../common/imaging/codecs";
import { clampToCanvas, growRect, rectHeight, rectWidth, translateRect } from "../../common/imaging/rect";
import { resampleRGBA, resampleRGBARegion } from "../../common/imaging/resample";
import { applyTone } from "../../common/imaging/tone";
import { classifyUnreadableOutput } from "../../common/firefly";
import { WorkflowError } from "./errors";
import { fillBody, fillTone } from "./kinds/fill";
import type { SentImages } from "./kinds";
import { SOURCE_JPEG_QUALITY } from "./kinds/submit-parts";
import type { JobLife } from "./lifecycle";
import type { DecodedVariation } from "./place";
import { withRetry } from "./retry";
import { pollRemote } from "./run";
import { brokerUploader, type KeptUpload, type Transfer } from "./submit";
import { opaque } from "./reading";
import {
  blendTiles,
  dependentTileSource,
  droppedVariations,
  expandTileMask,
  frameGeometry,
  tileResultIndex,
  tileUpscales,
  type FillTile,
  type TileContribution,
  type TileProgress,
} from "./tiles-plan";
import type { ExpandJobRequest, FillJobRequest, JobRequest, TileCapture } from "./types";
import { upscaleOne, upscaledGeometry, type UpscaleIO } from "./upscale";

const tileKey = {
  source: (t: number) => `tile-${t}-sent-source.jpg`,
  mask: (t: number) => `tile-${t}-sent-mask.png`,
  result: (t: number, v: number) => `tile-${t}-result-${v}.png`,
};

/** A fill or expansion run as tiles. */
type TiledRequest = FillJobRequest | ExpandJobRequest;

/** The tiles a request runs as, or undefined when it is not tiled. */
export function tilesOf(req: JobRequest): FillTile[] | undefined {
  if (req.kind === "fill") return req.fill.tiles;
  if (req.kind === "expand") return req.expand.tiles;
  return undefined;
}

/** Whether a request is a tiled fill or expansion. */
export function isTiled(req: JobRequest): req is TiledRequest {
  return !!tilesOf(req);
}

/** The prompts a tile's fill is sent with: a fill's, or an expansion's prompt. */
function promptsOf(req: JobRequest): { prompt?: string; negativePrompt?: string } {
  if (req.kind === "fill") return req.params;
  return req.kind === "expand" ? { prompt: req.params.prompt } : {};
}

/** What a tiled job captured: its request and each tile as sent. */
interface TiledCapture {
  request: JobRequest;
  tiles?: TileCapture[];
}

/**
 * Uploads and submits every tile of a captured tiled fill whose context was captured (those that see
 * other tiles' results come after them and are sent by finishTiles). Each accepted tile is added to
 * the job's record (saved), and to the broker jobs a cancel reaches, before the next is sent; what each
 * tile sent is stored for tone fitting when the job matches tone.
 */
export async function submitTiles(cap: TiledCapture, life: JobLife, io: UpscaleIO, transfer: Transfer): Promise<void> {
  const tiles = tilesOf(cap.request) ?? [];
  const progress: TileProgress[] = [];
  try {
    for (let t = 0; t < tiles.length && !tiles[t].dependsOn; t++) {
      progress.push({ remoteJobId: await sendTile(cap.request, t, (cap.tiles ?? [])[t], life, io, transfer) });
      life.stored = { ...life.stored!, tiles: progress.slice() };
      await life.save();
    }
  } catch (e) {
    // A tile that could not be sent fails the job: the tiles already sent are cancelled (a cancel of
    // the job itself reaches them through the job's life).
    if (!io.signal.aborted) await cancelRunning(life, io);
    throw e;
  }
}

/** Uploads and submits tile `t` with `sent`; answers its broker job id, already among those a cancel reaches. */
async function sendTile(req: JobRequest, t: number, sent: TileCapture, life: JobLife, io: UpscaleIO, transfer: Transfer): Promise<string> {
  const tile = (tilesOf(req) ?? [])[t];
  const { deps, signal, sleep } = io;
  const kept: KeptUpload[] = [];
  const upload = brokerUploader(deps.broker, signal, transfer, sleep, (k) => {
    if (req.blend.toneMatch) kept.push(k);
  });
  const { source, sendMask } = sent;
  const ids = await upload({
    source: { encode: () => encodeJpeg(source, SOURCE_JPEG_QUALITY), type: "image/jpeg", keepAs: tileKey.source(t) },
    mask: { encode: () => encodeGrayPng(sendMask), type: "image/png", keepAs: tileKey.mask(t) },
  });
  life.checkAbort();
  if (signal.aborted) throw new WorkflowError({ category: "cancelled", message: "Cancelled." });
  const body = fillBody(promptsOf(req), ids, tile.geometry.sendSize, tile.seeds);
  const accept = await withRetry(() => deps.broker.submit("fill", body, undefined, signal), signal, sleep);
  life.remoteJobIds.add(accept.jobId);
  for (const k of kept) await deps.store.putBytes(life.jobId, k.key, k.bytes);
  return accept.jobId;
}

/** Cancels every broker job of the job still running (its tiles' fills and upscales). */
async function cancelRunning(life: JobLife, io: UpscaleIO): Promise<void> {
  const running = [...life.remoteJobIds];
  life.remoteJobIds.clear();
  await Promise.all(running.map((id) => io.deps.broker.cancel(id).catch(() => undefined)));
}

const NOT_ALL_SENT = "Infill was closed or reloaded before every tile of this Native-detail job reached the service, so nothing was placed. Run it again.";

/** What tile `t` sent, for tone fitting; null when the job does not match tone. */
async function sentOf(jobId: string, t: number, io: UpscaleIO): Promise<SentImages | null> {
  const source = await io.deps.store.getBytes(jobId, tileKey.source(t));
  const mask = await io.deps.store.getBytes(jobId, tileKey.mask(t));
  return source && mask ? { source: decodeImage(source), mask: decodeGrayPng(mask) } : null;
}

/** One tile's results as placed pixels over its `placeRect` (by result index; null for one the service returned unreadable or not at all), and what went wrong with those. */
interface TileResults {
  pixels: (RGBAImage | null)[];
  failures: string[];
}

/** One tile's results, polled and downloaded from its broker job, as placed pixels over its `placeRect`. */
async function runTile(jobId: string, req: JobRequest, tile: FillTile, t: number, remoteJobId: string, io: UpscaleIO): Promise<TileResults> {
  const { deps, signal, sleep } = io;
  const result = await pollRemote(remoteJobId, deps, signal, sleep, io.emit);
  io.track?.(remoteJobId, false);
  const outputs = result.outputs.slice(0, tile.seeds.length);
  const failures: string[] = [];
  for (let v = outputs.length; v < tile.seeds.length; v++) failures.push(`tile ${t + 1} result ${v + 1}: not returned`);
  const sent = req.blend.toneMatch ? await sentOf(jobId, t, io) : null;
  const { sendSize } = tile.geometry;
  const pixels = await Promise.all(
    tile.seeds.map(async (seed, v): Promise<RGBAImage | null> => {
      const o = outputs[v];
      if (!o) return null;
      const bytes = await withRetry(() => deps.broker.download(o.image.url, signal), signal, sleep);
      io.moved(0, bytes.length);
      let image: RGBAImage;
      try {
        image = decodeImage(bytes);
      } catch (e) {
        failures.push(`tile ${t + 1} result ${v + 1} (${bytes.length} bytes): ${e instanceof Error ? e.message : String(e)}`);
        return null;
      }
      const atSend = image.width === sendSize.width && image.height === sendSize.height ? image : resampleRGBA(image, sendSize.width, sendSize.height);
      const tone = sent ? fillTone(tile.geometry, req.blend.bandPx, sent, atSend) : null;
      const up = tile.upscale ? await upscaleOne(atSend, tile.upscale, seed, io) : atSend;
      const frame = tile.upscale ? upscaledGeometry(tile.geometry, tile.upscale) : tile.geometry;
      const w = frame.window;
      const placed = resampleRGBARegion(up, rectWidth(w), rectHeight(w), translateRect(tile.placeRect, -w.left, -w.top));
      if (tone) applyTone(placed, tone);
      return placed;
    }),
  );
  return { pixels, failures };
}

/** Tile `t`'s stored result for variation `v`. */
async function storedTile(jobId: string, t: number, v: number, io: UpscaleIO): Promise<RGBAImage> {
  const bytes = await io.deps.store.getBytes(jobId, tileKey.result(t, v));
  if (!bytes) throw new WorkflowError({ category: "not_found", message: "A finished tile's results are no longer stored. Run the job again." });
  return decodeImage(bytes);
}

/**
 * What a tile that sees other tiles sends: their stored results for its variation composed at its send
 * size, and the mask of the new area they do not hold. Read from the store, so a run taken up after a
 * reload sends the same pixels.
 */
async function dependentCapture(jobId: string, req: JobRequest, t: number, io: UpscaleIO): Promise<TileCapture> {
  if (req.kind !== "expand") throw new Error(`a ${req.kind} job has no tiles that see other tiles`);
  const tiles = req.expand.tiles ?? [];
  const tile = tiles[t];
  const v = tile.variation ?? 0;
  const seen = await Promise.all(
    (tile.dependsOn ?? []).map(async (d) => ({ placeRect: tiles[d].placeRect, pixels: await storedTile(jobId, d, tileResultIndex(tiles[d], v) ?? 0, io) })),
  );
  const g: ExpandGeometry = req.expand.geometry;
  return {
    source: opaque(dependentTileSource(tile, seen)),
    sendMask: expandTileMask(
      g,
      tile,
      seen.map((c) => c.placeRect),
    ),
  };
}

/**
 * Finishes every tile not yet stored (in parallel; each stored and marked done in the record as it
 * ends), sending first, in order, each tile not yet sent once the tiles it sees are stored; then
 * blends the tiles into one result per variation. Returns the request that places the blend (the
 * blended frame at 1:1, no tiles left to run) and its variations. On a tile's failure every other
 * tile's broker jobs are cancelled and the failure is thrown.
 */
export async function finishTiles(life: JobLife, io: UpscaleIO): Promise<{ request: JobRequest; variations: DecodedVariation[] }> {
  const stored = life.stored!;
  const req = stored.request;
  const tiles = tilesOf(req) ?? [];
  const progress = (stored.tiles ?? []).map((p) => ({ ...p }));
  // A tile whose context was read from the document can only be sent by the session that captured it.
  if (tiles.slice(progress.length).some((t) => !t.dependsOn)) {
    await cancelRunning(life, io);
    throw new WorkflowError({ category: "cancelled", message: NOT_ALL_SENT, detail: `${progress.length} of ${tiles.length} tiles sent` });
  }
  const inner = new AbortController();
  const stop = (): void => inner.abort();
  io.signal.addEventListener("abort", stop);
  const record = (): Promise<void> => {
    life.stored = { ...life.stored!, tiles: progress.map((q) => ({ ...q })) };
    return life.save();
  };
  const innerIo: UpscaleIO = { ...io, signal: inner.signal };
  const unreadableDetails: string[] = [];
  // Tile t is sent once the tiles it sees are stored and tile t − 1 is sent, so the record's tiles stay
  // the first ones in order.
  const sent: Promise<void>[] = [];
  const finished: Promise<void>[] = [];
  const send = async (t: number): Promise<void> => {
    await Promise.all([...(tiles[t].dependsOn ?? []).map((d) => finished[d]), sent[t - 1]]);
    // Its variation is left out already when a tile it sees came back unreadable for it: not sent.
    if (droppedVariations(tiles, progress, req.seeds.length).includes(tiles[t].variation ?? 0)) {
      progress[t] = { done: true, unreadable: [0] };
      await record();
      return;
    }
    const images = await dependentCapture(life.jobId, req, t, innerIo);
    const transfer = { bytesUp: 0, bytesDown: 0 };
    const remoteJobId = await sendTile(req, t, images, life, innerIo, transfer);
    io.moved(transfer.bytesUp, 0);
    progress[t] = { remoteJobId };
    await record();
  };
  const finish = async (t: number): Promise<void> => {
    await sent[t];
    const p = progress[t];
    if (p.done) return;
    // Upscales a previous session started for this tile are not waited for: they are cancelled and asked again.
    if (p.upscaleJobIds?.length) {
      await Promise.all(p.upscaleJobIds.map((id) => io.deps.broker.cancel(id).catch(() => undefined)));
      for (const id of p.upscaleJobIds) life.remoteJobIds.delete(id);
      p.upscaleJobIds = [];
    }
    // Each upscale's broker job is in the record while it runs, so a reload can cancel it.
    const tileIo: UpscaleIO = {
      ...innerIo,
      track: (id, running) => {
        if (running) life.remoteJobIds.add(id);
        else life.remoteJobIds.delete(id);
        p.upscaleJobIds = running ? [...(p.upscaleJobIds ?? []), id] : (p.upscaleJobIds ?? []).filter((x) => x !== id);
        void record().catch(() => undefined);
      },
    };
    if (!p.remoteJobId) throw new Error(`tile ${t + 1} was never sent`);
    const { pixels, failures } = await runTile(life.jobId, req, tiles[t], t, p.remoteJobId, tileIo);
    const unreadable: number[] = [];
    for (let v = 0; v < pixels.length; v++) {
      const image = pixels[v];
      if (image) await io.deps.store.putBytes(life.jobId, tileKey.result(t, v), encodeRGBAPng(image));
      else unreadable.push(v);
    }
    if (unreadable.length) {
      p.unreadable = unreadable;
      unreadableDetails.push(...failures);
    }
    p.done = true;
    await record();
  };
  for (let t = 0; t < tiles.length; t++) {
    sent.push(t < progress.length ? Promise.resolve() : send(t));
    finished.push(finish(t));
  }
  try {
    await Promise.all(finished);
  } catch (e) {
    inner.abort();
    // Every send under way ends before the broker jobs are cancelled, so a cancel reaches each of them.
    await Promise.allSettled([...sent, ...finished]);
    if (!io.signal.aborted) await cancelRunning(life, io);
    throw e;
  } finally {
    io.signal.removeEventListener("abort", stop);
  }
  return blended(life.jobId, req, progress, unreadableDetails, io);
}

/**
 * The tiles' stored results blended per variation (read one variation at a time, so only one
 * variation's tiles are decoded at once), and the request that places them.
 */
async function blended(
  jobId: string,
  req: JobRequest,
  progress: readonly TileProgress[],
  details: readonly string[],
  io: UpscaleIO,
): Promise<{ request: JobRequest; variations: DecodedVariation[] }> {
  const tiles = tilesOf(req) ?? [];
  const frame = blendFrame(req);
  const dropped = droppedVariations(tiles, progress, req.seeds.length);
  if (dropped.length) {
    // As for a single fill: the variations whose tiles all came back readable are placed, and the job says which were left out.
    const detail = details.length ? details.join("; ") : "results read before a reload";
    const error = classifyUnreadableOutput(dropped.length, req.seeds.length, detail);
    if (dropped.length >= req.seeds.length) throw new WorkflowError({ category: error.category, message: error.message, detail: error.detail });
    io.emit({ note: error.message });
  }
  const variations: DecodedVariation[] = [];
  for (let v = 0; v < req.seeds.length; v++) {
    if (dropped.includes(v)) continue;
    const parts: TileContribution[] = [];
    for (let t = 0; t < tiles.length; t++) {
      const result = tileResultIndex(tiles[t], v);
      if (result !== null) parts.push({ rect: tiles[t].rect, placeRect: tiles[t].placeRect, pixels: await storedTile(jobId, t, result, io) });
    }
    variations.push({ seed: req.seeds[v], image: blendTiles(frame, parts), tone: null });
  }
  return { request: settledTiles(req, frame), variations };
}

/** The document rectangle the blend covers: a fill's selection and band, an expansion's new area (new canvas coordinates). */
function blendFrame(req: JobRequest): Rect {
  if (req.kind === "expand") return expandLayerRect(req.expand.geometry);
  if (req.kind !== "fill") throw new Error(`a ${req.kind} job has no tiles`);
  return clampToCanvas(growRect(req.fill.geometry.selection, req.blend.bandPx), req.docSize);
}

/** The request that places a blend of `frame` at 1:1, with no tiles left to run. */
function settledTiles(req: JobRequest, frame: Rect): JobRequest {
  const detailNote = tiledSummary(req);
  if (req.kind === "expand") {
    const { tiles: _tiles, upscale: _upscale, ...expand } = req.expand;
    return { ...req, expand: { ...expand, frame, detailNote } };
  }
  if (req.kind !== "fill") return req;
  const { tiles: _tiles, upscale: _upscale, ...fill } = req.fill;
  const geometry = frameGeometry(fill.geometry.selection, frame);
  return { ...req, sendSize: { ...geometry.sendSize }, fill: { ...fill, geometry, detailNote } };
}

/** Said on a placed or kept tiled job: the requests it made. */
function tiledSummary(req: JobRequest): string {
  const tiles = tilesOf(req) ?? [];
  return `${describeRequests({ mode: "native", fills: tiles.length, upscales: tileUpscales(tiles) })}, blended.`;
}
