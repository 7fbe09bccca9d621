import {
  AcceptResponseSchema,
  ApiErrorSchema,
  ContentPolicyErrorSchema,
  CustomModelsResponseSchema,
  ImsErrorSchema,
  ImsTokenSchema,
  JobStatusResponseSchema,
  ReasonErrorSchema,
  UploadErrorBodySchema,
  UploadResponseSchema,
  isTerminalStatus,
  readErrorBody,
} from "../../../src/common/firefly";

describe("documented response examples parse", () => {
  test("upload", () => {
    expect(UploadResponseSchema.parse({ images: [{ id: "510aabb4-e154-4a7b-bd2e-f492ee71c938" }] }).images[0].id).toMatch(/^510a/);
    expect(UploadResponseSchema.safeParse({ images: [] }).success).toBe(false);
  });
  test("202 accept", () => {
    const body = {
      jobId: "urn:ff:jobs:eso851211:86ffe2ea-d765-4bd3-b2fd-568ca8fc36ac",
      statusUrl: "https://firefly-api.adobe.io/v3/status/urn:ff:jobs:eso851211:86ffe2ea-d765-4bd3-b2fd-568ca8fc36ac",
      cancelUrl: "https://firefly-api.adobe.io/v3/cancel/urn:ff:jobs:eso851211:86ffe2ea-d765-4bd3-b2fd-568ca8fc36ac",
    };
    expect(AcceptResponseSchema.parse(body)).toEqual(body);
    expect(AcceptResponseSchema.safeParse({ jobId: "x" }).success).toBe(false);
  });
  test("succeeded job with result fields", () => {
    const s = JobStatusResponseSchema.parse({
      status: "succeeded",
      jobId: "urn:ff:jobs:epo854211:783e1c22-5a15-4a01-ab2b-32966a06ce6c",
      result: {
        size: { width: 2048, height: 2048 },
        outputs: [{ seed: 1842533538, image: { url: "https://pre-signed-firefly-prod.s3-accelerate.amazonaws.com/images/x" } }],
        contentClass: "art",
        altText: "A futuristic city",
      },
    });
    expect(s.result?.outputs[0].seed).toBe(1842533538);
    expect(isTerminalStatus(s.status)).toBe(true);
  });
  test("running with a bare UUID job id, and progress", () => {
    const s = JobStatusResponseSchema.parse({ status: "running", jobId: "86ffe2ea-d765-4bd3-b2fd-568ca8fc36ac", progress: 80 });
    expect(isTerminalStatus(s.status)).toBe(false);
  });
  test.each(["failed", "cancelled", "canceled", "cancel_pending", "timeout", "pending"])("%s poll payload", (status) => {
    const s = JobStatusResponseSchema.parse({ error_code: "some_error_code", jobId: "j", message: "some_message", status });
    expect(s.status).toBe(status);
    expect(isTerminalStatus(s.status)).toBe(!["pending", "cancel_pending"].includes(status));
  });
  test("the broker's queued status carries its position", () => {
    expect(JobStatusResponseSchema.parse({ status: "queued", jobId: "j", queuePosition: 3 }).queuePosition).toBe(3);
    expect(JobStatusResponseSchema.safeParse({ status: "queued", jobId: "j" }).success).toBe(false);
  });
  test("succeeded without a result, or an unknown status, is rejected", () => {
    expect(JobStatusResponseSchema.safeParse({ status: "succeeded", jobId: "j" }).success).toBe(false);
    expect(JobStatusResponseSchema.safeParse({ status: "done", jobId: "j" }).success).toBe(false);
  });
  test("custom models listing with epoch-millisecond dates", () => {
    const r = CustomModelsResponseSchema.parse({
      custom_models: [
        {
          version: "1",
          assetName: "Warm Custom Model.ffcustommodel",
          size: 16513991265,
          etag: '"e7ee"',
          trainingMode: "style",
          assetId: "urn:aaid:sc:VA6C2:bc1f46cd",
          mediaType: "application/vnd.adobe.ffmodel+dcx",
          createdDate: 1733928288871,
          modifiedDate: 1733928294741,
          publishedState: "published",
          baseModel: { name: "clio_v2", version: "2.0.0" },
          samplePrompt: "…",
          displayName: "Warm Custom Model",
          conceptId: "",
        },
      ],
      _links: { page: { href: "/v3/custom-models?start={start}&limit={limit}", rel: "page", templated: true } },
      total_count: 1,
    });
    expect(r.custom_models[0].displayName).toBe("Warm Custom Model");
  });
  test("IMS token and IMS error", () => {
    expect(ImsTokenSchema.parse({ access_token: "eyJ", token_type: "bearer", expires_in: 86399 }).expires_in).toBe(86399);
    expect(ImsErrorSchema.parse({ error_description: "The metascopes in the JWT are not a subset", error: "invalid_scope" }).error).toBe("invalid_scope");
  });
});

describe("every error body shape", () => {
  test("ApiError with validation_errors", () => {
    const body = {
      error_code: "validation_error",
      message: "Request validation failed",
      validation_errors: [
        {
          loc: ["body", "contentClass"],
          msg: "value is not a valid enumeration member; permitted: 'photo', 'art'",
          type: "type_error.enum",
          ctx: { enum_values: ["photo", "art"] },
        },
      ],
    };
    expect(ApiErrorSchema.parse(body).validation_errors?.[0].loc).toEqual(["body", "contentClass"]);
    expect(readErrorBody(body)).toMatchObject({ code: "validation_error", validationErrors: [{ type: "type_error.enum" }] });
  });
  test("451 content policy", () => {
    const body = { error_code: "prompt_unsafe", message: "The prompt did not pass content policy checks." };
    expect(ContentPolicyErrorSchema.parse(body).error_code).toBe("prompt_unsafe");
  });
  test("upload ErrorBody with numeric-string codes", () => {
    expect(UploadErrorBodySchema.parse({ error_code: "401013", message: "Oauth token is not valid" }).error_code).toBe("401013");
    expect(readErrorBody({ error_code: 10075, message: "Bad Request" }).code).toBe("10075");
  });
  test("custom-models reason/message", () => {
    const body = { reason: "Unauthorized", message: "Authorization Token is not accepted." };
    expect(ReasonErrorSchema.parse(body).reason).toBe("Unauthorized");
    expect(readErrorBody(body)).toEqual({ code: "Unauthorized", message: "Authorization Token is not accepted.", validationErrors: undefined });
  });
  test("IMS error body reads as code + description", () => {
    expect(readErrorBody({ error: "invalid_client", error_description: "invalid client_secret parameter" })).toMatchObject({
      code: "invalid_client",
      message: "invalid client_secret parameter",
    });
  });
  test("HTML 413 and other non-JSON bodies", () => {
    expect(readErrorBody("<html><head><title>413 Request Entity Too Large</title></head><body><h1>413</h1></body></html>").message).toMatch(
      /413 Request Entity Too Large/,
    );
    expect(readErrorBody('{"error_code":"rate_limited"}').code).toBe("rate_limited");
    expect(readErrorBody("")).toEqual({});
    expect(readErrorBody(undefined)).toEqual({});
    expect(readErrorBody([1, 2])).toEqual({});
  });
});
