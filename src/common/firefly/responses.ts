// Response bodies of the Firefly v3 async API (and the broker's one extension: the `queued` status).
// Parsing is tolerant where Adobe's own documents disagree (canceled/cancelled, bare-UUID job ids,
// date fields as strings or epoch milliseconds) and strict where clients depend on a field.

import { z } from "zod";

/** 200 from `POST /v2/storage/image`. */
export const UploadResponseSchema = z.object({ images: z.array(z.object({ id: z.string().min(1) })).min(1) });
export type UploadResponse = z.infer<typeof UploadResponseSchema>;

/** 202 from every `*-async` submit. */
export const AcceptResponseSchema = z.object({ jobId: z.string().min(1), statusUrl: z.string().min(1), cancelUrl: z.string().min(1) });
export type AcceptResponse = z.infer<typeof AcceptResponseSchema>;

export const FIREFLY_JOB_STATUSES = ["pending", "running", "succeeded", "failed", "canceled", "cancelled", "cancel_pending", "timeout"] as const;
/** `queued` is the broker's own: the job waits in the broker's fair queue and has not been sent to Firefly yet. */
export const JOB_STATUSES = [...FIREFLY_JOB_STATUSES, "queued"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const TERMINAL: readonly JobStatus[] = ["succeeded", "failed", "canceled", "cancelled", "timeout"];
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.includes(status);
}
export function isCancelledStatus(status: JobStatus): boolean {
  return status === "canceled" || status === "cancelled";
}

const SizeSchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });

export const OutputImageSchema = z.object({
  seed: z.number().int(),
  image: z.object({ url: z.string().min(1).max(2083) }),
});

export const JobResultSchema = z.object({
  outputs: z.array(OutputImageSchema),
  size: SizeSchema.optional(),
  contentClass: z.enum(["photo", "art"]).optional(),
  altText: z.string().optional(),
  promptHasDeniedWords: z.boolean().optional(),
  promptHasBlockedArtists: z.boolean().optional(),
  /** Broker extension: set by the local engine, which does not read prompts. */
  promptUsed: z.boolean().optional(),
});
export type JobResult = z.infer<typeof JobResultSchema>;

/** 200 from `GET /v3/status/{jobId}` for every job state; failures are in the body. */
export const JobStatusResponseSchema = z
  .object({
    jobId: z.string().min(1),
    status: z.enum(JOB_STATUSES),
    progress: z.number().min(0).max(100).optional(),
    /** Broker extension, with `queued`: 1 = next to be sent. */
    queuePosition: z.number().int().min(1).optional(),
    result: JobResultSchema.optional(),
    error_code: z.string().optional(),
    message: z.string().optional(),
    /** Broker extension, with `failed`: the category the broker classified the failure as. */
    category: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === "succeeded" && !v.result) ctx.addIssue({ code: "custom", message: "a succeeded job carries a result", path: ["result"] });
    if (v.status === "queued" && v.queuePosition === undefined) {
      ctx.addIssue({ code: "custom", message: "a queued job carries its queue position", path: ["queuePosition"] });
    }
  });
export type JobStatusResponse = z.infer<typeof JobStatusResponseSchema>;

/** `PUT /v3/cancel/{jobId}` answers 200 with a small body whose shape Adobe does not pin down. */
export const CancelResponseSchema = z.object({ jobId: z.string().optional(), status: z.string().optional(), message: z.string().optional() }).passthrough();

const DateLike = z.union([z.string(), z.number()]);
export const CustomModelSchema = z
  .object({
    assetId: z.string().min(1),
    assetName: z.string().optional(),
    displayName: z.string().optional(),
    version: z.string().optional(),
    size: z.number().optional(),
    etag: z.string().optional(),
    trainingMode: z.enum(["subject", "style"]).optional(),
    mediaType: z.string().optional(),
    createdDate: DateLike.optional(),
    modifiedDate: DateLike.optional(),
    publishedState: z.enum(["never", "published", "unpublished"]).optional(),
    baseModel: z.object({ name: z.string().optional(), version: z.string().optional() }).passthrough().optional(),
    samplePrompt: z.string().optional(),
    conceptId: z.string().optional(),
  })
  .passthrough();
export type CustomModel = z.infer<typeof CustomModelSchema>;

/** 200 from `GET /v3/custom-models`. */
export const CustomModelsResponseSchema = z
  .object({
    custom_models: z.array(CustomModelSchema),
    _links: z.object({}).passthrough().optional(),
    total_count: z.number().int().optional(),
  })
  .passthrough();
export type CustomModelsResponse = z.infer<typeof CustomModelsResponseSchema>;

// ---- error bodies: every shape Firefly, its gateway and IMS are documented to send ----

export const ValidationErrorMessageSchema = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
  ctx: z.record(z.string(), z.unknown()).optional(),
});

/** `ApiError` (v3 POSTs) and `ValidationErrorResponse` (422). */
export const ApiErrorSchema = z.object({
  error_code: z.string(),
  message: z.string().optional(),
  stack_trace: z.array(z.string()).optional(),
  validation_errors: z.array(ValidationErrorMessageSchema).optional(),
});
/** 451 `ContentPolicyErrorResponse`. */
export const CONTENT_POLICY_CODES = [
  "legal_error",
  "prompt_unsafe",
  "prompt_entity_denied",
  "image_unsafe",
  "video_unsafe",
  "reference_image_unsafe_error",
  "input_media_unsafe",
] as const;
export const ContentPolicyErrorSchema = z.object({ error_code: z.string(), message: z.string().optional() });
/** Status and cancel: `ApiErrorGeneric`. */
export const ApiErrorGenericSchema = z.object({ error_code: z.string().optional(), message: z.string().optional() });
/** Upload: `ErrorBody`, codes may be numeric strings such as "401013". */
export const UploadErrorBodySchema = z.object({ error_code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() });
/** Custom models: `{reason, message}`. */
export const ReasonErrorSchema = z.object({ reason: z.string(), message: z.string().optional() });
/** IMS token endpoint: OAuth-style. */
export const ImsErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
export const ImsTokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().positive() });
export type ImsToken = z.infer<typeof ImsTokenSchema>;

/** What any error body says, whatever its shape (JSON of any documented kind, HTML, text, nothing). */
export interface ErrorFacts {
  code?: string;
  message?: string;
  validationErrors?: z.infer<typeof ValidationErrorMessageSchema>[];
}

export function readErrorBody(body: unknown): ErrorFacts {
  if (body === undefined || body === null) return {};
  if (typeof body === "string") {
    const text = body.trim();
    if (text.startsWith("{")) {
      try {
        return readErrorBody(JSON.parse(text));
      } catch {
        /* not JSON after all */
      }
    }
    const stripped = text
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    return stripped ? { message: stripped.slice(0, 300) } : {};
  }
  if (typeof body !== "object" || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
  const validation = z.array(ValidationErrorMessageSchema).safeParse(b.validation_errors);
  return {
    code: str(b.error_code) ?? str(b.error) ?? str(b.reason),
    message: str(b.message) ?? str(b.error_description),
    validationErrors: validation.success ? validation.data : undefined,
  };
}
