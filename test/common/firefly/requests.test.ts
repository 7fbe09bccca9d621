import { validateSubmit, type SubmitEndpoint } from "../../../src/common/firefly";

const UP = "510aabb4-e154-4a7b-bd2e-f492ee71c938";
const UP2 = "5e0f8a4b-9a4c-4f8e-8a52-2c1e1f6a9d10";
const src = (id = UP) => ({ source: { uploadId: id } });

function rejects(endpoint: SubmitEndpoint, body: unknown, field: RegExp, model?: string) {
  const r = validateSubmit(endpoint, body, model);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.status).toBe(422);
  expect(r.body.error_code).toBe("validation_error");
  const locs = r.body.validation_errors.map((e) => e.loc.join("."));
  expect(locs.some((l) => field.test(l))).toBe(true);
  expect(r.body.message).toMatch(field);
}

describe("documented example bodies validate", () => {
  test("fill: the minimal body from the docs", () => {
    const r = validateSubmit(
      "fill",
      { image: src(), mask: { source: { uploadId: UP2 }, invert: false }, prompt: "a beach at sunset", numVariations: 1 },
      undefined,
    );
    expect(r.ok).toBe(true);
  });
  test("fill without a prompt fills from the surroundings", () => {
    expect(validateSubmit("fill", { image: src(), mask: src(UP2) }, undefined).ok).toBe(true);
  });
  test("expand with the placement example from the docs", () => {
    const r = validateSubmit(
      "expand",
      {
        image: src(),
        size: { width: 2048, height: 2048 },
        placement: { inset: { left: 500, top: 0, right: 400, bottom: 40 }, alignment: { horizontal: "left", vertical: "top" } },
      },
      undefined,
    );
    expect(r.ok).toBe(true);
  });
  test("generate with style reference, presets, structure and seeds", () => {
    const r = validateSubmit(
      "generate",
      {
        prompt: "a lighthouse in a storm",
        negativePrompt: "people",
        contentClass: "art",
        size: { width: 2688, height: 1536 },
        style: { presets: ["watercolor", "golden_hour"], imageReference: src(UP2), strength: 60 },
        structure: { imageReference: src(), strength: 0 },
        visualIntensity: 6,
        numVariations: 2,
        seeds: [1842533538, 7],
      },
      "image4_standard",
    );
    expect(r.ok).toBe(true);
  });
  test("generate with a custom model", () => {
    const r = validateSubmit("generate", { prompt: "mascot", customModelId: "urn:aaid:sc:VA6C2:bc1f46cd", upsamplerType: "low_creativity" }, "image4_custom");
    expect(r.ok).toBe(true);
  });
  test("generate-similar and a source given by a pre-signed URL", () => {
    const r = validateSubmit(
      "similar",
      { image: { source: { url: "https://bucket.s3.amazonaws.com/a.jpg?X-Amz-Expires=3600" } }, numVariations: 3 },
      "image4_ultra",
    );
    expect(r.ok).toBe(true);
  });
});

describe("invalid requests are rejected naming the field", () => {
  test("fill needs a mask", () => rejects("fill", { image: src() }, /body\.mask/));
  test("fill needs an image", () => rejects("fill", { mask: src() }, /body\.image/));
  test("prompt longer than 1024", () => rejects("fill", { image: src(), mask: src(), prompt: "x".repeat(1025) }, /body\.prompt/));
  test("empty prompt", () => rejects("generate", { prompt: "" }, /body\.prompt/));
  test("numVariations 5", () => rejects("fill", { image: src(), mask: src(), numVariations: 5 }, /body\.numVariations/));
  test("seeds not unique", () => rejects("fill", { image: src(), mask: src(), seeds: [1, 1] }, /body\.seeds/));
  test("seed count differs from numVariations", () => rejects("fill", { image: src(), mask: src(), numVariations: 3, seeds: [1, 2] }, /body\.seeds/));
  test("seed outside 0..2147483647", () => rejects("fill", { image: src(), mask: src(), seeds: [2147483648] }, /body\.seeds\.0/));
  test("fill size not a preset", () => rejects("fill", { image: src(), mask: src(), size: { width: 1000, height: 1000 } }, /body\.size/));
  test("expand larger than 3999", () => rejects("expand", { image: src(), size: { width: 4000, height: 100 } }, /body\.size/));
  test("expand placement together with a mask", () =>
    rejects("expand", { image: src(), mask: src(), placement: { alignment: { horizontal: "left" } } }, /body\.placement/));
  test("expand negative inset", () => rejects("expand", { image: src(), placement: { inset: { left: -1 } } }, /body\.placement\.inset\.left/));
  test("generate image4 size preset differs from image3", () =>
    rejects("generate", { prompt: "p", size: { width: 1024, height: 1024 } }, /body\.size/, "image4_ultra"));
  test("generate image3 accepts 1024x1024", () =>
    expect(validateSubmit("generate", { prompt: "p", size: { width: 1024, height: 1024 } }, "image3").ok).toBe(true));
  test("style strength 0 (must be 1..100)", () => rejects("generate", { prompt: "p", style: { strength: 0 } }, /body\.style\.strength/));
  test("structure strength 101", () => rejects("generate", { prompt: "p", structure: { strength: 101 } }, /body\.structure\.strength/));
  test("visualIntensity 11", () => rejects("generate", { prompt: "p", visualIntensity: 11 }, /body\.visualIntensity/));
  test("visualIntensity with image4_custom", () =>
    rejects("generate", { prompt: "p", customModelId: "m", visualIntensity: 5 }, /body\.visualIntensity/, "image4_custom"));
  test("upsamplerType without image4_custom", () => rejects("generate", { prompt: "p", upsamplerType: "default" }, /body\.upsamplerType/));
  test("custom model without customModelId", () => rejects("generate", { prompt: "p" }, /body\.customModelId/, "image3_custom"));
  test("customModelId without a custom model", () => rejects("generate", { prompt: "p", customModelId: "m" }, /body\.customModelId/));
  test("negativePrompt with a custom model", () =>
    rejects("generate", { prompt: "p", customModelId: "m", negativePrompt: "n" }, /body\.negativePrompt/, "image3_custom"));
  test("contentClass not photo/art", () => rejects("generate", { prompt: "p", contentClass: "video" }, /body\.contentClass/));
  test("unknown model for generate", () => rejects("generate", { prompt: "p" }, /header\.x-model-version/, "image9"));
  test("image4_custom is not a similar model", () => rejects("similar", { image: src() }, /header\.x-model-version/, "image4_custom"));
  test("fill has no model selection", () => rejects("fill", { image: src(), mask: src() }, /header\.x-model-version/, "image3"));
  test("source with both uploadId and url", () =>
    rejects("fill", { image: { source: { uploadId: UP, url: "https://a.s3.amazonaws.com/x" } }, mask: src() }, /body\.image\.source/));
  test("source with neither", () => rejects("fill", { image: { source: {} }, mask: src() }, /body\.image\.source/));
  test("uploadId that is not a UUID", () =>
    rejects("fill", { image: { source: { uploadId: "../../etc/passwd" } }, mask: src() }, /body\.image\.source\.uploadId/));
  test("url on a storage domain Firefly does not allow", () =>
    rejects("fill", { image: { source: { url: "https://evil.example/amazonaws.com/x.jpg" } }, mask: src() }, /body\.image\.source\.url/));
  test("url that is http, not https", () =>
    rejects("fill", { image: { source: { url: "http://a.s3.amazonaws.com/x" } }, mask: src() }, /body\.image\.source\.url/));
  test("unknown field", () => rejects("fill", { image: src(), mask: src(), tileable: true }, /body\.tileable/));
  test("wrong type", () => rejects("fill", { image: src(), mask: src(), numVariations: "2" }, /body\.numVariations/));
  test("a body that is not an object", () => {
    for (const body of [null, [], "x", 3]) rejects("fill", body, /^body(:|$)/);
  });
  test("every problem is listed, the message names the first and counts the rest", () => {
    const r = validateSubmit("fill", { image: src(), mask: src(), numVariations: 9, prompt: "" }, "image3");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.body.validation_errors.length).toBe(3);
    expect(r.body.message).toMatch(/and 2 more/);
  });
});
