import { compositeJobId, compositeSeeds, SUBMIT_PATHS, validateSubmit, type SubmitEndpoint } from "../../../src/common/firefly";
import { readJobStatus } from "../../../src/broker/providers/firefly";

const UP = "510aabb4-e154-4a7b-bd2e-f492ee71c938";
const UP2 = "5e0f8a4b-9a4c-4f8e-8a52-2c1e1f6a9d10";
const UP3 = "8d5b6c1e-3f2a-4b7c-9d8e-0a1b2c3d4e5f";
const ref = (id: string) => ({ source: { uploadId: id } });
const base = { background: { image: ref(UP), fillAreaMask: ref(UP2) }, object: { image: ref(UP3) } };

/** The locations of every error validateSubmit reports (or [] when the body is valid). */
function locs(endpoint: SubmitEndpoint, body: unknown, model?: string): string[] {
  const r = validateSubmit(endpoint, body, model);
  if (r.ok) return [];
  expect(r.status).toBe(422);
  expect(r.body.error_code).toBe("validation_error");
  return r.body.validation_errors.map((e) => e.loc.join("."));
}

describe("composite request bodies", () => {
  test("the paths are Adobe's", () => {
    expect(SUBMIT_PATHS.adaptive).toBe("/v3/images/adaptive-composite");
    expect(SUBMIT_PATHS.precise).toBe("/v3/images/precise-composite");
  });

  test("full valid bodies pass, with every documented field", () => {
    const adaptive = {
      ...base,
      object: { image: ref(UP3), mask: ref(UP2) },
      numVariations: 2,
      seeds: [5, 6],
      harmonization: 0.8,
      shadowIntensity: 0,
      preserveBackground: true,
      output: { mediaType: "image/png" },
    };
    expect(locs("adaptive", adaptive)).toEqual([]);
    expect(locs("precise", { ...base, numVariations: 3, blend: 1, output: { mediaType: "image/webp" } })).toEqual([]);
    expect(locs("adaptive", base)).toEqual([]);
    expect(locs("precise", base)).toEqual([]);
  });

  test("adaptive: out-of-range numbers, variations and seeds are named", () => {
    expect(locs("adaptive", { ...base, harmonization: 1.2 })).toEqual(["body.harmonization"]);
    expect(locs("adaptive", { ...base, harmonization: -0.1 })).toEqual(["body.harmonization"]);
    expect(locs("adaptive", { ...base, shadowIntensity: 2 })).toEqual(["body.shadowIntensity"]);
    expect(locs("adaptive", { ...base, harmonization: "0.5" })).toEqual(["body.harmonization"]);
    expect(locs("adaptive", { ...base, numVariations: 4 })).toEqual(["body.numVariations"]);
    expect(locs("adaptive", { ...base, numVariations: 0 })).toEqual(["body.numVariations"]);
    expect(locs("adaptive", { ...base, seeds: [1, 2, 3, 4] })).toEqual(["body.seeds"]);
    expect(locs("adaptive", { ...base, numVariations: 2, seeds: [1] })).toEqual(["body.seeds"]);
    expect(locs("adaptive", { ...base, preserveBackground: "yes" })).toEqual(["body.preserveBackground"]);
    expect(locs("adaptive", { ...base, output: { mediaType: "image/gif" } })).toEqual(["body.output.mediaType"]);
  });

  test("precise: blend in 0..1, no adaptive fields, no object mask", () => {
    expect(locs("precise", { ...base, blend: 1.5 })).toEqual(["body.blend"]);
    expect(locs("precise", { ...base, harmonization: 0.5 })).toEqual(["body.harmonization"]);
    expect(locs("precise", { ...base, object: { image: ref(UP3), mask: ref(UP2) } })).toEqual(["body.object.mask"]);
  });

  test("missing pieces are named: the fill-area mask, the background, the object's image", () => {
    expect(locs("adaptive", { ...base, background: { image: ref(UP) } })).toEqual(["body.background.fillAreaMask"]);
    expect(locs("precise", { object: base.object })).toEqual(["body.background"]);
    expect(locs("adaptive", { ...base, object: {} })).toEqual(["body.object.image"]);
    expect(locs("adaptive", { ...base, background: { image: { source: {} }, fillAreaMask: ref(UP2) } })).toEqual(["body.background.image.source"]);
    expect(locs("adaptive", { ...base, background: { image: { source: { url: "https://evil.example/x.png" } }, fillAreaMask: ref(UP2) } })).toEqual([
      "body.background.image.source.url",
    ]);
  });

  test("no model selection: any x-model-version is refused", () => {
    expect(locs("adaptive", base, "image4_standard")).toEqual(["header.x-model-version"]);
    expect(locs("precise", base, "x")).toEqual(["header.x-model-version"]);
  });

  test("seeds default as Adobe documents them", () => {
    expect(compositeSeeds({})).toEqual([333]);
    expect(compositeSeeds({ numVariations: 3 })).toEqual([333, 222, 111]);
    expect(compositeSeeds({ numVariations: 2, seeds: [9, 8] })).toEqual([9, 8]);
  });
});

describe("composite answers", () => {
  test("the job id comes from jobId, or else from links.result.href", () => {
    expect(
      compositeJobId({
        status: "pending",
        jobId: "urn:ff:jobs:a",
        statusUrl: "https://x/v3/status/urn:ff:jobs:a",
        cancelUrl: "https://x/v3/cancel/urn:ff:jobs:a",
      }),
    ).toBe("urn:ff:jobs:a");
    expect(compositeJobId({ links: { result: { href: "https://x/v3/status/urn%3Aff%3Ajobs%3Ab" }, cancel: { href: "https://x/v3/cancel/b" } } })).toBe(
      "urn:ff:jobs:b",
    );
    expect(compositeJobId({ status: "pending" })).toBeUndefined();
    expect(compositeJobId({ jobId: "" })).toBeUndefined();
  });

  test("a succeeded composite's outputs read as every job's (seed + image url)", () => {
    const st = readJobStatus({
      jobId: "j",
      status: "succeeded",
      result: {
        outputs: [
          { seed: 333, image: { url: "https://o/0" } },
          { seed: 222, image: { url: "https://o/1" } },
        ],
      },
    });
    expect(st?.result?.outputs).toEqual([
      { seed: 333, image: { url: "https://o/0" } },
      { seed: 222, image: { url: "https://o/1" } },
    ]);
  });
});
