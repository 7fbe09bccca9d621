// Uploading a captured job's images (in parallel) and building its Firefly request body.

import type { ExpandRequest, FillRequest, GenerateRequest, SimilarRequest, SubmitEndpoint, SubmitRequest } from "../../common/firefly";
import { encodeGrayPng, encodeJpeg } from "../../common/imaging/codecs";
import type { BrokerClient } from "../broker-client";
import type { Captured } from "./capture";
import { withRetry } from "./retry";

export interface Uploads {
  source?: string;
  mask?: string;
  style?: string;
  structure?: string;
}

export interface Transfer {
  /** Bytes sent to the broker (uploads). */
  bytesUp: number;
  bytesDown: number;
}

export const SOURCE_JPEG_QUALITY = 85;
export const REFERENCE_JPEG_QUALITY = 88;

export async function uploadAll(
  cap: Captured,
  broker: BrokerClient,
  signal: AbortSignal,
  transfer: Transfer,
  sleep: (ms: number, s?: AbortSignal) => Promise<void>,
  onEncoded?: (key: keyof Uploads, bytes: Uint8Array) => void,
): Promise<Uploads> {
  const jobs: [keyof Uploads, () => Uint8Array, "image/jpeg" | "image/png"][] = [];
  if (cap.source) jobs.push(["source", () => encodeJpeg(cap.source!, SOURCE_JPEG_QUALITY), "image/jpeg"]);
  if (cap.sendMask) jobs.push(["mask", () => encodeGrayPng(cap.sendMask!), "image/png"]);
  if (cap.styleReference) jobs.push(["style", () => encodeJpeg(cap.styleReference!, REFERENCE_JPEG_QUALITY), "image/jpeg"]);
  if (cap.structureReference) jobs.push(["structure", () => encodeJpeg(cap.structureReference!, REFERENCE_JPEG_QUALITY), "image/jpeg"]);
  // Encode one after another (CPU), send all at once (network).
  const encoded = jobs.map(([key, encode, type]) => ({ key, bytes: encode(), type }));
  for (const e of encoded) onEncoded?.(e.key, e.bytes);
  const ids = await Promise.all(
    encoded.map(async ({ key, bytes, type }) => {
      transfer.bytesUp += bytes.length;
      return [key, await withRetry(() => broker.upload(bytes, type, signal), signal, sleep)] as const;
    }),
  );
  const out: Uploads = {};
  for (const [k, id] of ids) out[k] = id;
  return out;
}

const withPrompt = (p: string | undefined): { prompt?: string } => (p && p.trim() ? { prompt: p.trim() } : {});

export function submitBody(cap: Captured, up: Uploads): { endpoint: SubmitEndpoint; body: SubmitRequest[SubmitEndpoint]; modelVersion?: string } {
  const req = cap.request;
  const p = req.params;
  const variations = { numVariations: req.seeds.length, seeds: req.seeds };
  switch (p.kind) {
    case "fill": {
      const body: FillRequest = {
        image: { source: { uploadId: up.source! } },
        mask: { source: { uploadId: up.mask! }, invert: false },
        ...withPrompt(p.prompt),
        ...(p.negativePrompt && p.negativePrompt.trim() ? { negativePrompt: p.negativePrompt.trim() } : {}),
        size: { ...req.sendSize },
        ...variations,
      };
      return { endpoint: "fill", body };
    }
    case "expand": {
      const g = req.expand!.geometry;
      const body: ExpandRequest = {
        image: { source: { uploadId: up.source! } },
        placement: { inset: { ...g.sendInsets } },
        ...withPrompt(p.prompt),
        size: { ...g.outputSize },
        ...variations,
      };
      return { endpoint: "expand", body };
    }
    case "generate": {
      const style: NonNullable<GenerateRequest["style"]> = {};
      if (p.stylePresets?.length) style.presets = [...new Set(p.stylePresets)];
      if (up.style) {
        style.imageReference = { source: { uploadId: up.style } };
        style.strength = clampInt(p.styleReference!.strength, 1, 100);
      }
      const body: GenerateRequest = {
        prompt: p.prompt.trim(),
        ...(p.negativePrompt && p.negativePrompt.trim() ? { negativePrompt: p.negativePrompt.trim() } : {}),
        ...(p.contentClass ? { contentClass: p.contentClass } : {}),
        size: { ...req.sendSize },
        ...(Object.keys(style).length ? { style } : {}),
        ...(up.structure ? { structure: { imageReference: { source: { uploadId: up.structure } }, strength: clampInt(p.structureReference!.strength, 0, 100) } } : {}),
        ...(p.visualIntensity !== undefined ? { visualIntensity: clampInt(p.visualIntensity, 2, 10) } : {}),
        ...(p.customModelId ? { customModelId: p.customModelId } : {}),
        ...variations,
      };
      return { endpoint: "generate", body, modelVersion: p.modelVersion };
    }
    case "similar": {
      const body: SimilarRequest = { image: { source: { uploadId: up.source! } }, size: { ...req.sendSize }, ...variations };
      return { endpoint: "similar", body, modelVersion: p.modelVersion };
    }
  }
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}
