// The controller's custom-model listing (through the broker client) and its reference thumbnails
// (read from the host at thumbnail size, cached per document/layer, dropped when the host says the
// document changed).

import { createHostController } from "../../src/plugin/controller";
import { customModelVersion } from "../../src/plugin/controller/models";
import { createPortPair, makeCommand, THUMBNAIL_MAX_SIDE, type EventOf, type ProtocolEvent } from "../../src/common/protocol";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings";
import { MemoryResultStore } from "../../src/plugin/store";
import { BrokerError, type BrokerClient } from "../../src/plugin/broker-client";
import { SimHost } from "../../src/playground/sim";
import { base64Decode, decodeImage } from "../../src/common/imaging/codecs";
import type { CompositeRequest, RGBAImage } from "../../src/common/host";
import type { CustomModelsResponse } from "../../src/common/firefly";
import { flush } from "../support/turns";

function brokerAnswering(customModels: () => Promise<CustomModelsResponse>): BrokerClient & { listed: number } {
  const no = () => Promise.reject(new Error("not used here"));
  const b = {
    listed: 0,
    upload: no,
    submit: no,
    status: no,
    cancel: no,
    download: no,
    customModels: () => {
      b.listed++;
      return customModels();
    },
  };
  return b as BrokerClient & { listed: number };
}

function rig(broker?: BrokerClient, opts: { key?: boolean } = {}) {
  const host = new SimHost();
  const composites: { docId: number; request: CompositeRequest }[] = [];
  const real = host.composite.bind(host);
  host.composite = (docId, request = {}) => {
    composites.push({ docId, request });
    return real(docId, request);
  };
  const [hostSide, panel] = createPortPair();
  const events: ProtocolEvent[] = [];
  panel.onMessage((m) => events.push(m as ProtocolEvent));
  const settings = createSettingsService({
    secrets: new MemorySecretStore(),
    prefs: new MemoryPrefsStore(),
    defaultBrokerUrl: "http://localhost:8765",
    makeClient: () => broker!,
  });
  const controller = createHostController({
    port: hostSide,
    host,
    store: new MemoryResultStore(),
    settings,
    ...(broker && opts.key !== false ? { broker } : {}),
    info: { pluginVersion: "t", hostApp: "playground", hostVersion: "t" },
    pollMs: 0,
  });
  controller.start();
  return {
    host,
    composites,
    events,
    settings,
    async send(body: Parameters<typeof makeCommand>[0]) {
      panel.post(makeCommand(body));
      await flush();
    },
    last: () => events[events.length - 1],
  };
}

const ofType = <K extends ProtocolEvent["type"]>(events: ProtocolEvent[], type: K) => events.filter((e): e is EventOf<K> => e.type === type);

describe("custom models", () => {
  test("models.list answers with the broker's listing: names, training mode, base model, the model version that runs it", async () => {
    const broker = brokerAnswering(async () => ({
      custom_models: [
        {
          assetId: "urn:aaid:sc:VA6C2:a",
          displayName: "Warm Custom Model",
          assetName: "Warm Custom Model.ffcustommodel",
          trainingMode: "style",
          baseModel: { name: "clio_v2", version: "2.0.0" },
          publishedState: "published",
          samplePrompt: "a warm street",
          conceptId: "",
        },
        {
          assetId: "urn:aaid:sc:VA6C2:b",
          assetName: "Mascot.ffcustommodel",
          trainingMode: "subject",
          baseModel: { name: "firefly_image_4" },
          conceptId: "mascot_x",
        },
        { assetId: "urn:aaid:sc:VA6C2:c" },
        { assetId: "urn:aaid:sc:VA6C2:d", displayName: "Draft", publishedState: "unpublished" },
      ],
      total_count: 4,
    }));
    const r = rig(broker);
    await r.send({ type: "models.list", id: "m1" });
    expect(broker.listed).toBe(1);
    expect(r.last()).toEqual({
      protocol: "infill",
      version: 1,
      type: "models",
      replyTo: "m1",
      models: [
        {
          id: "urn:aaid:sc:VA6C2:a",
          name: "Warm Custom Model",
          trainingMode: "style",
          baseModel: { name: "clio_v2", version: "2.0.0" },
          modelVersion: "image3_custom",
          samplePrompt: "a warm street",
        },
        {
          id: "urn:aaid:sc:VA6C2:b",
          name: "Mascot",
          trainingMode: "subject",
          baseModel: { name: "firefly_image_4" },
          modelVersion: "image4_custom",
          conceptId: "mascot_x",
        },
        { id: "urn:aaid:sc:VA6C2:c", name: "urn:aaid:sc:VA6C2:c", modelVersion: "image3_custom" },
      ],
    });
  });

  test("an empty listing is an empty list, not an error", async () => {
    const r = rig(brokerAnswering(async () => ({ custom_models: [] })));
    await r.send({ type: "models.list", id: "m" });
    expect(r.last()).toMatchObject({ type: "models", replyTo: "m", models: [] });
  });

  test("a broker in local mode: an error answering the request, with the broker's sentence and a custom-model hint", async () => {
    const msg = "Custom models needs Firefly credentials: this broker runs the local engine, which only does fill and expand.";
    const r = rig(
      brokerAnswering(async () =>
        Promise.reject(new BrokerError("invalid_input", msg, "HTTP 400 needs_firefly_credentials", 400, "needs_firefly_credentials")),
      ),
    );
    await r.send({ type: "models.list", id: "m2" });
    expect(r.last()).toMatchObject({
      type: "error",
      replyTo: "m2",
      category: "invalid_input",
      code: "needs_firefly_credentials",
      message: msg,
      hint: "Fill and Expand still work with the local engine.",
      detail: "HTTP 400 needs_firefly_credentials",
    });
  });

  test("Firefly refusing the credential (no entitlement): category auth, and the hint says what to ask for", async () => {
    const r = rig(
      brokerAnswering(async () =>
        Promise.reject(
          new BrokerError("auth", "Firefly refused access for the broker's credential. Ask your admin to check its entitlements.", "HTTP 403: Forbidden", 403),
        ),
      ),
    );
    await r.send({ type: "models.list", id: "m3" });
    expect(r.last()).toMatchObject({
      type: "error",
      replyTo: "m3",
      category: "auth",
      code: "http_403",
      hint: expect.stringMatching(/entitled to Firefly Custom Models/),
    });
  });

  test("no broker key yet: the settings error, and the broker is not called", async () => {
    const broker = brokerAnswering(async () => ({ custom_models: [] }));
    const r = rig(broker, { key: false });
    await r.send({ type: "models.list", id: "m4" });
    expect(r.last()).toMatchObject({ type: "error", replyTo: "m4", category: "settings", code: "no_key" });
    expect(broker.listed).toBe(0);
  });

  test("the model version follows the base model; Image 3 unless it names Image 4", () => {
    expect(customModelVersion(undefined)).toBe("image3_custom");
    expect(customModelVersion({ name: "clio_v2", version: "2.0.0" })).toBe("image3_custom");
    expect(customModelVersion({ name: "Firefly Image 4" })).toBe("image4_custom");
    expect(customModelVersion({ name: "image4_standard" })).toBe("image4_custom");
    expect(customModelVersion({ name: "clio_v4" })).toBe("image4_custom");
  });
});

function quadrants(width: number, height: number): RGBAImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data[p] = x < width / 2 ? 255 : 0;
      data[p + 1] = y < height / 2 ? 0 : 255;
      data[p + 2] = 0;
      data[p + 3] = 255;
    }
  return { width, height, data };
}

describe("reference thumbnails", () => {
  test("a document's thumbnail: read at thumbnail size (never full size), a JPEG of its picture, ≤ 96 px", async () => {
    const r = rig();
    const doc = r.host.createDocument({ title: "Wide", width: 800, height: 400, pixels: quadrants(800, 400) });
    await r.send({ type: "thumbnail.get", id: "t", docId: doc });
    const t = r.last() as EventOf<"thumbnail">;
    expect(t).toMatchObject({ type: "thumbnail", replyTo: "t", docId: doc, width: THUMBNAIL_MAX_SIDE, height: 48 });
    expect(t.layerId).toBeUndefined();
    expect(r.composites).toEqual([{ docId: doc, request: { window: { left: 0, top: 0, right: 800, bottom: 400 }, targetSize: { width: 96, height: 48 } } }]);
    expect(t.dataUrl.length).toBeLessThan(8000);
    const img = decodeImage(base64Decode(t.dataUrl.slice("data:image/jpeg;base64,".length)));
    expect([img.width, img.height]).toEqual([96, 48]);
    const px = (x: number, y: number) => Array.from(img.data.slice((y * 96 + x) * 4, (y * 96 + x) * 4 + 3));
    // Top-left red, bottom-right green (JPEG: within a few levels).
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 12);
    expect(near(px(10, 10), [255, 0, 0])).toBe(true);
    expect(near(px(85, 40), [0, 255, 0])).toBe(true);
  });

  test("a layer's thumbnail covers the layer's bounds, transparent parts on white, as the reference is sent", async () => {
    const r = rig();
    const doc = r.host.createDocument({ title: "Doc", width: 300, height: 300 });
    const pixels: RGBAImage = { width: 40, height: 48, data: new Uint8Array(40 * 48 * 4) };
    // Blue bands at the top and bottom, transparent between (the layer's bounds stay 40 × 48).
    for (let i = 0; i < 40 * 48; i++) if (i < 40 * 5 || i >= 40 * 43) pixels.data.set([0, 0, 255, 255], i * 4);
    const layer = r.host.addLayer(doc, "Blue", pixels, 100, 50);
    await r.send({ type: "thumbnail.get", id: "t", docId: doc, layerId: layer });
    const t = r.last() as EventOf<"thumbnail">;
    expect(t).toMatchObject({ type: "thumbnail", docId: doc, layerId: layer, width: 40, height: 48 });
    expect(r.composites[0].request).toEqual({ window: { left: 100, top: 50, right: 140, bottom: 98 }, targetSize: { width: 40, height: 48 }, layerId: layer });
    const img = decodeImage(base64Decode(t.dataUrl.split(",")[1]));
    const px = (x: number, y: number) => Array.from(img.data.slice((y * 40 + x) * 4, (y * 40 + x) * 4 + 3));
    expect(px(20, 2).map((v, i) => Math.abs(v - [0, 0, 255][i]) <= 12)).toEqual([true, true, true]);
    expect(px(20, 24).map((v) => v >= 240)).toEqual([true, true, true]);
  });

  test("cached per document and layer; an edit drops that document's previews and says so; opening or closing drops all", async () => {
    const r = rig();
    const a = r.host.createDocument({ title: "A", width: 64, height: 64 });
    const b = r.host.createDocument({ title: "B", width: 64, height: 32 });
    await r.send({ type: "hello" });
    await r.send({ type: "thumbnail.get", docId: a });
    await r.send({ type: "thumbnail.get", docId: a });
    await r.send({ type: "thumbnail.get", docId: b });
    expect(r.composites.map((c) => c.docId)).toEqual([a, b]);
    expect(ofType(r.events, "thumbnail")).toHaveLength(3);

    r.events.length = 0;
    r.host.addLayer(b, "Paint", quadrants(8, 8), 0, 0); // an edit of B
    await flush();
    expect(ofType(r.events, "thumbnail.stale")).toEqual([expect.objectContaining({ docId: b })]);
    await r.send({ type: "thumbnail.get", docId: a });
    await r.send({ type: "thumbnail.get", docId: b });
    expect(r.composites.map((c) => c.docId)).toEqual([a, b, b]);

    r.events.length = 0;
    r.host.addLayer(b, "More", quadrants(8, 8), 0, 0);
    r.host.addLayer(b, "Again", quadrants(8, 8), 0, 0);
    await flush();
    // One notice until the panel asks again (nothing cached for B after the first).
    expect(ofType(r.events, "thumbnail.stale")).toHaveLength(1);

    r.events.length = 0;
    r.host.closeDocument(b);
    await flush();
    const stale = ofType(r.events, "thumbnail.stale");
    expect(stale).toHaveLength(1);
    expect(stale[0].docId).toBeUndefined();
    await r.send({ type: "thumbnail.get", docId: a });
    expect(r.composites.map((c) => c.docId)).toEqual([a, b, b, a]);
  });

  test("closed documents, missing and empty layers are answered with an error for that request", async () => {
    const r = rig();
    const doc = r.host.createDocument({ title: "D", width: 32, height: 32 });
    const empty = r.host.addLayer(doc, "Empty", { width: 1, height: 1, data: new Uint8Array(4) }, 0, 0);
    await r.send({ type: "thumbnail.get", id: "x", docId: 999 });
    expect(r.last()).toMatchObject({ type: "error", replyTo: "x", category: "document", code: "document_closed" });
    await r.send({ type: "thumbnail.get", id: "y", docId: doc, layerId: 999 });
    expect(r.last()).toMatchObject({ type: "error", replyTo: "y", code: "layer_missing" });
    // The simulated host, like Photoshop, gives a fully transparent layer empty bounds.
    expect((await r.host.layers(doc)).find((l) => l.id === empty)!.bounds).toMatchObject({ right: 0, bottom: 0 });
    await r.send({ type: "thumbnail.get", id: "z", docId: doc, layerId: empty });
    expect(r.last()).toMatchObject({ type: "error", replyTo: "z", code: "layer_empty" });
  });

  test("a failed read is not cached: asking again reads again", async () => {
    const r = rig();
    const doc = r.host.createDocument({ title: "D", width: 32, height: 32 });
    r.host.faults.failComposite = true;
    await r.send({ type: "thumbnail.get", id: "f", docId: doc });
    expect(r.last()).toMatchObject({ type: "error", replyTo: "f" });
    r.host.faults.failComposite = false;
    await r.send({ type: "thumbnail.get", id: "g", docId: doc });
    expect(r.last()).toMatchObject({ type: "thumbnail", replyTo: "g", docId: doc });
  });
});
