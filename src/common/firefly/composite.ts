// Firefly's composites — `POST /v3/images/adaptive-composite` (harmonization, shadow, keep background)
// and `POST /v3/images/precise-composite` (blend) — where they differ from the other async image
// endpoints: their request bodies (a background with the fill-area mask that places the object, the
// object, 1–3 variations), no model header, and a 202 that Adobe's description gives as
// `{status, jobId, statusUrl, cancelUrl}` with every field optional while its guide says the answer
// carries links like upscale's. Written from Adobe's OpenAPI description (AdaptiveCompositeRequest,
// PreciseCompositeRequest, BackgroundInput, AdaptiveObjectInput, ObjectInput, OutputSpec,
// AsyncJobResponse). Their results are the usual `{seed, image: {url}}` outputs.

import { z } from "zod";
import { SEED_MAX } from "./limits";
import { upscaleJobId } from "./upscale";

export const ADAPTIVE_COMPOSITE_PATH = "/v3/images/adaptive-composite";
export const PRECISE_COMPOSITE_PATH = "/v3/images/precise-composite";
/** Variations a composite job makes (the other endpoints allow 4). */
export const COMPOSITE_MAX_VARIATIONS = 3;
/** The seeds Adobe uses when none are given, by variation count (1 → [333], 2 → [333, 222], …). */
export const COMPOSITE_DEFAULT_SEEDS = [333, 222, 111] as const;
export const COMPOSITE_MEDIA_TYPES = ["image/png", "image/jpeg", "image/webp", "image/jxl"] as const;

/**
 * The schemas of the two composite bodies, built from requests.ts's source schema and seed rule (the
 * seed count must equal numVariations) so every endpoint checks those alike.
 */
export function compositeSchemas<S extends z.ZodType>(source: S, checkSeeds: (v: { numVariations?: number; seeds?: number[] }, ctx: z.RefinementCtx) => void) {
  const ref = z.strictObject({ source });
  const common = {
    background: z.strictObject({ image: ref, fillAreaMask: ref }),
    numVariations: z.int().min(1).max(COMPOSITE_MAX_VARIATIONS).optional(),
    seeds: z.array(z.int().min(0).max(SEED_MAX)).min(1).max(COMPOSITE_MAX_VARIATIONS).optional(),
    output: z.strictObject({ mediaType: z.enum(COMPOSITE_MEDIA_TYPES).optional() }).optional(),
  };
  const unit = (what: string) => z.number().min(0, `${what} must be between 0 and 1`).max(1, `${what} must be between 0 and 1`);
  const adaptive = z
    .strictObject({
      ...common,
      object: z.strictObject({ image: ref, mask: ref.optional() }),
      harmonization: unit("harmonization").optional(),
      shadowIntensity: unit("shadowIntensity").optional(),
      preserveBackground: z.boolean().optional(),
    })
    .superRefine((v, ctx) => checkSeeds(v, ctx));
  const precise = z
    .strictObject({
      ...common,
      object: z.strictObject({ image: ref }),
      blend: unit("blend").optional(),
    })
    .superRefine((v, ctx) => checkSeeds(v, ctx));
  return { adaptive, precise };
}

/** The seeds a composite job runs with: the given ones, or Adobe's defaults for the variation count. */
export function compositeSeeds(body: { numVariations?: number; seeds?: number[] }): number[] {
  return body.seeds ?? COMPOSITE_DEFAULT_SEEDS.slice(0, body.numVariations ?? 1);
}

/** Whether a submit endpoint is one of the composites. */
export function isCompositeEndpoint(endpoint: string): endpoint is "adaptive" | "precise" {
  return endpoint === "adaptive" || endpoint === "precise";
}

const AcceptSchema = z.object({ jobId: z.string().min(1).max(300) });

/** The job id in a composite 202: `jobId` (the described answer), else the id in `links.result.href`. */
export function compositeJobId(body: unknown): string | undefined {
  const parsed = AcceptSchema.safeParse(body);
  return parsed.success ? parsed.data.jobId : upscaleJobId(body);
}
