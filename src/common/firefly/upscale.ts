// Firefly's upscale (`POST /v3/images/upscale`, the precise upsampler), where it differs from the
// other async image endpoints: the model header, the factors, the 202 answer (links to poll and to
// cancel instead of `jobId`/`statusUrl`) and the result's outputs (`id` + `presignedUrl`, no seed).
// Written from Adobe's OpenAPI description (PreciseUpsamplerRequestV3, PreciseUpscaleAcceptResponseV3,
// PreciseUpsamplerResponse, UpscaleBinaryOutput). The request body's schema is in requests.ts with the
// other submit bodies.

import { z } from "zod";
import { parseWebAddress } from "../net/web-address";

export const UPSCALE_PATH = "/v3/images/upscale";
/** `x-model-version` values upscale accepts (optional; `creative_upsampler_v1` is refused with 422). */
export const UPSCALE_MODELS = ["precise_upsampler_v1"] as const;
/** Output size = input size × factor. */
export const UPSCALE_FACTORS = [2, 3, 4, 6] as const;
export type UpscaleFactor = (typeof UPSCALE_FACTORS)[number];
/** The largest output side planned for (Adobe's guide: "at most about 6k px"). */
export const UPSCALE_MAX_OUTPUT_SIDE = 6000;

const LinkSchema = z.object({ href: z.string().min(1).max(4096) });
/** Adobe's 202 for upscale. */
export const UpscaleAcceptSchema = z.object({ links: z.object({ result: LinkSchema, cancel: LinkSchema.optional() }), progress: z.number().optional() });

const STATUS_SEGMENT = "/v3/status/";

/** The job id in an upscale 202's `links.result.href` (`…/v3/status/<jobId>`), or undefined. */
export function upscaleJobId(body: unknown): string | undefined {
  const parsed = UpscaleAcceptSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const href = parsed.data.links.result.href;
  // Absolute (read with our own parser: this file is bundled into the plugin) or a bare path.
  const path = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(href) ? parseWebAddress(href)?.pathname : href.split(/[?#]/, 1)[0];
  if (path === undefined) return undefined;
  const at = path.lastIndexOf(STATUS_SEGMENT);
  if (at < 0) return undefined;
  const id = path.slice(at + STATUS_SEGMENT.length);
  try {
    return id && !id.includes("/") ? decodeURIComponent(id) : undefined;
  } catch {
    return undefined;
  }
}

/** The broker's 202 for upscale: Adobe's links, plus the fields every other submit answers with. */
export function upscaleAcceptBody(accepted: { jobId: string; statusUrl: string; cancelUrl: string }): Record<string, unknown> {
  return { ...accepted, links: { result: { href: accepted.statusUrl }, cancel: { href: accepted.cancelUrl } } };
}

/**
 * An upscale result's outputs (`{ id, presignedUrl }`, no `image`) in the shape the broker keeps for
 * every job (`{ seed, image: { url } }`). Upscale outputs carry no seed: they are numbered in order.
 * Undefined when the outputs are not all upscale outputs with a usable URL (or there are none).
 */
export function readUpscaleOutputs(outputs: unknown[]): { seed: number; image: { url: string } }[] | undefined {
  if (outputs.length === 0) return undefined;
  const out: { seed: number; image: { url: string } }[] = [];
  for (const [i, o] of outputs.entries()) {
    if (!o || typeof o !== "object" || "image" in o) return undefined;
    const url = (o as { presignedUrl?: unknown }).presignedUrl;
    if (typeof url !== "string" || url.length === 0 || url.length > 4096) return undefined;
    out.push({ seed: i, image: { url } });
  }
  return out;
}

/** One output of the broker's upscale status: Adobe's field, and the link every other route gives. */
export function upscaleOutputView(link: string): Record<string, unknown> {
  return { presignedUrl: link, image: { url: link } };
}
