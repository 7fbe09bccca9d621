// Reference pickers offer only layers with pixels of their own.
import { referenceLayers, wantedThumbnails } from "../../src/panel/model/references";
import type { LayerInfo } from "../../src/common/host";

const bounds = { left: 0, top: 0, right: 10, bottom: 10 };
const layer = (id: number, kind: LayerInfo["kind"]): LayerInfo => ({ id, name: `${kind} ${id}`, kind, visible: true, bounds, parentId: null });
const all = [layer(1, "pixel"), layer(2, "group"), layer(3, "adjustment"), layer(4, "text"), layer(5, "smartObject"), layer(6, "other")];

test("pixel, smart object and text layers are offered; groups, adjustment and fill layers are not", () => {
  expect(referenceLayers(all).map((l) => l.id)).toEqual([1, 4, 5]);
  expect(referenceLayers(undefined)).toEqual([]);
});

test("an open picker asks previews only for the layers it offers", () => {
  const wanted = wantedThumbnails({ documents: [{ id: 9, title: "d", width: 10, height: 10, active: true }], layers: { 9: all }, value: null }, true);
  expect(wanted).toEqual([
    [9, undefined],
    [9, 1],
    [9, 4],
    [9, 5],
  ]);
});
