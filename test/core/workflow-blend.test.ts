import { readStoredRequest } from "../../src/plugin/workflows";
import { rig, run } from "./helpers/deps";
import { smallRig } from "./helpers/small-sizes";

describe("the blend a job used", () => {
  test("no blend sent: a 120×100 fill records its automatic band with the px it computed", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 960, height: 640, fill: [0, 0, 0] });
    r.host.setSelection(id, { left: 400, top: 300, right: 520, bottom: 400 });
    const { final } = await run(r, { kind: "fill", numVariations: 1, seeds: [1] });
    expect(final.phase).toBe("done");
    expect(final.blend).toEqual({ bandPx: 4, toneMatch: true, source: "automatic" });
    const stored = readStoredRequest((await r.store.getJob(final.jobId))!.request).request;
    expect(stored.blend).toEqual({ bandPx: 4, toneMatch: true });
    expect(stored.params.blend).toBeUndefined();
  });

  test("the artist's 16 px is used and recorded as theirs", async () => {
    const r = smallRig();
    const id = r.host.createDocument({ width: 960, height: 640, fill: [0, 0, 0] });
    r.host.setSelection(id, { left: 400, top: 300, right: 520, bottom: 400 });
    const { final } = await run(r, { kind: "fill", numVariations: 1, seeds: [1], blend: { bandPx: 16, toneMatch: true } });
    expect(final.blend).toEqual({ bandPx: 16, toneMatch: true, source: "artist" });
    expect(readStoredRequest((await r.store.getJob(final.jobId))!.request).request.blend).toEqual({ bandPx: 16, toneMatch: true });
  });

  test("generate records its own default (no band) as automatic", async () => {
    const r = rig();
    r.host.createDocument({ width: 300, height: 200 });
    const { final } = await run(r, { kind: "generate", prompt: "kite", numVariations: 1 });
    expect(final.blend).toEqual({ bandPx: 0, toneMatch: false, source: "automatic" });
  });
});
