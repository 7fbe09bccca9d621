// The real workflows, run by the controller, on the Photoshop adapter over the recording fake, with a
// broker that answers like Firefly: the job's capture is one modal scope, every broker call happens
// outside any modal scope, the result lands as one history state on the job's document, and a cancel
// leaves it untouched.
import { fake, maskValueAt } from "../fakes/photoshop";
import { createPhotoshopHost, selectionBoundsOf } from "../../src/plugin/photoshop/host";
import { createHostController } from "../../src/plugin/controller";
import { createPortPair, makeCommand, type ProtocolEvent } from "../../src/common/protocol";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings";
import { MemoryResultStore } from "../../src/plugin/store";
import type { BrokerClient } from "../../src/plugin/broker-client";
import { encodeRGBAPng } from "../../src/common/imaging/codecs";
import { createRGBA } from "../../src/common/imaging/image";
import type { JobState } from "../../src/common/jobs";
import { flushUntil } from "../support/turns";

const redOutputs = new Map<string, Uint8Array>();

/** An opaque red output of `size`, as PNG; encoded once per size (each download answers a copy). */
function redOutput(size: { width: number; height: number }): Uint8Array {
  const key = `${size.width}×${size.height}`;
  let png = redOutputs.get(key);
  if (!png) redOutputs.set(key, (png = encodeRGBAPng(createRGBA(size.width, size.height, [250, 10, 10, 255]))));
  return png.slice();
}

function fireflyLikeBroker(opts: { onStatus?: () => void } = {}) {
  const calls: Array<{ name: string; modal: number }> = [];
  let size = { width: 1024, height: 1024 };
  let seeds: number[] = [1];
  const at = (name: string) => {
    calls.push({ name, modal: fake.modalDepth });
    fake.network(name);
  };
  const client: BrokerClient = {
    async upload() {
      at("upload");
      return `up-${calls.length}`;
    },
    async submit(_endpoint, body) {
      at("submit");
      const b = body as { size?: { width: number; height: number }; seeds?: number[] };
      if (b.size) size = b.size;
      if (b.seeds) seeds = b.seeds;
      return { jobId: "ff-1", statusUrl: "/v3/status/ff-1", cancelUrl: "/v3/cancel/ff-1" };
    },
    async status() {
      at("status");
      opts.onStatus?.();
      return { job: { jobId: "ff-1", status: "succeeded", result: { outputs: seeds.map((seed, i) => ({ seed, image: { url: `/out/${i}` } })) } } } as never;
    },
    async cancel() {
      at("cancel");
    },
    async download() {
      at("download");
      return redOutput(size);
    },
    async customModels() {
      at("customModels");
      return { custom_models: [] };
    },
  };
  return { client, calls };
}

async function setup(broker: BrokerClient) {
  const [hostSide, panel] = createPortPair();
  const events: ProtocolEvent[] = [];
  panel.onMessage((m) => events.push(m as ProtocolEvent));
  const controller = createHostController({
    port: hostSide,
    host: createPhotoshopHost({ sleep: async () => undefined }),
    store: new MemoryResultStore(),
    settings: createSettingsService({ secrets: new MemorySecretStore(), prefs: new MemoryPrefsStore() }),
    broker,
    selectionBounds: selectionBoundsOf,
    info: { pluginVersion: "t", hostApp: "photoshop", hostVersion: "26.0.0" },
    workflowOptions: {
      pollIntervalMs: 0,
      sleep: async (_ms, signal) => {
        if (signal?.aborted) throw new Error("aborted");
      },
    },
    pollMs: 0,
  });
  controller.start();
  const finalState = () => {
    const states = events.filter((e): e is Extract<ProtocolEvent, { type: "job.state" }> => e.type === "job.state").map((e) => e.job as JobState);
    const last = states[states.length - 1];
    return last && ["done", "failed", "cancelled", "kept"].includes(last.phase) ? last : null;
  };
  return { panel, events, finalState, controller };
}

function documentWithSelection() {
  const W = 64,
    H = 48;
  const sel = new Uint8Array(W * H);
  for (let y = 8; y < 24; y++) for (let x = 10; x < 30; x++) sel[y * W + x] = 255;
  return fake.addDocument({ width: W, height: H, title: "beach.psd", selection: sel });
}

beforeEach(() => fake.reset());

test("fill end to end: network outside modal scopes, one history state, pixels only inside the selection", async () => {
  const doc = documentWithSelection();
  const broker = fireflyLikeBroker();
  const { panel, finalState, events } = await setup(broker.client);
  panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1, prompt: "a red ball", blend: { bandPx: 0, toneMatch: false } } }));
  await flushUntil(() => finalState() !== null);
  const final = finalState()!;
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");
  expect(events.find((e) => e.type === "job.accepted")).toBeDefined();

  expect(broker.calls.map((c) => c.name)).toEqual(expect.arrayContaining(["upload", "submit", "status", "download"]));
  expect(broker.calls.filter((c) => c.modal > 0)).toEqual([]);

  // Capture in ONE modal scope (selection and source window), before any network call; apply in one more.
  expect(fake.modalScopes().map((sc) => sc.commandName)).toEqual(["Infill: capturing", "Infill: Fill"]);
  const firstNetwork = fake.calls.findIndex((c) => c.op.startsWith("network:"));
  const beforeNetwork = fake.calls.slice(0, firstNetwork);
  expect(beforeNetwork.filter((c) => c.op === "executeAsModal").map((c) => c.args.commandName)).toEqual(["Infill: capturing"]);
  expect(beforeNetwork.filter((c) => c.op === "getSelection" || c.op === "getPixels").map((c) => [c.op, c.modal])).toEqual([
    ["getSelection", 1],
    ["getPixels", 1],
  ]);
  expect(fake.modalScopes()[0].calls.filter((c) => c.op.startsWith("network:"))).toEqual([]);

  // Every write to the document happened inside a modal scope, under a suspended history.
  const writes = fake.calls.filter((c) =>
    ["createLayerGroup", "createPixelLayer", "putPixels", "putLayerMask", "layer.move", "layer.visible", "layer.name"].includes(c.op),
  );
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) expect(w).toMatchObject({ modal: 1, suspended: true });
  expect(doc.state.history).toHaveLength(2);
  expect(fake.images.every((i) => i.disposed)).toBe(true);

  // The variation layer is red where the selection was; its mask hides everything outside it.
  const layerId = final.variations[0].layerId!;
  const layer = doc.layerById(layerId)!;
  const px = layer.node.pixels!;
  const at = (x: number, y: number) =>
    Array.from(px.data.subarray(((y - px.top) * px.width + (x - px.left)) * 4, ((y - px.top) * px.width + (x - px.left)) * 4 + 4));
  expect(at(20, 16)).toEqual([250, 10, 10, 255]);
  const mask = layer.node.mask!;
  const maskAt = (x: number, y: number) => maskValueAt(mask, x, y);
  expect([maskAt(20, 16), maskAt(5, 5), maskAt(40, 30)]).toEqual([255, 0, 0]);
});

test("a cancel while the job is generating leaves the document exactly as it was", async () => {
  const doc = documentWithSelection();
  const before = fake.picture(doc.id);
  let cancelNow: () => void = () => undefined;
  const broker = fireflyLikeBroker({ onStatus: () => cancelNow() });
  const { panel, finalState, events } = await setup(broker.client);
  cancelNow = () => {
    const accepted = events.find((e) => e.type === "job.accepted");
    if (accepted && accepted.type === "job.accepted") panel.post(makeCommand({ type: "job.cancel", jobId: accepted.jobId }));
  };
  panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1 } }));
  await flushUntil(() => finalState() !== null);
  expect(finalState()!.phase).toBe("cancelled");
  expect(fake.picture(doc.id)).toBe(before);
  expect(broker.calls.filter((c) => c.modal > 0)).toEqual([]);
});
