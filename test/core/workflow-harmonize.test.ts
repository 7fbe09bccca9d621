import type { RGBAImage } from "../../src/common/host";
import { AdaptiveCompositeRequestSchema, PreciseCompositeRequestSchema } from "../../src/common/firefly";
import { sniffFormat } from "../../src/common/imaging";
import { createRGBA } from "../../src/common/imaging/image";
import type { HarmonizeParams } from "../../src/common/jobs";
import { jobParamsSchema } from "../../src/common/protocol/params-schema";
import { SimHost } from "../../src/playground/sim";
import { rig, run, type Rig } from "./helpers/deps";
import { photoLike } from "./helpers/images";
import { firstDifference, px } from "../support/pixels";

const W = 900;
const H = 700;
const OBJ = { left: 300, top: 200, width: 120, height: 90 };

/** A red ellipse on a transparent layer (the object cut out). */
function ellipseObject(width: number, height: number, rgb: [number, number, number] = [220, 30, 30]): RGBAImage {
  const img = createRGBA(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const nx = (x + 0.5) / width - 0.5;
      const ny = (y + 0.5) / height - 0.5;
      if (nx * nx + ny * ny <= 0.25) img.data.set([...rgb, 255], (y * width + x) * 4);
    }
  return img;
}

function scene(host = new SimHost()): { r: Rig; id: number; layerId: number } {
  const r = rig({}, host);
  const id = r.host.createDocument({ title: "scene.psd", width: W, height: H, pixels: photoLike(W, H, 7) });
  const layerId = r.host.addLayer(id, "Object", ellipseObject(OBJ.width, OBJ.height), OBJ.left, OBJ.top);
  return { r, id, layerId };
}

const params = (layerId: number, extra: Partial<HarmonizeParams> = {}): HarmonizeParams => ({
  kind: "harmonize",
  layerId,
  method: "adaptive",
  strength: 0.8,
  shadows: true,
  shadowIntensity: 1,
  keepBackground: true,
  numVariations: 2,
  seeds: [11, 22],
  ...extra,
});

const whole = (host: SimHost, id: number) => host.composite(id);

describe("harmonize", () => {
  test("adaptive, 2 variations: grouped, masked to the footprint and shadow, object hidden, one history step, undo restores", async () => {
    const { r, id, layerId } = scene();
    const before = await whole(r.host, id);
    const beforeState = r.host.stateOf(id);
    const { final } = await run(r, params(layerId));
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    expect(r.host.historyNames(id)).toEqual(["Open", "Object", "Infill: Harmonize"]);
    const layers = await r.host.layers(id);
    expect(layers.map((l) => [l.name, l.kind, l.visible])).toEqual([
      ["Infill Harmonize", "group", true],
      ["Harmonize 2 (seed 22)", "pixel", false],
      ["Harmonize 1 (seed 11)", "pixel", true],
      ["Object", "pixel", false],
      ["Background", "pixel", true],
    ]);

    // The body sent passes the composite schema and carries the artist's settings.
    const job = r.broker.lastJob();
    expect(job.endpoint).toBe("adaptive");
    expect(AdaptiveCompositeRequestSchema.safeParse(job.body).success).toBe(true);
    const body = job.body as import("../../src/common/firefly").AdaptiveCompositeRequest;
    expect(body).toMatchObject({ harmonization: 0.8, shadowIntensity: 1, preserveBackground: true, numVariations: 2, seeds: [11, 22] });
    expect(sniffFormat(r.broker.uploads.get(body.background.image.source.uploadId!)!.bytes)).toBe("jpeg");
    const bg = r.broker.image(body.background.image.source.uploadId!);
    const fam = r.broker.image(body.background.fillAreaMask.source.uploadId!);
    const obj = r.broker.image(body.object.image.source.uploadId!);
    const objMask = r.broker.image(body.object.mask!.source.uploadId!);
    expect([fam.width, fam.height]).toEqual([bg.width, bg.height]);
    expect([objMask.width, objMask.height]).toEqual([obj.width, obj.height]);
    // The object goes at the scale of the window sent: the size of the place the fill-area mask marks.
    let [l, tp, rt, bt] = [fam.width, fam.height, 0, 0];
    for (let y = 0; y < fam.height; y++)
      for (let x = 0; x < fam.width; x++)
        if (fam.data[(y * fam.width + x) * 4] >= 128) [l, tp, rt, bt] = [Math.min(l, x), Math.min(tp, y), Math.max(rt, x + 1), Math.max(bt, y + 1)];
    expect(Math.abs(obj.width - (rt - l))).toBeLessThanOrEqual(1);
    expect(Math.abs(obj.height - (bt - tp))).toBeLessThanOrEqual(1);
    // The background sent is what lies below the object: no red where the object is.
    expect(px(bg, bg.width >> 1, bg.height >> 1)[0]).toBeLessThan(200);

    // Pixels: nothing changes outside the area (footprint, its edge, the shadow's reach below).
    const after = await whole(r.host, id);
    const t = final.target!;
    expect(t).toEqual({ left: OBJ.left - 2, top: OBJ.top - 2, right: OBJ.left + OBJ.width + 2, bottom: OBJ.top + OBJ.height + 30 });
    let changedOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = (y * W + x) * 4;
        const same = before.data[p] === after.data[p] && before.data[p + 1] === after.data[p + 1] && before.data[p + 2] === after.data[p + 2];
        const inside = x >= t.left && x < t.right && y >= t.top && y < t.bottom;
        if (!same) inside ? changedInside++ : changedOutside++;
      }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(1000);
    // The object's centre is pulled toward the background (less red than the pasted object).
    const cx = OBJ.left + OBJ.width / 2;
    const cy = OBJ.top + OBJ.height / 2;
    expect(px(after, cx, cy)[0]).toBeLessThan(px(before, cx, cy)[0] - 20);
    // A contact shadow right under the object: darker than the background was.
    const sy = OBJ.top + OBJ.height + 1;
    const sum = (v: number[]) => v[0] + v[1] + v[2];
    expect(sum(px(after, cx, sy))).toBeLessThan(sum(px(before, cx, sy)) * 0.8);

    expect(r.host.undo(id)).toBe(true);
    expect(r.host.stateOf(id)).toBe(beforeState);
    expect(firstDifference((await whole(r.host, id)).data, before.data)).toBe("");
  });

  test("precise: blend sent, no object mask, no shadow reach", async () => {
    const { r, id, layerId } = scene();
    const { final } = await run(r, params(layerId, { method: "precise", strength: 0.3, numVariations: 1, seeds: [5] }));
    expect(final.phase).toBe("done");
    const job = r.broker.lastJob();
    expect(job.endpoint).toBe("precise");
    expect(PreciseCompositeRequestSchema.safeParse(job.body).success).toBe(true);
    expect(job.body).toMatchObject({ blend: 0.3, numVariations: 1, seeds: [5] });
    expect(final.target).toEqual({ left: OBJ.left - 2, top: OBJ.top - 2, right: OBJ.left + OBJ.width + 2, bottom: OBJ.top + OBJ.height + 2 });
    expect(r.host.historyNames(id)).toEqual(["Open", "Object", "Infill: Harmonize"]);
  });

  test("refuses an opaque layer, an empty one and an empty background, with nothing changed", async () => {
    const { r, id } = scene();
    const opaqueId = r.host.addLayer(id, "Opaque", createRGBA(50, 50, [10, 200, 10, 255]), 10, 10);
    const emptyId = r.host.addLayer(id, "Empty", createRGBA(50, 50), 10, 10);
    const opaque = await run(r, params(opaqueId));
    expect(opaque.final.phase).toBe("failed");
    expect(opaque.final.error?.message).toMatch(/“Opaque” has no transparency/);
    const empty = await run(r, params(emptyId));
    expect(empty.final.error?.message).toMatch(/“Empty” has no pixels/);
    const missing = await run(r, params(9999));
    expect(missing.final.error?.message).toMatch(/no longer exists/);

    const t = rig();
    const doc = t.host.createDocument({ title: "clear.psd", width: 400, height: 300, background: false, pixels: createRGBA(400, 300) });
    const obj = t.host.addLayer(doc, "Object", ellipseObject(60, 40), 100, 100);
    const bare = await run(t, params(obj));
    expect(bare.final.error?.message).toMatch(/Nothing visible lies below “Object”/);
    expect(r.broker.jobs.size + t.broker.jobs.size).toBe(0);
    expect(r.host.historyNames(id)).toEqual(["Open", "Object", "Opaque", "Empty"]);
  });

  test("the panel's parameters are checked: 1–3 variations, strength 0..1", () => {
    expect(jobParamsSchema.safeParse(params(3)).success).toBe(true);
    expect(jobParamsSchema.safeParse(params(3, { numVariations: 4, seeds: [1, 2, 3, 4] })).success).toBe(false);
    expect(jobParamsSchema.safeParse(params(3, { strength: 1.5 })).success).toBe(false);
  });
});
