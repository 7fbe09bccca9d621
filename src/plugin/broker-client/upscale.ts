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
