// Harmonize in the panel, the pure part: object layers, the background below one, readiness, parameters.

import type { LayerInfo } from "../../src/common/host";
import { backgroundDescription, harmonizeBlocked, harmonizeParams, layersBelow, objectLayers } from "../../src/panel/model/harmonize";
import { initialState, reduce, type PanelState } from "../../src/panel/model/state";
import type { ProtocolEvent } from "../../src/common/protocol/events";
import { jobParamsSchema } from "../../src/common/protocol/params-schema";
import { jobTitle } from "../../src/panel/jobs/describe";
import * as F from "./fixtures";

const box = { left: 0, top: 0, right: 100, bottom: 100 };
const empty = { left: 0, top: 0, right: 0, bottom: 0 };
const layer = (id: number, name: string, over: Partial<LayerInfo> = {}): LayerInfo => ({
  id,
  name,
  kind: "pixel",
  visible: true,
  bounds: box,
  parentId: null,
  ...over,
});
const LAYERS: LayerInfo[] = [
  layer(5, "Cat"),
  layer(4, "Group", { kind: "group" }),
  layer(3, "Hidden", { visible: false }),
  layer(2, "Blank", { bounds: empty }),
  layer(1, "Background"),
];

const ev = (e: object) => ({ type: "event", event: { protocol: "infill", version: 1, ...e } as unknown as ProtocolEvent }) as const;
function state(connection: object = F.firefly): PanelState {
  let s = initialState;
  for (const e of [F.hello, F.settings(), F.doc(), connection, { type: "layers", docId: 1, layers: LAYERS }]) s = reduce(s, ev(e));
  return s;
}

test("object layers are the image layers with pixels; the background is the visible image layers below", () => {
  expect(objectLayers(LAYERS).map((l) => l.name)).toEqual(["Cat", "Hidden", "Background"]);
  expect(layersBelow(LAYERS, 5).map((l) => l.name)).toEqual(["Background"]);
  expect(layersBelow(LAYERS, 1)).toEqual([]);
  expect(backgroundDescription(LAYERS, 5)).toBe("Background: “Background”, composited as they show now.");
  expect(backgroundDescription(LAYERS, 1)).toMatch(/Nothing visible lies below/);
  expect(backgroundDescription(LAYERS, null)).toMatch(/Pick the object's layer/);
});

test("readiness: local engine, no layer, a layer with nothing below, then ready", () => {
  expect(harmonizeBlocked(state(F.local), 5)).toMatch(/Harmonize needs Firefly/);
  expect(harmonizeBlocked(state(), null)).toBe("Pick the object's layer first.");
  expect(harmonizeBlocked(state(), 1)).toMatch(/Nothing visible lies below/);
  expect(harmonizeBlocked(state(), 99)).toMatch(/gone or has no pixels/);
  expect(harmonizeBlocked(state(), 5)).toBeNull();
});

test("parameters: adaptive carries shadows and keep background, precise does not; 1–3 variations; host schema accepts them", () => {
  const base = { layerId: 5, strength: 0.4, shadows: false, shadowIntensity: 0.5, keepBackground: true, variations: 4 };
  const adaptive = harmonizeParams({ ...base, method: "adaptive", seeds: [1, 2, 3, 4] });
  expect(adaptive).toEqual({
    kind: "harmonize",
    layerId: 5,
    method: "adaptive",
    strength: 0.4,
    numVariations: 3,
    shadows: false,
    shadowIntensity: 0.5,
    keepBackground: true,
    seeds: [1, 2, 3],
  });
  const precise = harmonizeParams({ ...base, method: "precise", variations: 2 });
  expect(precise).toEqual({ kind: "harmonize", layerId: 5, method: "precise", strength: 0.4, numVariations: 2 });
  expect(jobParamsSchema.safeParse(adaptive).success).toBe(true);
  expect(jobParamsSchema.safeParse(precise).success).toBe(true);
});

test("a harmonize job is titled Harmonize in the jobs list", () => {
  expect(
    jobTitle(
      F.job({
        kind: "harmonize",
        params: harmonizeParams({ layerId: 5, method: "precise", strength: 0.5, shadows: false, shadowIntensity: 0, keepBackground: true, variations: 1 }),
      }),
    ),
  ).toBe("Harmonize");
});
