import { readUpscaleOutputs, upscaleAcceptBody, upscaleJobId, validateSubmit } from "../../../src/common/firefly";
import { readJobStatus } from "../../../src/broker/providers/firefly";

describe("upscale contract", () => {
  test("the job id comes from links.result.href, absolute or relative, percent-decoded", () => {
    expect(upscaleJobId({ links: { result: { href: "https://firefly-api.adobe.io/v3/status/urn:ff:jobs:abc" }, cancel: { href: "x" } } })).toBe(
      "urn:ff:jobs:abc",
    );
    expect(upscaleJobId({ links: { result: { href: "/v3/status/urn%3Aff%3Ajobs%3Aabc" } } })).toBe("urn:ff:jobs:abc");
    expect(upscaleJobId({ links: { result: { href: "https://x/v3/other/abc" } } })).toBeUndefined();
    expect(upscaleJobId({ links: { result: { href: "https://x/v3/status/" } } })).toBeUndefined();
    expect(upscaleJobId({ jobId: "abc", statusUrl: "https://x/v3/status/abc" })).toBeUndefined();
    expect(upscaleJobId({ links: { result: { href: "https://x/v3/status/%E0%A4%A" } } })).toBeUndefined();
  });

  test("the broker's 202 carries Adobe's links and the usual fields", () => {
    expect(upscaleAcceptBody({ jobId: "j", statusUrl: "http://b/v3/status/j", cancelUrl: "http://b/v3/cancel/j" })).toEqual({
      jobId: "j",
      statusUrl: "http://b/v3/status/j",
      cancelUrl: "http://b/v3/cancel/j",
      links: { result: { href: "http://b/v3/status/j" }, cancel: { href: "http://b/v3/cancel/j" } },
    });
  });

  test("upscale outputs are read in order; fill outputs and broken ones are not upscale outputs", () => {
    expect(readUpscaleOutputs([{ id: "a", presignedUrl: "https://o/1" }, { presignedUrl: "https://o/2" }])).toEqual([
      { seed: 0, image: { url: "https://o/1" } },
      { seed: 1, image: { url: "https://o/2" } },
    ]);
    expect(readUpscaleOutputs([{ seed: 1, image: { url: "https://o/1" } }])).toBeUndefined();
    expect(readUpscaleOutputs([{ id: "a" }])).toBeUndefined();
    expect(readUpscaleOutputs([])).toBeUndefined();
  });

  test("a succeeded upscale status is understood; a fill status still is", () => {
    expect(readJobStatus({ jobId: "u", status: "succeeded", result: { outputs: [{ id: "a", presignedUrl: "https://o/1" }], version: "1.0" } })).toEqual({
      jobId: "u",
      status: "succeeded",
      result: { outputs: [{ seed: 0, image: { url: "https://o/1" } }], version: "1.0" },
    });
    expect(readJobStatus({ jobId: "f", status: "succeeded", result: { outputs: [{ seed: 5, image: { url: "https://o/1" } }] } })?.result?.outputs).toEqual([
      { seed: 5, image: { url: "https://o/1" } },
    ]);
    expect(readJobStatus({ jobId: "u", status: "succeeded", result: { outputs: [{ id: "a" }], version: "1.0" } })).toBeUndefined();
  });

  test("the body: seeds required (1–4, unique), factor 2/3/4/6, only precise_upsampler_v1", () => {
    const image = { source: { uploadId: "510aabb4-e154-4a7b-bd2e-f492ee71c938" } };
    expect(validateSubmit("upscale", { image, seeds: [1], upscaleFactor: 6 }, undefined)).toMatchObject({ ok: true });
    expect(validateSubmit("upscale", { image, seeds: [1] }, "precise_upsampler_v1")).toMatchObject({ ok: true, modelVersion: "precise_upsampler_v1" });
    for (const f of [1, 5, 8, 2.5, "2"]) expect(validateSubmit("upscale", { image, seeds: [1], upscaleFactor: f }, undefined).ok).toBe(false);
    expect(validateSubmit("upscale", { image, seeds: [] }, undefined).ok).toBe(false);
    expect(validateSubmit("upscale", { image, seeds: [1] }, "creative_upsampler_v1").ok).toBe(false);
  });
});
