// Pure panel logic for custom models and reference thumbnails: the reducer's listing and preview
// states, what the picker says, which previews a reference picker asks for.

import { initialState, reduce, thumbKey, type PanelState } from "../../src/panel/model/state";
import { customModelDetail, customModelsDescription } from "../../src/panel/model/customModels";
import { wantedThumbnails } from "../../src/panel/model/references";
import type { ProtocolEvent } from "../../src/common/protocol/events";

const ev = (e: Record<string, unknown>) => ({ type: "event", event: { protocol: "infill", version: 1, ...e } as unknown as ProtocolEvent }) as const;
const jpeg = "data:image/jpeg;base64,/9j/AA==";
const warm = { id: "w", name: "Warm", trainingMode: "style", baseModel: { name: "clio_v2", version: "2.0.0" }, modelVersion: "image3_custom" } as const;

describe("custom models in the panel state", () => {
  it("loading → ready with the listing; an error answering the listing goes to the picker, not the banner", () => {
    let s = reduce(initialState, { type: "modelsRequested", id: "m1" });
    expect(s.customModels).toEqual({ status: "loading", models: [], error: null, requestId: "m1" });
    s = reduce(s, ev({ type: "models", replyTo: "m1", models: [warm] }));
    expect(s.customModels).toMatchObject({ status: "ready", models: [warm], requestId: null });
    s = reduce(s, { type: "modelsRequested", id: "m2" });
    s = reduce(
      s,
      ev({ type: "error", replyTo: "m2", category: "invalid_input", code: "needs_firefly_credentials", message: "Needs Firefly.", hint: "Ask your admin." }),
    );
    expect(s.customModels).toMatchObject({ status: "error", models: [], error: { code: "needs_firefly_credentials", message: "Needs Firefly." } });
    expect(s.error).toBeNull();
    // Errors answering something else still go to the banner.
    s = reduce(s, ev({ type: "error", replyTo: "zz", category: "network", code: "n", message: "Offline.", hint: "h" }));
    expect(s.error).toMatchObject({ message: "Offline." });
  });
  it("a new connection result (another broker or key) lists again next time", () => {
    let s = reduce(initialState, ev({ type: "models", models: [warm] }));
    s = reduce(s, ev({ type: "connection.result", result: { ok: true, diagnosis: "ok", message: "m", broker: { mode: "firefly" } } }));
    expect(s.customModels.status).toBe("idle");
    // …but a listing under way is not forgotten.
    s = reduce(s, { type: "modelsRequested", id: "m3" });
    s = reduce(s, ev({ type: "connection.result", result: { ok: true, diagnosis: "ok", message: "m", broker: { mode: "firefly" } } }));
    expect(s.customModels).toMatchObject({ status: "loading", requestId: "m3" });
  });
  it("the picker says what state it is in", () => {
    const st = (over: Partial<PanelState["customModels"]>) => ({ ...initialState.customModels, ...over });
    expect(customModelsDescription(st({ status: "loading" }), undefined)).toMatch(/Loading/);
    expect(customModelsDescription(st({ status: "ready" }), undefined)).toMatch(/lists no custom models/);
    expect(customModelsDescription(st({ status: "error" }), undefined)).toMatch(/unavailable/);
    const mascot = { id: "m", name: "Mascot", trainingMode: "subject", modelVersion: "image4_custom", conceptId: "mascot_x" } as const;
    expect(customModelsDescription(st({ status: "ready", models: [mascot] }), mascot)).toBe(
      "Subject model: put “mascot_x” in the prompt to bring its subject in.",
    );
    expect(customModelDetail(warm)).toBe("Style model · base clio_v2 2.0.0 · runs on Image 3");
  });
});

describe("reference thumbnails in the panel state", () => {
  it("requested → ready; stale drops that document's previews and forgets its pending requests", () => {
    let s = reduce(initialState, { type: "thumbRequested", id: "t1", key: thumbKey(2) });
    s = reduce(s, { type: "thumbRequested", id: "t2", key: thumbKey(2, 7) });
    s = reduce(s, { type: "thumbRequested", id: "t3", key: thumbKey(1) });
    expect(s.thumbnails[thumbKey(2)]).toEqual({ status: "loading" });
    s = reduce(s, ev({ type: "thumbnail", replyTo: "t1", docId: 2, dataUrl: jpeg, width: 96, height: 60 }));
    s = reduce(s, ev({ type: "thumbnail", replyTo: "t3", docId: 1, dataUrl: jpeg, width: 50, height: 96 }));
    expect(s.thumbnails[thumbKey(2)]).toEqual({ status: "ready", dataUrl: jpeg, width: 96, height: 60 });
    expect(s.thumbRequests).toEqual({ t2: "layer:2:7" });
    s = reduce(s, ev({ type: "thumbnail.stale", docId: 2 }));
    expect(Object.keys(s.thumbnails)).toEqual(["doc:1"]);
    expect(s.thumbRequests).toEqual({});
    // The answer to the request dropped as stale arrives late: ignored (it may predate the edit).
    s = reduce(s, ev({ type: "thumbnail", replyTo: "t2", docId: 2, layerId: 7, dataUrl: jpeg, width: 96, height: 96 }));
    expect(s.thumbnails[thumbKey(2, 7)]).toBeUndefined();
    s = reduce(s, ev({ type: "thumbnail.stale" }));
    expect(s.thumbnails).toEqual({});
  });
  it("a refused preview records the reason; no banner", () => {
    let s = reduce(initialState, { type: "thumbRequested", id: "t", key: thumbKey(3, 4) });
    s = reduce(
      s,
      ev({ type: "error", replyTo: "t", category: "document", code: "layer_empty", message: "That layer is empty.", hint: "Pick a layer with pixels." }),
    );
    expect(s.thumbnails[thumbKey(3, 4)]).toEqual({ status: "failed", message: "That layer is empty." });
    expect(s.error).toBeNull();
  });
  it("a picker wants the chosen reference's preview, and every item's only while its list is open", () => {
    const documents = [
      { id: 1, title: "A", width: 10, height: 10, active: true },
      { id: 2, title: "B", width: 10, height: 10, active: false },
    ];
    const layer = (id: number, kind: "pixel" | "group") => ({
      id,
      name: `L${id}`,
      kind,
      visible: true,
      bounds: { left: 0, top: 0, right: 5, bottom: 5 },
      parentId: null,
    });
    const layers = { 2: [layer(7, "pixel"), layer(8, "group")] };
    expect(wantedThumbnails({ documents, layers, value: null }, false)).toEqual([]);
    expect(wantedThumbnails({ documents, layers, value: { docId: 2, layerId: 7, strength: 50 } }, false)).toEqual([[2, 7]]);
    expect(wantedThumbnails({ documents, layers, value: { docId: 9, strength: 50 } }, false)).toEqual([]); // closed
    expect(wantedThumbnails({ documents, layers, value: null }, true)).toEqual([
      [1, undefined],
      [2, undefined],
      [2, 7],
    ]);
    expect(wantedThumbnails({ documents, layers, value: { docId: 2, layerId: 7, strength: 50 } }, true)).toEqual([
      [2, 7],
      [1, undefined],
      [2, undefined],
    ]);
  });
});
