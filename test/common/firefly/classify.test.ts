import { BROKER_ERROR_CODES, classifyError, classifyJobOutcome } from "../../../src/common/firefly";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const c = (status: number, body?: unknown, headers?: Record<string, string>) => classifyError({ status, body, headers, nowMs: NOW });

describe("classifyError covers every documented code", () => {
  test("network failure", () => {
    const e = classifyError({ status: 0, networkError: "ECONNREFUSED" });
    expect(e.category).toBe("network");
    expect(e.message).toMatch(/Broker URL/);
    expect(e.detail).toMatch(/ECONNREFUSED/);
  });
  test.each([
    [400, { error_code: "bad_request" }, "invalid_input"],
    [400, { error_code: "empty_input_body" }, "invalid_input"],
    [400, { error_code: "10075", message: "Bad Request" }, "invalid_input"],
    [401, { error_code: "401013", message: "Oauth token is not valid" }, "auth"],
    [401, { error: "invalid_client", error_description: "invalid client_secret parameter" }, "auth"],
    [403, { error_code: "10007", message: "Missing required IMS scope" }, "auth"],
    [403, { error_code: "403000", message: "Api Key is required" }, "auth"],
    [403, { error_code: "403003", message: "Api Key is invalid" }, "auth"],
    [403, { error_code: "403010", message: "Oauth token is missing." }, "auth"],
    [404, { error_code: "unknown_job_id", message: "The job id is unknown." }, "not_found"],
    [406, { reason: "Not Acceptable", message: "The requested format is not supported by this method." }, "invalid_input"],
    [408, { error_code: "timeout_error" }, "timeout"],
    [409, { error_code: "job_already_canceled" }, "cancelled"],
    [409, { error_code: "job_cancel_failed" }, "cancelled"],
    [409, { error_code: "job_completed", message: "The job was already completed." }, "invalid_input"],
    [410, { error_code: "job_timeout" }, "timeout"],
    [413, "<html><body>413 Request Entity Too Large</body></html>", "invalid_input"],
    [415, { error_code: "invalid_content_type" }, "invalid_input"],
    [
      422,
      { error_code: "validation_error", validation_errors: [{ loc: ["body", "seeds"], msg: "ensure this value has at most 1 items", type: "value_error" }] },
      "invalid_input",
    ],
    [422, { error_code: "cai_assertion_violation_error", message: "Request failed content assertion checks." }, "content_policy"],
    [422, { error_code: "prompt_unsafe" }, "content_policy"],
    [422, { error_code: "output_media_unsafe" }, "content_policy"],
    [422, { error_code: "input_media_indecipherable" }, "invalid_input"],
    [429, { error_code: "rate_limited" }, "rate_limited"],
    [429, { error_code: "10011", message: "Too Many Requests" }, "rate_limited"],
    [429, { error_code: "backpressure_limited" }, "rate_limited"],
    [451, { error_code: "legal_error" }, "content_policy"],
    [451, { error_code: "prompt_entity_denied" }, "content_policy"],
    [451, { error_code: "image_unsafe" }, "content_policy"],
    [451, { error_code: "video_unsafe" }, "content_policy"],
    [451, { error_code: "reference_image_unsafe_error" }, "content_policy"],
    [451, { error_code: "input_media_unsafe" }, "content_policy"],
    [451, { error_code: "10008", message: "Unavailable For Legal Reasons" }, "content_policy"],
    [499, { error_code: "cancelled_error" }, "cancelled"],
    [500, { error_code: "runtime_error" }, "service_unavailable"],
    [500, { error_code: "10002" }, "service_unavailable"],
    [500, { error_code: "session_data_not_recovered" }, "service_unavailable"],
    [501, { error_code: "not_implemented" }, "service_unavailable"],
    [502, "Bad Gateway", "service_unavailable"],
    [503, { error_code: "model_not_loaded" }, "service_unavailable"],
    [504, undefined, "service_unavailable"],
  ])("%i %j → %s", (status, body, category) => {
    const e = c(status as number, body);
    expect(e.category).toBe(category);
    expect(e.message.length).toBeGreaterThan(20);
    expect(e.detail).toContain(`HTTP ${status}`);
  });

  test.each([
    ["quota_exhausted", "quota"],
    ["user_non_entitled", "auth"],
    ["user_profile_denied", "auth"],
    ["invalid_ims_scope", "auth"],
  ])("403 with x-access-error %s → %s", (header, category) => {
    const e = c(403, { error_code: "access_error" }, { "X-Access-Error": header });
    expect(e.category).toBe(category);
    expect(e.detail).toContain(header);
  });

  test("quota is told apart from other access errors", () => {
    expect(c(403, { error_code: "access_error" }, { "x-access-error": "quota_exhausted" }).message).toMatch(/credits/);
  });

  test("429 keeps retry-after in both forms and the rate-limit level", () => {
    const secs = c(429, { error_code: "rate_limited" }, { "retry-after": "20", "x-access-rate-limit-level": "org" });
    expect(secs.retryAfterMs).toBe(20000);
    expect(secs.message).toMatch(/about 20 s/);
    expect(secs.detail).toMatch(/rate limit level: org/);
    const date = classifyError({ status: 429, headers: new Headers({ "Retry-After": "Sat, 28 Nov 2026 12:00:45 GMT" }), nowMs: NOW });
    expect(date.retryAfterMs).toBe(45000);
  });

  test("content-policy messages say which input to change", () => {
    expect(c(451, { error_code: "prompt_unsafe" }).message).toMatch(/prompt/i);
    expect(c(451, { error_code: "reference_image_unsafe_error" }).message).toMatch(/reference/i);
  });

  test("422 names the offending field", () => {
    const e = c(422, {
      error_code: "validation_error",
      validation_errors: [{ loc: ["body", "contentClass"], msg: "not a valid enumeration member", type: "type_error.enum" }],
    });
    expect(e.message).toMatch(/contentClass/);
    expect(e.detail).toMatch(/body\.contentClass/);
  });

  test("the broker's own codes say which side is wrong", () => {
    expect(c(401, { error_code: BROKER_ERROR_CODES.keyInvalid }).message).toMatch(/broker key/);
    expect(c(401, { error_code: BROKER_ERROR_CODES.keyMissing }).message).toMatch(/No broker key/);
    expect(c(502, { error_code: BROKER_ERROR_CODES.imsFailed, message: "invalid_client" }).category).toBe("auth");
    expect(c(429, { error_code: BROKER_ERROR_CODES.queueFull }).message).toMatch(/maximum number of jobs/);
    expect(c(503, { error_code: BROKER_ERROR_CODES.storeUnavailable }).category).toBe("service_unavailable");
    expect(c(400, { error_code: BROKER_ERROR_CODES.needsFirefly, message: "Generate needs Firefly credentials." }).message).toBe(
      "Generate needs Firefly credentials.",
    );
    expect(c(400, { error_code: BROKER_ERROR_CODES.secretInQuery }).category).toBe("invalid_input");
    expect(c(403, { error_code: BROKER_ERROR_CODES.originNotAllowed }).message).toMatch(/origin/);
    expect(c(503, { error_code: BROKER_ERROR_CODES.providerUnavailable, message: "engine failed to start" }).message).toMatch(/engine failed to start/);
    expect(c(403, { error_code: BROKER_ERROR_CODES.outputLinkInvalid }).category).toBe("auth");
    expect(c(410, { error_code: BROKER_ERROR_CODES.outputExpired }).message).toMatch(/expired/);
  });

  test("a secret-looking value in a body never becomes the artist-facing message for auth", () => {
    const e = c(401, { error: "invalid_client", error_description: "client_secret=p8e-SECRET" });
    expect(e.message).not.toMatch(/SECRET/);
  });
});

describe("classifyJobOutcome", () => {
  const job = (status: string, extra: object = {}) => ({ jobId: "j", status, ...extra }) as never;
  test("success with outputs is not an error; success with none is content policy", () => {
    expect(classifyJobOutcome(job("succeeded", { result: { outputs: [{ seed: 1, image: { url: "u" } }] } }))).toBeNull();
    expect(classifyJobOutcome(job("succeeded", { result: { outputs: [] } }))?.category).toBe("content_policy");
  });
  test("failed with moderation codes, timeouts and generic failures", () => {
    expect(classifyJobOutcome(job("failed", { error_code: "output_media_unsafe" }))?.category).toBe("content_policy");
    expect(classifyJobOutcome(job("failed", { error_code: "prompt_unsafe" }))?.category).toBe("content_policy");
    expect(classifyJobOutcome(job("failed", { error_code: "timeout_error" }))?.category).toBe("timeout");
    expect(classifyJobOutcome(job("failed", { error_code: "runtime_error", message: "boom" }))).toMatchObject({
      category: "service_unavailable",
      detail: "job failed runtime_error: boom",
    });
  });
  test("the broker's job-level codes", () => {
    expect(classifyJobOutcome(job("failed", { error_code: "needs_firefly_credentials", message: "Generate needs Firefly credentials." }))).toMatchObject({
      category: "invalid_input",
      message: "Generate needs Firefly credentials.",
    });
    expect(classifyJobOutcome(job("failed", { error_code: "submit_interrupted" }))?.message).toMatch(/not billed/);
  });
  test("cancelled in both spellings, timeout, and non-terminal states", () => {
    expect(classifyJobOutcome(job("canceled"))?.category).toBe("cancelled");
    expect(classifyJobOutcome(job("cancelled"))?.category).toBe("cancelled");
    expect(classifyJobOutcome(job("timeout"))?.category).toBe("timeout");
    expect(classifyJobOutcome(job("running"))).toBeNull();
    expect(classifyJobOutcome(job("queued", { queuePosition: 1 }))).toBeNull();
  });
});
