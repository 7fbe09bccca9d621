// A results group placed directly above a layer in Photoshop (a harmonize's group above its object):
// created, moved above the layer inside the layer's own parent group, filled, in one history step that
// undo takes back; a move Photoshop gets wrong, or a missing layer, rolls everything back.

import { fake, type FakeDocument } from "../fakes/photoshop";
import { createPhotoshopHost } from "../../src/plugin/photoshop/host";
import type { LayerPlan } from "../../src/common/host";

const host = () => createPhotoshopHost({ sleep: async () => undefined, busyRetries: 0, busyDelayMs: 0 });

beforeEach(() => fake.reset());

type Node = FakeDocument["state"]["layers"][number];
const pixel = (id: number, name: string): Node => ({ id, name, kind: "pixel", visible: true }) as Node;

/** Top, a group holding the object and a layer under it, a shadow layer, the Background; `Top` active. */
function scene(): FakeDocument {
  const doc = fake.addDocument({ width: 8, height: 6, title: "scene.psd" });
  const background = doc.state.layers[0];
  doc.state.layers = [
    pixel(50, "Top"),
    { id: 51, name: "Group", kind: "group", visible: true, children: [pixel(52, "Object"), pixel(53, "Under")] } as Node,
    pixel(54, "Shadow"),
    background,
  ];
  doc.state.activeLayerId = 50;
  return doc;
}

/** The layer tree as names, groups as [name, children]. */
type Tree = (string | [string, Tree])[];
const tree = (nodes: Node[]): Tree => nodes.map((n) => (n.children ? [n.name, tree(n.children)] : n.name));

function harmonizePlan(objectId: number): LayerPlan {
  const px = { width: 1, height: 1, data: new Uint8Array([200, 100, 50, 255]) };
  return {
    name: "Infill: Harmonize",
    expectDocumentSize: { width: 8, height: 6 },
    ops: [
      { op: "setVisibility", layer: { id: objectId }, visible: false },
      { op: "createGroup", ref: "g", name: "Infill Harmonize", above: { id: objectId } },
      { op: "createPixelLayer", ref: "v0", name: "Harmonize 1", parent: { ref: "g" }, pixels: px, left: 2, top: 2, visible: true },
      { op: "createPixelLayer", ref: "v1", name: "Harmonize 2", parent: { ref: "g" }, pixels: px, left: 2, top: 2, visible: false },
    ],
  };
}

test("the group lands directly above the object, inside the object's group and below the layers above it; one step, undone at once", async () => {
  const doc = scene();
  const before = fake.picture(doc.id);
  const { created } = await host().apply(doc.id, harmonizePlan(52));
  expect(tree(doc.state.layers)).toEqual(["Top", ["Group", [["Infill Harmonize", ["Harmonize 2", "Harmonize 1"]], "Object", "Under"]], "Shadow", "Background"]);
  expect(doc.layerById(created.g)!.parent!.id).toBe(51);
  expect(doc.layerById(52)!.visible).toBe(false);
  expect(fake.calls.filter((c) => c.op === "layer.move")[0].args).toEqual({ id: created.g, relativeTo: 52, placement: "placeBefore" });
  expect(doc.state.history).toEqual(["Open", "Infill: Harmonize"]);
  expect(doc.undo()).toBe(true);
  expect(fake.picture(doc.id)).toBe(before);
});

test("an object at the top level gets the group at the top level, right above it", async () => {
  const doc = scene();
  await host().apply(doc.id, harmonizePlan(54));
  expect(tree(doc.state.layers)).toEqual(["Top", ["Group", ["Object", "Under"]], ["Infill Harmonize", ["Harmonize 2", "Harmonize 1"]], "Shadow", "Background"]);
});

test.each(["moveIgnored", "placeBeforeToTop"] as const)("a move Photoshop gets wrong (%s) rolls the document back and says so", async (way) => {
  const doc = scene();
  const before = fake.picture(doc.id);
  fake.broken[way] = true;
  const wrong = await host()
    .apply(doc.id, harmonizePlan(52))
    .catch((e: unknown) => e);
  expect(wrong).toMatchObject({ code: "apply_failed", message: "Infill could not place the results; the document was left as it was." });
  expect(String((wrong as { detail?: string }).detail)).toContain('did not land directly above layer "Object"');
  expect(fake.picture(doc.id)).toBe(before);
});

test("an object that is gone fails before a group is made, and changes nothing", async () => {
  const doc = scene();
  const before = fake.picture(doc.id);
  const gone = await host()
    .apply(doc.id, { ...harmonizePlan(52), ops: [{ op: "createGroup", ref: "g", name: "Infill Harmonize", above: { id: 999 } }] })
    .catch((e: unknown) => e);
  expect(gone).toMatchObject({ code: "document_changed" });
  expect(fake.picture(doc.id)).toBe(before);
  expect(fake.calls.filter((c) => c.op === "createLayerGroup")).toHaveLength(0);
});
