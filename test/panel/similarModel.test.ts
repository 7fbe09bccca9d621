// More like this in the panel model: the source, why it is blocked, the parameters sent, which variations offer it.

import { initialState, reduce, type PanelState } from "../../src/panel/model/state";
import { clampVariations, defaultSimilarSource, placedVariations, similarBlocked, similarParams } from "../../src/panel/model/similar";
import type { ProtocolEvent } from "../../src/common/protocol/events";
import * as F from "./fixtures";

const send = (s: PanelState, e: object) => reduce(s, { type: "event", event: { protocol: "infill", version: 1, ...e } as unknown as ProtocolEvent });

function ready(selection: { left: number; top: number; right: number; bottom: number } | null): PanelState {
  let s = send(initialState, F.hello);
  s = send(s, F.settings());
  return send(s, F.doc({}, selection));
}

test("starts on the selection when there is one, else on the whole document", () => {
  expect(defaultSimilarSource(ready({ left: 0, top: 0, right: 10, bottom: 10 }))).toBe("selection");
  expect(defaultSimilarSource(ready(null))).toBe("document");
});

test("says what to do when it cannot run", () => {
  expect(similarBlocked(ready(null), "selection")).toBe("Make a selection first, or choose the whole document.");
  expect(similarBlocked(ready(null), "document")).toBeNull();
  expect(similarBlocked(send(ready(null), { type: "document.state", active: null, selection: null }), "document")).toBe("Open a document first.");
  const noKey = send(ready(null), F.settings(false));
  expect(similarBlocked(noKey, "document")).toBe("Enter your broker key in Settings first.");
});

test("sends a similar job with 1 to 4 variations", () => {
  expect(similarParams("selection", 3)).toEqual({ kind: "similar", source: "selection", numVariations: 3 });
  expect(similarParams("document", 9).numVariations).toBe(4);
  expect([0, -2, NaN, 2.4].map(clampVariations)).toEqual([1, 1, 1, 2]);
});

test("only placed variations of a finished job offer More like this", () => {
  const variations = [
    { index: 0, seed: 5, layerId: 11, visible: true },
    { index: 1, seed: 6 },
  ];
  expect(placedVariations(F.job({ phase: "done", variations })).map((v) => v.index)).toEqual([0]);
  expect(placedVariations(F.job({ phase: "kept", variations }))).toEqual([]);
  expect(placedVariations(F.job({ phase: "placing", variations }))).toEqual([]);
});
