// Request bodies of the Firefly v3 async image endpoints, with runtime validation.
// Written from Adobe's OpenAPI description (FillImageRequestV3, ExpandImageRequestV3,
// GenerateImagesRequestV3, GenerateSimilarImagesRequestV3) and the rules in its prose.

import { z } from "zod";
import { parseWebAddress } from "../net/web-address";
import {
  EXPAND_MAX_SIDE,
  FILL_SIZES,
  GENERATE_MODELS,
  MAX_VARIATIONS,
  PROMPT_MAX,
  SEED_MAX,
  SIMILAR_MODELS,
  SIMILAR_SIZES,
  generateSizesFor,
  hostAllowedForSourceUrl,
  type GenerateModel,
  type Size,
} from "./limits";
import { ADAPTIVE_COMPOSITE_PATH, compositeSchemas, PRECISE_COMPOSITE_PATH } from "./composite";
import { UPSCALE_FACTORS, UPSCALE_MODELS, UPSCALE_PATH } from "./upscale";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{ uploadId }` or `{ url }` (a pre-signed URL on an allowed storage domain) — exactly one. */
export const SourceSchema = z
  .strictObject({
    uploadId: z.string().regex(UUID, "must be an upload id (a UUID) from POST /v2/storage/image").optional(),
    url: z.string().min(1).max(2083).optional(),
  })
  .superRefine((v, ctx) => {
    const given = (v.uploadId !== undefined ? 1 : 0) + (v.url !== undefined ? 1 : 0);
    if (given !== 1) {
      ctx.addIssue({ code: "custom", message: "give exactly one of uploadId or url", path: [] });
      return;
    }
    if (v.url !== undefined) {
      const u = parseWebAddress(v.url);
      if (!u) {
        ctx.addIssue({ code: "custom", message: "url is not a valid URL", path: ["url"] });
        return;
      }
      if (u.protocol !== "https:" || !hostAllowedForSourceUrl(u.hostname)) {
        ctx.addIssue({
          code: "custom",
          message: "url must be an https pre-signed URL on amazonaws.com, windows.net, dropboxusercontent.com or storage.googleapis.com",
          path: ["url"],
        });
      }
    }
  });
export type Source = z.infer<typeof SourceSchema>;

const SizeSchema = z.strictObject({ width: z.int().min(1).max(4096), height: z.int().min(1).max(4096) });
const PromptSchema = z.string().min(1, "must not be empty").max(PROMPT_MAX, `must be at most ${PROMPT_MAX} characters`);
const NegativePromptSchema = z.string().max(PROMPT_MAX, `must be at most ${PROMPT_MAX} characters`);
const SeedSchema = z.int().min(0).max(SEED_MAX);

const variationFields = {
  numVariations: z.int().min(1).max(MAX_VARIATIONS).optional(),
  seeds: z.array(SeedSchema).min(1).max(MAX_VARIATIONS).optional(),
};

const ImageSchema = z.strictObject({
  source: SourceSchema,
  /** Deprecated by Adobe in favour of the top-level `mask`; accepted for old clients. */
  mask: SourceSchema.optional(),
});
const MaskSchema = z.strictObject({ source: SourceSchema, invert: z.boolean().optional() });
const ReferenceSchema = z.strictObject({ source: SourceSchema });
/**
 * Not Firefly's: the local engine's sampling area (Photoshop's term), an image of the image's
 * size (the canvas for expand) whose white pixels may be copied from. A Firefly broker refuses it.
 */
const SamplingMaskSchema = z.strictObject({ source: SourceSchema, invert: z.boolean().optional() });

const PlacementSchema = z.strictObject({
  inset: z
    .strictObject({
      left: z.int().min(0).optional(),
      top: z.int().min(0).optional(),
      right: z.int().min(0).optional(),
      bottom: z.int().min(0).optional(),
    })
    .optional(),
  alignment: z
    .strictObject({
      horizontal: z.enum(["center", "left", "right"]).optional(),
      vertical: z.enum(["center", "top", "bottom"]).optional(),
    })
    .optional(),
});

type Ctx = z.RefinementCtx;

function checkSeeds(v: { numVariations?: number; seeds?: number[] }, ctx: Ctx): void {
  if (!v.seeds) return;
  if (new Set(v.seeds).size !== v.seeds.length) ctx.addIssue({ code: "custom", message: "seeds must be unique", path: ["seeds"] });
  if (v.numVariations !== undefined && v.seeds.length !== v.numVariations) {
    ctx.addIssue({ code: "custom", message: `give exactly numVariations (${v.numVariations}) seeds`, path: ["seeds"] });
  }
}

function checkPreset(size: Size | undefined, allowed: readonly Size[], what: string, ctx: Ctx): void {
  if (!size) return;
  if (!allowed.some((s) => s.width === size.width && s.height === size.height)) {
    const list = allowed.map((s) => `${s.width}x${s.height}`).join(", ");
    ctx.addIssue({ code: "custom", message: `${size.width}x${size.height} is not a ${what} size; use one of ${list}`, path: ["size"] });
  }
}

export const FillRequestSchema = z
  .strictObject({
    image: ImageSchema,
    mask: MaskSchema,
    samplingMask: SamplingMaskSchema.optional(),
    prompt: PromptSchema.optional(),
    negativePrompt: NegativePromptSchema.optional(),
    size: SizeSchema.optional(),
    promptBiasingLocaleCode: z.string().min(2).max(16).optional(),
    ...variationFields,
  })
  .superRefine((v, ctx) => {
    checkSeeds(v, ctx);
    checkPreset(v.size, FILL_SIZES, "fill", ctx);
  });
export type FillRequest = z.infer<typeof FillRequestSchema>;

export const ExpandRequestSchema = z
  .strictObject({
    image: ImageSchema,
    mask: MaskSchema.optional(),
    samplingMask: SamplingMaskSchema.optional(),
    placement: PlacementSchema.optional(),
    prompt: PromptSchema.optional(),
    size: SizeSchema.optional(),
    ...variationFields,
  })
  .superRefine((v, ctx) => {
    checkSeeds(v, ctx);
    if (v.mask && v.placement) ctx.addIssue({ code: "custom", message: "placement cannot be used together with a mask", path: ["placement"] });
    if (v.size && (v.size.width > EXPAND_MAX_SIDE || v.size.height > EXPAND_MAX_SIDE)) {
      ctx.addIssue({ code: "custom", message: `expand output is at most ${EXPAND_MAX_SIDE}x${EXPAND_MAX_SIDE}`, path: ["size"] });
    }
  });
export type ExpandRequest = z.infer<typeof ExpandRequestSchema>;

const generateShape = {
  prompt: PromptSchema,
  negativePrompt: NegativePromptSchema.optional(),
  contentClass: z.enum(["photo", "art"]).optional(),
  size: SizeSchema.optional(),
  style: z
    .strictObject({
      presets: z.array(z.string().min(1).max(64)).max(64).optional(),
      imageReference: ReferenceSchema.optional(),
      strength: z.int().min(1).max(100).optional(),
    })
    .optional(),
  structure: z.strictObject({ imageReference: ReferenceSchema.optional(), strength: z.int().min(0).max(100).optional() }).optional(),
  visualIntensity: z.int().min(2).max(10).optional(),
  promptBiasingLocaleCode: z.string().min(2).max(16).optional(),
  customModelId: z.string().min(1).max(512).optional(),
  upsamplerType: z.enum(["default", "low_creativity"]).optional(),
  ...variationFields,
};
export const GenerateRequestSchema = z.strictObject(generateShape);
export type GenerateRequest = z.infer<typeof GenerateRequestSchema>;

/** Rules of generate that depend on the model chosen with the `x-model-version` header. */
function checkGenerate(v: GenerateRequest, model: GenerateModel, ctx: Ctx): void {
  checkSeeds(v, ctx);
  checkPreset(v.size, generateSizesFor(model), model, ctx);
  const custom = model.endsWith("_custom");
  if (custom && !v.customModelId) ctx.addIssue({ code: "custom", message: `customModelId is required with ${model}`, path: ["customModelId"] });
  if (!custom && v.customModelId)
    ctx.addIssue({ code: "custom", message: "customModelId needs x-model-version image3_custom or image4_custom", path: ["customModelId"] });
  if (custom && v.negativePrompt !== undefined)
    ctx.addIssue({ code: "custom", message: "negativePrompt is not supported with custom models", path: ["negativePrompt"] });
  if (v.upsamplerType !== undefined && model !== "image4_custom")
    ctx.addIssue({ code: "custom", message: "upsamplerType is only for image4_custom", path: ["upsamplerType"] });
  if (v.visualIntensity !== undefined && model === "image4_custom")
    ctx.addIssue({ code: "custom", message: "visualIntensity is not supported with image4_custom", path: ["visualIntensity"] });
  if (v.style?.presets && new Set(v.style.presets).size !== v.style.presets.length) {
    ctx.addIssue({ code: "custom", message: "style presets must be unique", path: ["style", "presets"] });
  }
}

export const SimilarRequestSchema = z.strictObject({ image: ReferenceSchema, size: SizeSchema.optional(), ...variationFields }).superRefine((v, ctx) => {
  checkSeeds(v, ctx);
  checkPreset(v.size, SIMILAR_SIZES, "generate-similar", ctx);
});
export type SimilarRequest = z.infer<typeof SimilarRequestSchema>;

/** Upscale (PreciseUpsamplerRequestV3): one seed per output, required; the factor defaults to 2. */
export const UpscaleRequestSchema = z
  .strictObject({
    image: ReferenceSchema,
    seeds: z.array(SeedSchema).min(1).max(MAX_VARIATIONS),
    upscaleFactor: z.union(UPSCALE_FACTORS.map((f) => z.literal(f))).optional(),
  })
  .superRefine((v, ctx) => checkSeeds(v, ctx));
export type UpscaleRequest = z.infer<typeof UpscaleRequestSchema>;

/** Adaptive and precise composite (AdaptiveCompositeRequest, PreciseCompositeRequest); see composite.ts. */
export const { adaptive: AdaptiveCompositeRequestSchema, precise: PreciseCompositeRequestSchema } = compositeSchemas(SourceSchema, checkSeeds);
export type AdaptiveCompositeRequest = z.infer<typeof AdaptiveCompositeRequestSchema>;
export type PreciseCompositeRequest = z.infer<typeof PreciseCompositeRequestSchema>;

// ---- validation as the broker answers it (Firefly's 422 shape) ----

export type SubmitEndpoint = "fill" | "expand" | "generate" | "similar" | "upscale" | "adaptive" | "precise";
export const SUBMIT_ENDPOINTS: readonly SubmitEndpoint[] = ["fill", "expand", "generate", "similar", "upscale", "adaptive", "precise"];
/** The path of each submit endpoint, e.g. `/v3/images/fill-async`. */
export const SUBMIT_PATHS: Record<SubmitEndpoint, string> = {
  fill: "/v3/images/fill-async",
  expand: "/v3/images/expand-async",
  generate: "/v3/images/generate-async",
  similar: "/v3/images/generate-similar-async",
  upscale: UPSCALE_PATH,
  adaptive: ADAPTIVE_COMPOSITE_PATH,
  precise: PRECISE_COMPOSITE_PATH,
};

export type SubmitRequest = {
  fill: FillRequest;
  expand: ExpandRequest;
  generate: GenerateRequest;
  similar: SimilarRequest;
  upscale: UpscaleRequest;
  adaptive: AdaptiveCompositeRequest;
  precise: PreciseCompositeRequest;
};
/** Endpoints Adobe describes without model selection: any `x-model-version` is refused. */
const NO_MODEL: readonly SubmitEndpoint[] = ["fill", "expand", "adaptive", "precise"];

export interface ValidationErrorItem {
  loc: (string | number)[];
  msg: string;
  type: string;
}
export interface ValidationErrorBody {
  error_code: "validation_error";
  message: string;
  validation_errors: ValidationErrorItem[];
}

export type Validated<E extends SubmitEndpoint> =
  { ok: true; value: SubmitRequest[E]; modelVersion?: string } | { ok: false; status: 422; body: ValidationErrorBody };

function toValidationError(items: ValidationErrorItem[]): { ok: false; status: 422; body: ValidationErrorBody } {
  const first = items[0];
  const where = first.loc.join(".");
  const more = items.length > 1 ? ` (and ${items.length - 1} more)` : "";
  return { ok: false, status: 422, body: { error_code: "validation_error", message: `${where}: ${first.msg}${more}`, validation_errors: items } };
}

function issuesToItems(issues: z.core.$ZodIssue[]): ValidationErrorItem[] {
  return issues.map((i) => {
    if (i.code === "unrecognized_keys") {
      const keys = (i as { keys: string[] }).keys;
      return { loc: ["body", ...i.path.map(String), keys[0]], msg: `unknown field ${keys.map((k) => `"${k}"`).join(", ")}`, type: "value_error.extra" };
    }
    return { loc: ["body", ...i.path.map((p) => (typeof p === "number" ? p : String(p)))], msg: i.message, type: `value_error.${i.code}` };
  });
}

const MODEL_HEADER_LOC = ["header", "x-model-version"];

/**
 * Validates a submit body and its `x-model-version` header for one endpoint, before anything goes
 * upstream. Errors come back in Firefly's 422 shape with every offending field named.
 */
export function validateSubmit<E extends SubmitEndpoint>(endpoint: E, body: unknown, modelVersion: string | undefined): Validated<E> {
  const items: ValidationErrorItem[] = [];
  let model: string | undefined = modelVersion === undefined || modelVersion === "" ? undefined : modelVersion;
  if (NO_MODEL.includes(endpoint)) {
    if (model !== undefined)
      items.push({ loc: MODEL_HEADER_LOC, msg: `${SUBMIT_PATHS[endpoint]} has no model selection; leave x-model-version out`, type: "value_error.model" });
  } else {
    const allowed: readonly string[] = endpoint === "generate" ? GENERATE_MODELS : endpoint === "upscale" ? UPSCALE_MODELS : SIMILAR_MODELS;
    if (model !== undefined && !allowed.includes(model)) {
      items.push({ loc: MODEL_HEADER_LOC, msg: `unknown model "${model}"; use one of ${allowed.join(", ")}`, type: "type_error.enum" });
      model = undefined;
    }
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    items.push({ loc: ["body"], msg: "the body must be a JSON object", type: "type_error.dict" });
    return toValidationError(items) as Validated<E>;
  }
  let parsed: z.ZodSafeParseResult<unknown>;
  switch (endpoint) {
    case "fill":
      parsed = FillRequestSchema.safeParse(body);
      break;
    case "expand":
      parsed = ExpandRequestSchema.safeParse(body);
      break;
    case "similar":
      parsed = SimilarRequestSchema.safeParse(body);
      break;
    case "upscale":
      parsed = UpscaleRequestSchema.safeParse(body);
      break;
    case "adaptive":
      parsed = AdaptiveCompositeRequestSchema.safeParse(body);
      break;
    case "precise":
      parsed = PreciseCompositeRequestSchema.safeParse(body);
      break;
    default: {
      const gen = model ?? "image3";
      parsed = GenerateRequestSchema.superRefine((v, ctx) => checkGenerate(v, gen as GenerateModel, ctx)).safeParse(body);
    }
  }
  if (!parsed.success) items.push(...issuesToItems(parsed.error.issues));
  if (items.length) return toValidationError(items) as Validated<E>;
  return { ok: true, value: parsed.data as SubmitRequest[E], modelVersion: model };
}
