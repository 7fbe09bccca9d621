import { fake } from "../fakes/photoshop";
import { createPhotoshopHost, selectionBoundsOf } from "../../src/plugin/photoshop/host";
import { createHostController, type Workflows } from "../../src/plugin/controller";
import { createPortPair, makeCommand, PROTOCOL_VERSION, type ProtocolEvent, type MessagePort } from "../../src/common/protocol";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore, type SettingsService } from "../../src/plugin/settings";
import { MemoryResultStore } from "../../src/plugin/store";
import type { BrokerClient } from "../../src/plugin/broker-client";
import type { JobState } from "../../src/common/jobs";
import type { LayerPlan } from "../../src/common/host";

/** One turn of the event loop: messages already posted reach the other side of the port (it delivers on a microtask). */
const turn = () => new Promise<void>((r) => setImmediate(r));

/** Waits until `cond` holds, a turn at a time; fails naming `what` if it never does. */
async function waitFor(cond: () => boolean, what: string, maxTurns = 1000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await turn();
  }
  throw new Error(`still waiting for ${what}`);
}

/** A broker client that records calls and fails the test if any is made inside a modal scope. */
function recordingBroker(): BrokerClient & { calls: string[]; modalViolations: string[] } {
  const calls: string[] = [];
  const modalViolations: string[] = [];
  const at = (name: string) => {
    calls.push(name);
    if (fake.modalDepth > 0) modalViolations.push(name);
  };
  return {
    calls,
    modalViolations,
    async upload() {
      at("upload");
      await turn();
      return "upload-1";
    },
    async submit() {
      at("submit");
      return { jobId: "remote-1", statusUrl: "s", cancelUrl: "c" } as never;
    },
    async status() {
      at("status");
      return { job: { status: "succeeded" } as never };
    },
    async cancel() {
      at("cancel");
    },
    async download() {
      at("download");
      return new Uint8Array([1]);
    },
    async customModels() {
      at("customModels");
      return { custom_models: [] } as never;
    },
  };
}

interface Rig {
  events: ProtocolEvent[];
  panel: MessagePort;
  send(body: Parameters<typeof makeCommand>[0]): Promise<void>;
  logs: string[];
  broker: ReturnType<typeof recordingBroker>;
  settings: SettingsService;
  store: MemoryResultStore;
  workflowCalls: string[];
  cancels: string[];
  controller: ReturnType<typeof createHostController>;
}

/** A fake workflow that does what the real one does to the host: read, talk to the broker, apply. */
function fakeWorkflows(calls: string[], cancels: string[]): Workflows {
  let n = 0;
  return {
    startJob(params, deps, onState) {
      const jobId = `job-${++n}`;
      let cancelled = false;
      const base: JobState = { jobId, kind: params.kind, params, docId: -1, docTitle: "", phase: "capturing", startedAt: n, variations: [] };
      onState(base); // synchronously, before startJob returns (as the real one may)
      const done = (async (): Promise<JobState> => {
        const doc = (await deps.host.activeDocument())!;
        await deps.host.composite(doc.id);
        await deps.host.selection(doc.id);
        onState({ ...base, docId: doc.id, docTitle: doc.title, phase: "uploading" });
        await deps.broker.upload(new Uint8Array([0]), "image/png");
        await deps.broker.submit("fill" as never, {} as never);
        await deps.broker.status("remote-1");
        await deps.broker.download("u");
        if (cancelled) return { ...base, phase: "cancelled" };
        const plan: LayerPlan = {
          name: "Infill: Fill",
          expectDocumentSize: { width: doc.width, height: doc.height },
          ops: [
            {
              op: "createPixelLayer",
              ref: "v1",
              name: "Variation 1",
              pixels: { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) },
              left: 0,
              top: 0,
              visible: true,
            },
          ],
        };
        const { created } = await deps.host.apply(doc.id, plan);
        return { ...base, docId: doc.id, docTitle: doc.title, phase: "done", variations: [{ index: 0, seed: 1, layerId: created.v1, visible: true }] };
      })();
      calls.push(`startJob ${params.kind}`);
      return {
        jobId,
        done,
        cancel: () => {
          cancelled = true;
          cancels.push(jobId);
        },
        detach: () => undefined,
      };
    },
    async selectVariation(job, index) {
      calls.push(`select ${job.jobId} ${index}`);
      return { ...job, variations: job.variations.map((v, i) => ({ ...v, visible: i === index })) };
    },
    async keepOnly(job, index) {
      calls.push(`keep ${job.jobId} ${index}`);
      return { ...job, variations: [job.variations[index]] };
    },
    async reapplyKept(jobId, _deps, onState) {
      calls.push(`reapply ${jobId}`);
      const s = {
        jobId,
        kind: "fill",
        params: { kind: "fill", numVariations: 1 },
        docId: 1,
        docTitle: "",
        phase: "done",
        startedAt: 0,
        variations: [],
      } as JobState;
      onState(s);
      return s;
    },
    async dismissKept(jobId) {
      calls.push(`dismiss ${jobId}`);
    },
  };
}

async function rig(opts: { key?: string; withBroker?: boolean } = {}): Promise<Rig> {
  const [hostSide, panel] = createPortPair();
  const events: ProtocolEvent[] = [];
  panel.onMessage((m) => events.push(m as ProtocolEvent));
  const logs: string[] = [];
  const broker = recordingBroker();
  const secrets = new MemorySecretStore();
  const settings = createSettingsService({
    secrets,
    prefs: new MemoryPrefsStore(),
    defaultBrokerUrl: "http://localhost:8765",
    makeClient: () => broker,
    fetch: (async () => {
      throw new Error("no network in this test");
    }) as never,
  });
  if (opts.key) await settings.update({ brokerKey: opts.key });
  const store = new MemoryResultStore();
  const workflowCalls: string[] = [];
  const cancels: string[] = [];
  const controller = createHostController({
    port: hostSide,
    host: createPhotoshopHost({ sleep: async () => undefined }),
    store,
    settings,
    ...(opts.withBroker ? { broker } : {}),
    selectionBounds: selectionBoundsOf,
    theme: { current: () => "darkest" },
    info: { pluginVersion: "0.1.0", hostApp: "photoshop", hostVersion: "26.0.0" },
    workflows: fakeWorkflows(workflowCalls, cancels),
    pollMs: 0,
    log: (l) => logs.push(l),
  });
  controller.start();
  return {
    events,
    panel,
    logs,
    broker,
    settings,
    store,
    workflowCalls,
    cancels,
    controller,
    async send(body) {
      // Through the controller's own entry point, which resolves once the command is handled; then
      // the events it posted are delivered.
      await controller.receive(JSON.parse(JSON.stringify(makeCommand(body))));
      await turn();
    },
  };
}

const types = (events: ProtocolEvent[]) => events.map((e) => e.type);
const lastJob = (events: ProtocolEvent[]): JobState | undefined =>
  events
    .filter((e) => e.type === "job.state")
    .map((e) => (e.type === "job.state" ? e.job : undefined))
    .pop();

beforeEach(() => fake.reset());

describe("host controller", () => {
  test("hello: version, theme, settings (no key), document + selection state, documents, jobs", async () => {
    const sel = new Uint8Array(16 * 8);
    sel[3 * 16 + 5] = 255;
    const doc = fake.addDocument({ width: 16, height: 8, title: "photo.psd", selection: sel });
    const r = await rig({ key: "secret-key-1" });
    await r.send({ type: "hello", id: "h1" });
    expect(types(r.events)).toEqual(["hello", "theme", "settings", "document.state", "documents", "jobs"]);
    expect(r.events[0]).toMatchObject({ replyTo: "h1", pluginVersion: "0.1.0", hostApp: "photoshop", version: PROTOCOL_VERSION });
    expect(r.events[1]).toMatchObject({ theme: "darkest", scheme: "dark" });
    expect(r.events[2]).toMatchObject({ settings: { brokerUrl: "http://localhost:8765", hasKey: true } });
    expect(r.events[3]).toMatchObject({
      active: { id: doc.id, title: "photo.psd", width: 16, height: 8, mode: "rgb", bitDepth: 8, supported: true },
      selection: { bounds: { left: 5, top: 3, right: 6, bottom: 4 } },
    });
    // Reading the selection state took no pixels and no modal scope.
    expect(fake.calls.some((c) => c.op === "executeAsModal" || c.op === "getSelection")).toBe(false);
    expect(JSON.stringify(r.events)).not.toContain("secret-key-1");
  });

  test("state is pushed when Photoshop reports a change, and only when it changed", async () => {
    const doc = fake.addDocument({ width: 8, height: 8, selection: null });
    const r = await rig();
    await r.send({ type: "hello" });
    r.events.length = 0;
    fake.notify("set", { _target: [{ _property: "selection" }] });
    await r.controller.refreshState(); // settles whatever the notification started
    await turn();
    expect(r.events).toEqual([]); // nothing changed
    doc.selectionMask = new Uint8Array(64).fill(255);
    fake.notify("set", { _target: [{ _property: "selection" }] });
    await waitFor(() => r.events.length > 0, "the state after the change");
    await r.controller.refreshState();
    await turn();
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ type: "document.state", selection: { bounds: { left: 0, top: 0, right: 8, bottom: 8 } } });
    const other = fake.addDocument({ width: 4, height: 4, mode: "CMYKColorMode" });
    fake.notify("open", {});
    await waitFor(() => r.events.some((e) => e.type === "documents"), "the documents list after the open");
    const state = r.events.find((e) => e.type === "document.state" && e.active?.id === other.id);
    expect(state).toMatchObject({ active: { supported: false, unsupportedReason: expect.stringMatching(/RGB/) }, selection: null });
    expect(r.events.filter((e) => e.type === "documents")).toHaveLength(1);
  });

  test("polling is the fallback: a refresh picks up changes no event announced", async () => {
    const doc = fake.addDocument({ width: 8, height: 8, selection: null });
    const r = await rig();
    await r.send({ type: "hello" });
    r.events.length = 0;
    doc.selectionMask = new Uint8Array(64).fill(255);
    await r.controller.refreshState();
    await turn();
    expect(types(r.events)).toEqual(["document.state"]);
  });

  test("polling starts after hello with the injected timer, re-reads the documents list every 5th tick, stops on dispose", async () => {
    fake.addDocument({ width: 8, height: 8, title: "one" });
    const [hostSide, panel] = createPortPair();
    const events: ProtocolEvent[] = [];
    panel.onMessage((m) => events.push(m as ProtocolEvent));
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const cleared: unknown[] = [];
    const controller = createHostController({
      port: hostSide,
      host: createPhotoshopHost(),
      store: new MemoryResultStore(),
      settings: createSettingsService({ secrets: new MemorySecretStore(), prefs: new MemoryPrefsStore() }),
      selectionBounds: selectionBoundsOf,
      info: { pluginVersion: "t", hostApp: "photoshop", hostVersion: "26.0.0" },
      pollMs: 750,
      setInterval: (fn, ms) => (timers.push({ fn, ms }), timers.length),
      clearInterval: (h) => cleared.push(h),
    });
    controller.start();
    expect(timers).toEqual([]); // nothing before the panel says hello
    panel.post(makeCommand({ type: "hello" }));
    await waitFor(() => timers.length > 0, "polling to start");
    expect(timers.map((t) => t.ms)).toEqual([750]);
    fake.addDocument({ width: 4, height: 4, title: "two" }); // opened without a notification
    events.length = 0;
    timers[0].fn();
    await waitFor(() => events.length > 0, "the state after a tick");
    await turn();
    expect(types(events)).toEqual(["document.state"]); // the active document changed; the list waits
    for (let i = 0; i < 4; i++) timers[0].fn();
    await waitFor(() => events.some((e) => e.type === "documents"), "the documents list");
    expect(types(events)).toEqual(["document.state", "documents"]);
    controller.dispose();
    expect(cleared).toEqual([1]);
  });

  test("job.run: accepted first, progress states, broker calls never inside a modal scope, preferences remembered", async () => {
    fake.addDocument({ width: 8, height: 8, selection: new Uint8Array(64).fill(255) });
    const r = await rig({ key: "k" });
    await r.send({ type: "hello" });
    r.events.length = 0;
    await r.send({ type: "job.run", id: "run1", params: { kind: "fill", numVariations: 2, prompt: "a red boat" } });
    await waitFor(() => lastJob(r.events)?.phase === "done", "the job to finish");
    await waitFor(() => r.events.some((e) => e.type === "settings" && e.settings.prefs?.lastPrompt === "a red boat"), "the preferences to be saved");
    const jobEvents = r.events.filter((e) => e.type === "job.accepted" || e.type === "job.state");
    expect(jobEvents[0]).toMatchObject({ type: "job.accepted", jobId: "job-1", replyTo: "run1" });
    const phases = jobEvents.slice(1).map((e) => (e.type === "job.state" ? e.job.phase : ""));
    expect(phases).toEqual(["capturing", "uploading", "done"]);
    expect(r.broker.calls).toEqual(["upload", "submit", "status", "download"]);
    expect(r.broker.modalViolations).toEqual([]);
    // The document was read and written in modal scopes, separately from the network.
    expect(fake.calls.filter((c) => c.op === "executeAsModal").map((c) => c.args.commandName)).toEqual([
      "Infill: reading pixels",
      "Infill: reading the selection",
      "Infill: Fill",
    ]);
    const settings = r.events.filter((e) => e.type === "settings").pop();
    expect(settings).toMatchObject({ settings: { prefs: { lastPrompt: "a red boat", numVariations: 2, history: [{ kind: "fill", prompt: "a red boat" }] } } });
  });

  test("job.run without a broker key: a settings error, no job started", async () => {
    fake.addDocument({ width: 8, height: 8 });
    const r = await rig();
    await r.send({ type: "job.run", id: "x", params: { kind: "fill", numVariations: 1 } });
    expect(r.workflowCalls).toEqual([]);
    expect(r.events).toEqual([expect.objectContaining({ type: "error", category: "settings", code: "no_key", replyTo: "x" })]);
  });

  test("cancel reaches the running job; unknown jobs are answered with an error", async () => {
    fake.addDocument({ width: 8, height: 8 });
    const r = await rig({ withBroker: true });
    r.panel.post(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1 } }));
    r.panel.post(makeCommand({ type: "job.cancel", jobId: "job-1" }));
    await waitFor(() => lastJob(r.events)?.phase === "cancelled", "the job to end cancelled");
    expect(r.cancels).toEqual(["job-1"]);
    const last = r.events.filter((e) => e.type === "job.state").pop();
    expect(last).toMatchObject({ job: { phase: "cancelled" } });
    await r.send({ type: "job.cancel", jobId: "nope", id: "c2" });
    expect(r.events.pop()).toMatchObject({ type: "error", code: "unknown_job", replyTo: "c2" });
  });

  test("malformed, unknown and version-mismatched messages get error events; the controller keeps working", async () => {
    fake.addDocument({ width: 8, height: 8 });
    const r = await rig();
    r.panel.post("{not json");
    r.panel.post({ protocol: "infill", version: 7, type: "hello", id: "old" });
    r.panel.post({ protocol: "infill", version: PROTOCOL_VERSION, type: "format.disk", id: "u" });
    r.panel.post({ protocol: "someone-else", type: "x" }); // not ours: ignored silently
    await waitFor(() => r.events.length >= 3, "three error events");
    await turn();
    expect(r.events.map((e) => (e.type === "error" ? e.code : e.type))).toEqual(["malformed", "version_mismatch", "unknown_type"]);
    expect(r.events[1]).toMatchObject({ replyTo: "old", category: "protocol" });
    await r.send({ type: "settings.get", id: "s" });
    expect(r.events.pop()).toMatchObject({ type: "settings", replyTo: "s" });
  });

  test("the broker key is stored, never echoed to the panel, never logged", async () => {
    const r = await rig();
    const key = "brk_9f8e7d6c5b4a-ÄÖ-🔑";
    await r.send({ type: "settings.set", id: "k", settings: { brokerKey: key, brokerUrl: "http://127.0.0.1:8765/" } });
    expect(r.events.pop()).toMatchObject({ type: "settings", replyTo: "k", settings: { hasKey: true, brokerUrl: "http://127.0.0.1:8765" } });
    await r.send({ type: "settings.set", settings: { brokerUrl: "ftp://x" } });
    await r.send({ type: "connection.test" });
    await r.send({ type: "settings.get" });
    const wire = JSON.stringify(r.events);
    expect(wire).not.toContain(key);
    expect(wire).not.toContain("brk_9f8e");
    expect(r.logs.join("\n")).not.toContain("brk_9f8e");
    expect(r.logs.length).toBeGreaterThan(0);
    expect(r.events.find((e) => e.type === "error")).toMatchObject({ category: "settings", code: "bad_url" });
    await r.send({ type: "settings.set", settings: { clearKey: true } });
    expect(r.events.pop()).toMatchObject({ settings: { hasKey: false } });
  });

  test("variation and kept commands run the workflows and report the new state", async () => {
    fake.addDocument({ width: 8, height: 8 });
    const r = await rig({ withBroker: true });
    await r.send({ type: "job.run", params: { kind: "fill", numVariations: 1 } });
    await waitFor(() => lastJob(r.events)?.phase === "done", "the job to finish");
    await r.send({ type: "variation.select", jobId: "job-1", index: 0, id: "v" });
    expect(r.events.pop()).toMatchObject({ type: "job.state", replyTo: "v", job: { jobId: "job-1" } });
    await r.send({ type: "variation.keep", jobId: "job-1", index: 0 });
    await r.send({ type: "variation.select", jobId: "missing", index: 0, id: "m" });
    expect(r.events.pop()).toMatchObject({ type: "error", code: "unknown_job", replyTo: "m" });
    await r.send({ type: "kept.reapply", jobId: "job-9" });
    await r.send({ type: "kept.dismiss", jobId: "job-9", id: "d" });
    expect(r.events.pop()).toMatchObject({ type: "job.removed", jobId: "job-9", replyTo: "d" });
    expect(r.workflowCalls).toEqual(["startJob fill", "select job-1 0", "keep job-1 0", "reapply job-9", "dismiss job-9"]);
  });

  test("More like this shows the variation, then runs a similar job from it; an unplaced one is refused", async () => {
    fake.addDocument({ width: 8, height: 8 });
    const r = await rig({ withBroker: true });
    await r.send({ type: "job.run", params: { kind: "generate", prompt: "a fox", numVariations: 1, modelVersion: "image4_ultra" } });
    await waitFor(() => lastJob(r.events)?.phase === "done", "the job to finish");
    await r.send({ type: "variation.similar", jobId: "job-1", index: 0, numVariations: 3, id: "m" });
    expect(r.events.find((e) => e.type === "job.accepted" && e.replyTo === "m")).toMatchObject({ jobId: "job-2" });
    await waitFor(() => lastJob(r.events)?.jobId === "job-2" && lastJob(r.events)?.phase === "done", "the similar job to finish");
    expect(lastJob(r.events)?.params).toEqual({ kind: "similar", source: "document", numVariations: 3, modelVersion: "image4_ultra" });
    expect(r.workflowCalls).toEqual(["startJob generate", "select job-1 0", "startJob similar"]);
    await r.send({ type: "variation.similar", jobId: "job-2", index: 3, numVariations: 1, id: "x" });
    expect(r.events.pop()).toMatchObject({ type: "error", code: "variation_not_placed", replyTo: "x" });
    await r.send({ type: "variation.similar", jobId: "missing", index: 0, numVariations: 1, id: "u" });
    expect(r.events.pop()).toMatchObject({ type: "error", code: "unknown_job", replyTo: "u" });
    expect(r.workflowCalls).toHaveLength(3);
  });

  test("layers and documents lists for references", async () => {
    const a = fake.addDocument({ width: 8, height: 8, title: "a" });
    fake.addDocument({ width: 4, height: 4, title: "b" });
    const r = await rig();
    await r.send({ type: "documents.list", id: "d" });
    expect(r.events.pop()).toMatchObject({
      type: "documents",
      replyTo: "d",
      documents: [
        { title: "a", active: false },
        { title: "b", active: true },
      ],
    });
    await r.send({ type: "layers.list", docId: a.id, id: "l" });
    expect(r.events.pop()).toMatchObject({ type: "layers", docId: a.id, layers: [{ name: "Background", kind: "pixel" }] });
    await r.send({ type: "layers.list", docId: 424242, id: "l2" });
    expect(r.events.pop()).toMatchObject({ type: "error", category: "document", code: "document_closed", replyTo: "l2" });
  });
});
