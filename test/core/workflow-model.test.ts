import { readStoredRequest } from "../../src/plugin/workflows";
import { rig, run } from "./helpers/deps";

describe("the model a generate or similar job runs", () => {
  test("generate without a chosen model runs image4_standard, at Image 4 sizes, and records it for an exact re-run", async () => {
    const r = rig();
    r.host.createDocument({ width: 640, height: 360, fill: [0, 0, 0] });
    const { final } = await run(r, { kind: "generate", prompt: "kite", numVariations: 1, seeds: [3] });
    expect(final.phase).toBe("done");
    const sent = r.broker.lastJob();
    expect(sent.modelVersion).toBe("image4_standard");
    expect((sent.body as { size: object }).size).toEqual({ width: 2688, height: 1536 });
    // The stored request and the job's state both name the model.
    const rec = await r.store.getJob(final.jobId);
    expect(readStoredRequest(rec!.request).request.params).toMatchObject({ modelVersion: "image4_standard" });
    expect(final.params).toMatchObject({ kind: "generate", modelVersion: "image4_standard" });
    // Running the recorded parameters again sends the same call.
    await run(r, final.params);
    expect(r.broker.lastJob().modelVersion).toBe("image4_standard");
    expect(r.broker.lastJob().body).toEqual(sent.body);
  });

  test("a chosen model is kept: image4_ultra and image3 are sent as chosen; a custom model keeps its own version", async () => {
    const r = rig();
    r.host.createDocument({ width: 640, height: 360 });
    await run(r, { kind: "generate", prompt: "kite", numVariations: 1, modelVersion: "image4_ultra" });
    expect(r.broker.lastJob().modelVersion).toBe("image4_ultra");
    await run(r, { kind: "generate", prompt: "kite", numVariations: 1, modelVersion: "image3" });
    expect(r.broker.lastJob().modelVersion).toBe("image3");
    const custom = await run(r, { kind: "generate", prompt: "kite", numVariations: 1, modelVersion: "image4_custom", customModelId: "urn:aaid:sc:VA6C2:m" });
    expect(custom.final.error).toBeUndefined();
    expect(r.broker.lastJob().modelVersion).toBe("image4_custom");
  });

  test("similar without a chosen model runs image4_standard (which generate-similar accepts) and records it", async () => {
    const r = rig();
    r.host.createDocument({ width: 300, height: 200, fill: [10, 20, 30] });
    const { final } = await run(r, { kind: "similar", source: "document", numVariations: 1, seeds: [4] });
    expect(final.phase).toBe("done");
    expect(r.broker.lastJob().modelVersion).toBe("image4_standard");
    expect(final.params).toEqual({ kind: "similar", source: "document", numVariations: 1, seeds: [4], modelVersion: "image4_standard" });
  });
});
