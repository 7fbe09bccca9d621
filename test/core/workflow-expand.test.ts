import { rig, run } from "./helpers/deps";
import { seedColour } from "./helpers/fake-broker";
import { coordImage } from "./helpers/images";
import { px, samePixel } from "../support/pixels";

describe("expand", () => {
  test.each([
    ["left", { left: 120, top: 0, right: 0, bottom: 0 }],
    ["top", { left: 0, top: 90, right: 0, bottom: 0 }],
    ["right", { left: 0, top: 0, right: 101, bottom: 0 }],
    ["bottom", { left: 0, top: 0, right: 0, bottom: 77 }],
    ["all sides", { left: 31, top: 17, right: 45, bottom: 60 }],
  ])("%s: canvas grown exactly, every original pixel untouched, new area generated", async (_n, sides) => {
    const r = rig();
    const W = 301;
    const H = 199;
    const orig = coordImage(W, H);
    const id = r.host.createDocument({ width: W, height: H, pixels: orig, backgroundColor: [0, 0, 255] });
    const band = 8;
    const { final } = await run(r, {
      kind: "expand",
      target: { kind: "sides", ...sides },
      numVariations: 1,
      seeds: [42],
      blend: { bandPx: band, toneMatch: false },
    });
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    const W2 = W + sides.left + sides.right;
    const H2 = H + sides.top + sides.bottom;
    const snap = (await r.host.activeDocument())!;
    expect([snap.width, snap.height]).toEqual([W2, H2]);
    expect(r.host.historyNames(id)).toEqual(["Open", "Infill: Expand"]);
    expect(final.target).toEqual({ left: sides.left, top: sides.top, right: sides.left + W, bottom: sides.top + H });
    const after = await r.host.composite(id);
    const colour = [...seedColour(42), 255];
    const generated = { width: 1, data: Uint8Array.from(colour) };
    const bad: string[] = [];
    for (let y = 0; y < H2; y++)
      for (let x = 0; x < W2; x++) {
        const ox = x - sides.left;
        const oy = y - sides.top;
        const inOrig = ox >= 0 && ox < W && oy >= 0 && oy < H;
        if (inOrig) {
          // The band blends on the generated side only: the original is identical up to its edge.
          if (!samePixel(after, x, y, orig, ox, oy)) bad.push(`original ${x},${y}`);
        } else {
          const gap = Math.max(sides.left - x - 1 < 0 ? 0 : sides.left - x, x - (sides.left + W) + 1, sides.top - y, y - (sides.top + H) + 1);
          if (gap > 3 && !samePixel(after, x, y, generated, 0, 0)) bad.push(`new ${x},${y}: ${px(after, x, y)}`);
        }
      }
    expect(bad.slice(0, 5)).toEqual([]);
    // The request: the whole document, placed with insets, output ≤ 3999 (here enlarged to 1024 long side).
    const body = r.broker.lastJob().body as { size: { width: number; height: number }; placement: { inset: object } };
    expect(Math.max(body.size.width, body.size.height)).toBeGreaterThanOrEqual(1023);
    expect(Math.max(body.size.width, body.size.height)).toBeLessThanOrEqual(1025);
    // The document was read once, whole, at the size sent (the second read is this test's own).
    expect(r.host.compositeLog.length).toBe(2);
    expect(r.host.compositeLog[0].request.window).toBeUndefined();
    const sent = r.broker.image((r.broker.lastJob().body as { image: { source: { uploadId: string } } }).image.source.uploadId);
    expect(r.host.compositeLog[0].request.targetSize).toEqual({ width: sent.width, height: sent.height });
  });

  test("a transparent document expands with its new area generated, not the background colour", async () => {
    const r = rig();
    const id = r.host.createDocument({ width: 200, height: 100, background: false, fill: [10, 200, 10] });
    const { final } = await run(r, {
      kind: "expand",
      target: { kind: "aspect", aspect: "1:1", alignment: { horizontal: "center", vertical: "top" } },
      numVariations: 1,
      seeds: [8],
      blend: { bandPx: 8, toneMatch: false },
    });
    expect(final.phase).toBe("done");
    const after = await r.host.composite(id);
    expect([after.width, after.height]).toEqual([200, 200]);
    expect(px(after, 100, 190)).toEqual([...seedColour(8), 255]);
    expect(px(after, 100, 50)).toEqual([10, 200, 10, 255]);
  });

  test("a target that would crop is refused before anything is sent", async () => {
    const r = rig();
    r.host.createDocument({ width: 200, height: 100 });
    const { final } = await run(r, {
      kind: "expand",
      target: { kind: "size", width: 150, height: 150, alignment: { horizontal: "center", vertical: "center" } },
      numVariations: 1,
    });
    expect(final.phase).toBe("failed");
    expect(final.error!.category).toBe("invalid_input");
    expect(r.broker.uploads.size).toBe(0);
  });
});
