import type { FillJobRequest } from "../../src/plugin/workflows/types";
import { rig, run } from "./helpers/deps";
import { coordImage } from "./helpers/images";
import { smallRig, useSmallSizes } from "./helpers/small-sizes";

const fill = (extra: object = {}) => ({ kind: "fill" as const, numVariations: 1, seeds: [7], blend: { bandPx: 4, toneMatch: false }, ...extra });

/** The size the fake broker was asked for in its last job. */
function sentSize(r: ReturnType<typeof rig>): { width: number; height: number } {
  return (r.broker.lastJob().body as { size: { width: number; height: number } }).size;
}

describe("the job says how much its result is enlarged", () => {
  test("a small fill's window is sent enlarged, and the job says by how much", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 1200, height: 800, pixels: coordImage(1200, 800) });
    r.host.setSelection(id, { left: 500, top: 300, right: 600, bottom: 380 });
    const { final, states } = await run(r, fill());
    expect(final.phase).toBe("done");
    const g = ((await r.store.getJob(final.jobId))!.request as unknown as { request: FillJobRequest }).request.fill.geometry;
    const enlarged = Math.min(g.scaleX, g.scaleY);
    expect(enlarged).toBeGreaterThan(1.05);
    expect(final.detail).toBe(`Generated at ${Math.round(enlarged * 10) / 10}× native size.`);
    // Said from the moment the job is planned, not only at the end.
    expect(states.find((s) => s.phase === "uploading")!.detail).toBe(final.detail);
  });

  test("a fill over a whole document larger than every fill size says the fraction it is generated at", async () => {
    // At small Firefly sizes (64×64 fills), a 150×150 document is to them what 2400×2400 is to Firefly's.
    const r = smallRig();
    const id = r.host.createDocument({ width: 150, height: 150, pixels: coordImage(150, 150) });
    r.host.setSelection(id, { left: 6, top: 6, right: 144, bottom: 144 });
    const { final } = await run(r, fill());
    expect(final.phase).toBe("done");
    const size = sentSize(r);
    // The window is the whole document here: document pixels per generated pixel, worst axis.
    const factor = Math.max(150 / size.width, 150 / size.height);
    expect(factor).toBeGreaterThan(1.1);
    expect(final.detail).toBe(`Generated at 1/${Math.round(factor * 10) / 10} of native size.`);
  });

  test("a context that must be stretched says so", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 3000, height: 300, pixels: coordImage(3000, 300) });
    r.host.setSelection(id, { left: 100, top: 40, right: 2900, bottom: 260 });
    const { final } = await run(r, fill());
    expect(final.phase).toBe("done");
    expect(final.detail).toMatch(/^Generated at 1\/[\d.]+ of native size\. No Firefly shape fits around this selection: .* stretched \d+\.\d%/);
  });

  test("an expand says the fraction it is generated at", async () => {
    // Expand output at most 399 px: a 100×50 document grown to 500×50 goes out at 399 px wide.
    const r = rig();
    useSmallSizes(r, { maxUpscaleSide: 300, expandMaxSide: 399 });
    r.host.createDocument({ width: 100, height: 50, pixels: coordImage(100, 50) });
    const { final } = await run(r, { kind: "expand", target: { kind: "sides", left: 200, top: 0, right: 200, bottom: 0 }, numVariations: 1, seeds: [3] });
    expect(final.phase).toBe("done");
    const size = sentSize(r);
    const factor = Math.max(500 / size.width, 50 / size.height);
    expect(factor).toBeGreaterThan(1.1);
    expect(final.detail).toBe(`Generated at 1/${Math.round(factor * 10) / 10} of native size.`);
  });
});
