// Where a results group goes: the plan can place it directly above a layer (a harmonize's object), the
// simulated host carries that out inside the layer's own group, and a harmonize job's results land
// under the layers that were above its object, so those still cover them.

import type { LayerPlan, RGBAImage } from "../../src/common/host";
import { createRGBA } from "../../src/common/imaging/image";
import { GROUP_REF, placementPlan } from "../../src/common/imaging/plans";
import { SimHost } from "../../src/playground/sim";
import { rig, run } from "./helpers/deps";
import { coordImage, photoLike } from "./helpers/images";

const solid = (width: number, height: number, rgba: [number, number, number, number]): RGBAImage => {
  const img = createRGBA(width, height);
  for (let i = 0; i < width * height; i++) img.data.set(rgba, i * 4);
  return img;
};

const content = { pixels: solid(2, 2, [1, 2, 3, 255]), rect: { left: 0, top: 0, right: 2, bottom: 2 }, mask: null };

describe("the placement plan", () => {
  test("names the layer the group goes above when asked, and nothing otherwise", () => {
    const base = { historyName: "h", documentSize: { width: 4, height: 4 }, groupName: "g", variations: [{ name: "v", content }] };
    const above = placementPlan({ ...base, groupAbove: { id: 7 } });
    expect(above.ops[0]).toEqual({ op: "createGroup", ref: GROUP_REF, name: "g", above: { id: 7 } });
    expect(placementPlan(base).ops[0]).toEqual({ op: "createGroup", ref: GROUP_REF, name: "g" });
    // Canvas operations (a harmonize hides its object) still come first.
    const hide = { op: "setVisibility" as const, layer: { id: 7 }, visible: false };
    expect(placementPlan({ ...base, canvasOps: [hide], groupAbove: { id: 7 } }).ops.slice(0, 2)).toEqual([hide, above.ops[0]]);
  });
});

describe("the simulated host", () => {
  /** Background, then a group "Set" holding "Object" and "Under", then "Top" above everything. */
  async function scene(h: SimHost) {
    const id = h.createDocument({ width: 4, height: 4, pixels: coordImage(4, 4) });
    const px = solid(1, 1, [9, 9, 9, 255]);
    const made = await h.apply(id, {
      name: "scene",
      expectDocumentSize: { width: 4, height: 4 },
      ops: [
        { op: "createGroup", ref: "set", name: "Set" },
        { op: "createPixelLayer", ref: "under", name: "Under", parent: { ref: "set" }, pixels: px, left: 0, top: 0, visible: true },
        { op: "createPixelLayer", ref: "object", name: "Object", parent: { ref: "set" }, pixels: px, left: 1, top: 1, visible: true },
      ],
    });
    h.addLayer(id, "Top", px, 2, 2);
    return { id, set: made.created.set, object: made.created.object };
  }

  const plan = (above: number): LayerPlan => ({
    name: "Infill: Harmonize",
    expectDocumentSize: { width: 4, height: 4 },
    ops: [
      { op: "createGroup", ref: "g", name: "Infill Harmonize", above: { id: above } },
      { op: "createPixelLayer", ref: "v", name: "Harmonize 1", parent: { ref: "g" }, pixels: solid(1, 1, [1, 1, 1, 255]), left: 1, top: 1, visible: true },
    ],
  });

  test("creates the group directly above the layer, in that layer's group, in one step that undo takes back", async () => {
    const h = new SimHost();
    const { id, set, object } = await scene(h);
    const before = h.stateOf(id);
    const { created } = await h.apply(id, plan(object));
    const layers = await h.layers(id);
    expect(layers.map((l) => l.name)).toEqual(["Top", "Set", "Infill Harmonize", "Harmonize 1", "Object", "Under", "Background"]);
    expect(layers.find((l) => l.id === created.g)!.parentId).toBe(set);
    expect(layers.find((l) => l.id === created.v)!.parentId).toBe(created.g);
    expect(h.historyNames(id)).toEqual(["Open", "scene", "Top", "Infill: Harmonize"]);
    h.undo(id);
    expect(h.stateOf(id)).toBe(before);
  });

  test("a missing layer, or a group asked both inside a group and above a layer, fails and changes nothing", async () => {
    const h = new SimHost();
    const { id, set, object } = await scene(h);
    const before = h.stateOf(id);
    await expect(h.apply(id, plan(999))).rejects.toMatchObject({ code: "apply_failed" });
    const both: LayerPlan = { ...plan(object), ops: [{ op: "createGroup", ref: "g", name: "x", above: { id: object }, parent: { id: set } }] };
    await expect(h.apply(id, both)).rejects.toMatchObject({ code: "apply_failed" });
    expect(h.stateOf(id)).toBe(before);
  });
});

describe("a harmonize job", () => {
  test("places its group directly above the object: a layer above the object still covers the results", async () => {
    const W = 400;
    const H = 300;
    const r = rig({}, new SimHost());
    const id = r.host.createDocument({ title: "scene.psd", width: W, height: H, pixels: photoLike(W, H, 3) });
    const object = createRGBA(60, 40);
    // A red disc: transparent around it, as a cut-out object is.
    for (let y = 0; y < 40; y++) for (let x = 0; x < 60; x++) if ((x - 30) ** 2 + (y - 20) ** 2 <= 400) object.data.set([220, 30, 30, 255], (y * 60 + x) * 4);
    const objectId = r.host.addLayer(id, "Object", object, 150, 120);
    // An opaque blue card over part of the object.
    r.host.addLayer(id, "Card", solid(20, 20, [0, 0, 255, 255]), 170, 130);
    const { final } = await run(r, {
      kind: "harmonize",
      layerId: objectId,
      method: "adaptive",
      strength: 0.8,
      shadows: true,
      numVariations: 1,
      seeds: [5],
    });
    expect(final.error).toBeUndefined();
    expect(final.phase).toBe("done");
    const layers = await r.host.layers(id);
    expect(layers.map((l) => l.name)).toEqual(["Card", "Infill Harmonize", "Harmonize 1 (seed 5)", "Object", "Background"]);
    const after = await r.host.composite(id, { window: { left: 180, top: 140, right: 181, bottom: 141 } });
    expect(Array.from(after.data)).toEqual([0, 0, 255, 255]);
  });
});
