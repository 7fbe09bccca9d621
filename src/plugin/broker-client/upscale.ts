// Firefly's precise upscale through the broker: one image, one output, a factor of 2, 3, 4 or 6.

import { UPSCALE_MODELS, type AcceptResponse, type UpscaleFactor, type UpscaleRequest } from "../../common/firefly";
import type { BrokerClient } from "./client";

/** The precise upsampler: the input's content at the new size, nothing invented. */
export const UPSCALE_MODEL = UPSCALE_MODELS[0];

/** Submits an upscale of an uploaded image; the answer is polled and downloaded like any other job. */
export function upscale(broker: BrokerClient, uploadId: string, factor: UpscaleFactor, seed: number, signal?: AbortSignal): Promise<AcceptResponse> {
  const body: UpscaleRequest = { image: { source: { uploadId } }, seeds: [seed], upscaleFactor: factor };
  return broker.submit("upscale", body, UPSCALE_MODEL, signal);
}

/**
 * A status body with upscale outputs (`{ presignedUrl, image }`, no seed: Adobe's upscale reports none)
 * numbered in order, so it reads like every other job's; any other body comes back as it was.
 */
export function numberUpscaleOutputs(body: unknown): unknown {
  const result = body && typeof body === "object" ? (body as { result?: unknown }).result : undefined;
  const outputs = result && typeof result === "object" ? (result as { outputs?: unknown }).outputs : undefined;
  if (!Array.isArray(outputs)) return body;
  const seedless = (o: unknown) => !!o && typeof o === "object" && "presignedUrl" in o && !("seed" in o);
  if (!outputs.every(seedless)) return body;
  return { ...(body as object), result: { ...(result as object), outputs: outputs.map((o: object, seed) => ({ ...o, seed })) } };
}
