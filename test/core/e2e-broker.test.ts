// The workflows end to end against the real broker on loopback, with the simulated Photoshop: once
// with the fake Firefly upstream (Firefly mode), once with the broker's local engine (local mode).

import { encodeRGBAPng } from "../../src/common/imaging";
import { SimHost } from "../../src/playground/sim";
import { createBrokerClient } from "../../src/plugin/broker-client";
import { MemoryResultStore } from "../../src/plugin/store";
import { startJob, type WorkflowDeps } from "../../src/plugin/workflows";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { KEY_A, registerSecret, startTestBroker, type TestBroker } from "../broker/helpers";
import { firstDifference, px } from "../support/pixels";
import { coordImage } from "./helpers/images";

let ff: FakeFirefly;
let firefly: TestBroker;
let local: TestBroker | undefined;

beforeAll(async () => {
  // Every output is this 4×4 flat PNG; the workflows scale whatever size comes back. (It bears no
  // relation to the source, so exact-colour checks run without tone matching.)
  const out = encodeRGBAPng({ width: 4, height: 4, data: new Uint8Array(64).map((_, i) => [12, 200, 99, 255][i % 4]) });
  ff = await startFakeFirefly({ pollsToFinish: 2, outputImage: Buffer.from(out) });
  // Every status poll goes upstream: a fake job ends after its two polls, not after seconds.
  firefly = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000" }, { statusIntervalMs: 0 });
});

afterAll(async () => {
  ff.tokens.forEach(registerSecret);
  await firefly.close();
  await local?.close();
  await ff.close();
});

function deps(host: SimHost, url: string): WorkflowDeps {
  return { host, broker: createBrokerClient({ baseUrl: url, key: KEY_A }), store: new MemoryResultStore(), pollIntervalMs: 50 };
}

test("fill through the broker and fake Firefly: uploads, submit, polls, signed output download, placement", async () => {
  const host = new SimHost();
  const id = host.createDocument({ width: 1200, height: 900, pixels: coordImage(1200, 900) });
  host.setSelection(id, { left: 500, top: 400, right: 600, bottom: 470 });
  const phases: string[] = [];
  const job = startJob(
    { kind: "fill", prompt: "a window", numVariations: 2, seeds: [1, 2], blend: { bandPx: 4, toneMatch: false } },
    deps(host, firefly.url),
    (s) => phases.push(s.phase),
  );
  const final = await job.done;
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");
  expect(phases).toContain("running");
  const submit = ff.calls.find((c) => c.route === "submit")!;
  expect(submit.endpoint).toBe("fill");
  expect((submit.body as { size: object }).size).toEqual({ width: 1152, height: 896 });
  expect(ff.calls.filter((c) => c.route === "upload").length).toBe(2);
  const after = await host.composite(id);
  expect(px(after, 550, 435)).toEqual([12, 200, 99, 255]);
  expect(px(after, 499, 435)).toEqual([499 % 251, 435 % 241, (499 * 7 + 435 * 13) & 255, 255]);
  expect(final.variations.map((v) => v.seed)).toEqual([1, 2]);
});

test("expand and generate through the broker", async () => {
  const host = new SimHost();
  const id = host.createDocument({ width: 300, height: 200, fill: [0, 0, 0] });
  const e = await startJob(
    { kind: "expand", target: { kind: "sides", left: 0, top: 0, right: 100, bottom: 0 }, numVariations: 1, blend: { bandPx: 8, toneMatch: false } },
    deps(host, firefly.url),
    () => undefined,
  ).done;
  expect(e.error).toBeUndefined();
  expect((await host.activeDocument())!.width).toBe(400);
  expect(px(await host.composite(id), 390, 100)).toEqual([12, 200, 99, 255]);
  const g = await startJob({ kind: "generate", prompt: "a fox", modelVersion: "image4_standard", numVariations: 1 }, deps(host, firefly.url), () => undefined)
    .done;
  expect(g.error).toBeUndefined();
  expect(ff.calls.filter((c) => c.route === "submit").map((c) => c.modelVersion)).toContain("image4_standard");
});

// With the instant preview on, the preview layer stays after such a failure (workflow-preview.test.ts).
test("a content-policy failure upstream reaches the artist as that category; without a preview the document is unchanged", async () => {
  const host = new SimHost();
  const id = host.createDocument({ width: 1100, height: 900 });
  host.setSelection(id, { left: 10, top: 10, right: 50, bottom: 50 });
  const state = host.stateOf(id);
  ff.inject({ route: "submit", jobFails: { error_code: "output_media_unsafe" } });
  const final = await startJob({ kind: "fill", numVariations: 1, instantPreview: false }, deps(host, firefly.url), () => undefined).done;
  expect(final.phase).toBe("failed");
  expect(final.error!.category).toBe("content_policy");
  expect(host.stateOf(id)).toBe(state);
});

test("a wrong broker key is an auth error with what to do", async () => {
  const host = new SimHost();
  const id = host.createDocument({ width: 1100, height: 900 });
  host.setSelection(id, { left: 10, top: 10, right: 50, bottom: 50 });
  const d = deps(host, firefly.url);
  d.broker = createBrokerClient({ baseUrl: firefly.url, key: "wrong" });
  const final = await startJob({ kind: "fill", numVariations: 1 }, d, () => undefined).done;
  expect(final.error!.category).toBe("auth");
  expect(final.error!.message).toMatch(/broker key/);
});

test("a broker that is not running is a network error", async () => {
  const host = new SimHost();
  const id = host.createDocument({ width: 1100, height: 900 });
  host.setSelection(id, { left: 10, top: 10, right: 50, bottom: 50 });
  const d = { ...deps(host, "http://127.0.0.1:9"), sleep: async () => undefined };
  const final = await startJob({ kind: "fill", numVariations: 1 }, d, () => undefined).done;
  expect(final.error!.category).toBe("network");
});

test("fill with the broker's local engine (real pixels)", async () => {
  local = await startTestBroker({});
  if (local.providerProblem) {
    console.warn(`local engine unavailable: ${local.providerProblem}`);
    return;
  }
  const host = new SimHost();
  const id = host.createDocument({ width: 1100, height: 900, pixels: coordImage(1100, 900) });
  host.setSelection(id, { left: 500, top: 400, right: 540, bottom: 430 });
  const before = await host.composite(id);
  const final = await startJob({ kind: "fill", numVariations: 1 }, deps(host, local.url), () => undefined).done;
  expect(final.error).toBeUndefined();
  expect(final.phase).toBe("done");
  const after = await host.composite(id);
  // Nothing outside the selection changed: with the selection's pixels put back, the images are equal.
  const outside = after.data.slice();
  for (let y = 400; y < 430; y++) {
    const row = (y * 1100 + 500) * 4;
    outside.set(before.data.subarray(row, row + 40 * 4), row);
  }
  expect(firstDifference(outside, before.data)).toBe("");
});
