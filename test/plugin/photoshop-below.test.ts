// Reading what lies under a layer in Photoshop (a harmonize's background): inside the capture's one
// modal scope, history suspended, the layer and everything above it hidden (not the groups holding it),
// the composite read, then rolled back: the document and its history are left exactly as they were.

import { fake, type FakeDocument } from "../fakes/photoshop";
import { createPhotoshopHost } from "../../src/plugin/photoshop/host";
import { HostError } from "../../src/common/host";

const host = () => createPhotoshopHost({ sleep: async () => undefined, busyRetries: 0, busyDelayMs: 0 });

beforeEach(() => fake.reset());

type Node = FakeDocument["state"]["layers"][number];
const pixel = (id: number, name: string, visible = true): Node => ({ id, name, kind: "pixel", visible }) as Node;

function scene(): FakeDocument {
  const doc = fake.addDocument({ width: 8, height: 6, title: "scene.psd" });
  const background = doc.state.layers[0];
  doc.state.layers = [
    pixel(50, "Top"),
    pixel(55, "Hidden above", false),
    { id: 51, name: "Group", kind: "group", visible: true, children: [pixel(52, "Object"), pixel(53, "Under, in the group")] } as Node,
    pixel(54, "Shadow"),
    background,
  ];
  return doc;
}

/** The visibility changes made, with whether history was suspended, between two ops of the record. */
const visibilityChanges = () => fake.calls.filter((c) => c.op === "layer.visible").map((c) => [c.args.id, c.args.visible, c.suspended]);

test("capture: the object and the layers above it are hidden for the read, then rolled back", async () => {
  const doc = scene();
  const before = fake.picture(doc.id);
  const got = await host().capture(doc.id, { selection: false, composites: [{ below: 52, window: { left: 0, top: 0, right: 8, bottom: 6 } }, {}] });
  expect(got.composites).toHaveLength(2);
  expect(fake.modalScopes()).toHaveLength(1);
  const ops = fake.modalScopes()[0].calls.map((c) => c.op);
  expect(ops).toEqual(["suspendHistory", "layer.visible", "layer.visible", "getPixels", "resumeHistory", "getPixels"]);
  expect(visibilityChanges()).toEqual([
    [50, false, true],
    [52, false, true],
  ]);
  expect(fake.calls.find((c) => c.op === "resumeHistory")!.args.commit).toBe(false);
  expect(fake.picture(doc.id)).toBe(before);
  expect(fake.images.every((i) => i.disposed)).toBe(true);
});

test("a single read under a layer is rolled back too; a missing layer is a clear error", async () => {
  const doc = scene();
  const before = fake.picture(doc.id);
  await host().composite(doc.id, { below: 54 });
  expect(visibilityChanges().map(([id]) => id)).toEqual([50, 51, 52, 53, 54]);
  expect(fake.picture(doc.id)).toBe(before);
  const e = await host()
    .composite(doc.id, { below: 999 })
    .catch((x: unknown) => x);
  expect(e).toBeInstanceOf(HostError);
  expect((e as HostError).message).toBe("That layer no longer exists.");
  expect(fake.picture(doc.id)).toBe(before);
});
