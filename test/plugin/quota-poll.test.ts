// The host's reads of the broker's quota: when it reads, what it passes on, and a broker that
// does not share it, and the controller's reads. Poll ticks are called by hand; the clock is a number.

import { fake } from "../fakes/photoshop";
import type { JobState } from "../../src/common/jobs";
import { createPortPair, makeCommand, type QuotaView } from "../../src/common/protocol";
import { createHostController, type Workflows } from "../../src/plugin/controller";
import { createPhotoshopHost, selectionBoundsOf } from "../../src/plugin/photoshop/host";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings";
import { MemoryResultStore } from "../../src/plugin/store";
import type { BrokerClient } from "../../src/plugin/broker-client";
import type { QuotaAnswer } from "../../src/plugin/broker-client/quota";
import { QuotaPoll, quotaView } from "../../src/plugin/controller/quota-poll";

const T = 1_700_000_000_000;

const answer = (depth: number): QuotaAnswer => ({
  now: T + 500, // the broker's clock runs half a second ahead of the host's
  day: { used: 120, limit: 9000 },
  minute: { used: 4, limit: 4 },
  pausedUntil: T + 30_500,
  queue: { depth },
  waits: Array.from({ length: depth + 1 }, (_, i) => 30_000 + i * 15_000),
});

function rig(read?: () => Promise<QuotaAnswer>) {
  const sent: QuotaView[] = [];
  const logs: string[] = [];
  let reads = 0;
  let depth = 3;
  const broker = { quota: read ?? (async () => (reads++, answer(depth))) } as unknown as BrokerClient;
  const poll = new QuotaPoll({ broker, now: () => T, send: (q) => sent.push(q), log: (l) => logs.push(l) });
  return { poll, sent, logs, reads: () => reads, setDepth: (d: number) => (depth = d) };
}

const job = (phase: JobState["phase"]): JobState => ({
  jobId: phase,
  kind: "fill",
  params: {} as never,
  docId: 1,
  docTitle: "d",
  phase,
  startedAt: 0,
  variations: [],
});

test("the answer is passed on in the host's clock: the pause moved by the clocks' difference, waits as given", () => {
  expect(quotaView(answer(2), T)).toEqual({
    receivedAt: T,
    day: { used: 120, limit: 9000 },
    minute: { used: 4, limit: 4 },
    pausedUntil: T + 30_000,
    depth: 2,
    waits: [30_000, 45_000, 60_000],
  });
  expect(quotaView({ ...answer(0), pausedUntil: null }, T).pausedUntil).toBeNull();
});

test("read every fifth tick while a job is queued, never while none is", async () => {
  const r = rig();
  for (let i = 0; i < 12; i++) r.poll.tick([job("running"), job("done")]);
  await Promise.resolve();
  expect(r.reads()).toBe(0);
  for (let i = 0; i < 10; i++) {
    if (i === 7) r.setDepth(1); // the queue moves between reads
    r.poll.tick([job("queued")]);
    await new Promise((res) => setImmediate(res));
  }
  expect(r.reads()).toBe(2);
  expect(r.sent.map((q) => q.depth)).toEqual([3, 1]);
});

test("a broker that does not answer is logged, not passed on; a client without the call is not asked", async () => {
  const r = rig(async () => {
    throw new Error("404");
  });
  await r.poll.refresh();
  expect(r.sent).toEqual([]);
  expect(r.logs).toEqual(["quota not read: Error"]);
  const none = new QuotaPoll({ broker: {} as BrokerClient, now: () => T, send: () => fail("sent"), log: () => fail("logged") });
  await none.refresh();
});

describe("in the controller", () => {
  /** A controller whose poll ticks the test calls, on a broker whose queue the test moves. */
  /** A job that waits in the queue until the test ends. */
  const queuedForever: Workflows["startJob"] = (params, _deps, onState) => {
    onState({ jobId: "j1", kind: params.kind, params, docId: 1, docTitle: "d", phase: "queued", queuePosition: 2, startedAt: 0, variations: [] });
    return { jobId: "j1", done: new Promise<JobState>(() => undefined), cancel: () => undefined, detach: () => undefined };
  };

  function controllerRig() {
    fake.reset();
    const [hostSide, panel] = createPortPair();
    const quotas: QuotaView[] = [];
    panel.onMessage((m) => {
      const e = m as { type: string; quota?: QuotaView };
      if (e.type === "quota") quotas.push(e.quota!);
    });
    let depth = 2;
    let reads = 0;
    const broker = { quota: async () => (reads++, answer(depth)) } as unknown as BrokerClient;
    const settings = createSettingsService({
      secrets: new MemorySecretStore(),
      prefs: new MemoryPrefsStore(),
      defaultBrokerUrl: "http://localhost:8765",
      makeClient: () => broker,
      fetch: (async () => {
        throw new Error("no network in this test");
      }) as never,
    });
    let tick: () => void = () => undefined;
    const controller = createHostController({
      port: hostSide,
      host: createPhotoshopHost({ sleep: async () => undefined }),
      store: new MemoryResultStore(),
      settings,
      broker,
      selectionBounds: selectionBoundsOf,
      info: { pluginVersion: "0.1.0", hostApp: "photoshop", hostVersion: "26.0.0" },
      workflows: { startJob: queuedForever } as unknown as Workflows,
      pollMs: 1000,
      setInterval: (fn) => ((tick = fn), 1),
      clearInterval: () => undefined,
      now: () => T,
    });
    controller.start();
    const settle = () => new Promise((r) => setImmediate(r));
    const send = async (body: Parameters<typeof makeCommand>[0]) => {
      await controller.receive(JSON.parse(JSON.stringify(makeCommand(body))));
      await settle();
    };
    return { quotas, send, settle, tick: () => tick(), reads: () => reads, setDepth: (d: number) => (depth = d), controller };
  }

  test("hello and an accepted run read the quota; poll ticks read it again while the job is queued", async () => {
    const r = controllerRig();
    await r.send({ type: "hello" });
    await r.settle();
    expect(r.reads()).toBe(1);
    expect(r.quotas.map((q) => q.depth)).toEqual([2]);
    await r.send({ type: "job.run", params: { kind: "generate", prompt: "a boat", numVariations: 1 } });
    await r.settle();
    expect(r.reads()).toBe(2);
    r.setDepth(1);
    for (let i = 0; i < 5; i++) {
      r.tick();
      await r.settle();
    }
    expect(r.reads()).toBe(3);
    // The unchanged read after the run was not sent twice; the moved queue was.
    expect(r.quotas.map((q) => q.depth)).toEqual([2, 1]);
    r.controller.dispose();
  });
});
