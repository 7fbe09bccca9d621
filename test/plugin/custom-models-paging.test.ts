// The custom-models listing is paged by Firefly (limit ≤ 50): the panel reads every page, through
// the real broker, and stops on a listing that misbehaves.

import type { CustomModel, CustomModelsResponse } from "../../src/common/firefly";
import { createBrokerClient } from "../../src/plugin/broker-client";
import { CUSTOM_MODELS_MAX, listAllCustomModels } from "../../src/plugin/broker-client/custom-models";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { KEY_A, registerSecret, startTestBroker, type TestBroker } from "../broker/helpers";

const model = (i: number): CustomModel => ({
  assetId: `urn:aaid:sc:VA6C2:model-${i}`,
  displayName: `Model ${i}`,
  trainingMode: "style",
  publishedState: "published",
});

function listing(count: number, opts: { total?: boolean; ignoreStart?: boolean } = {}) {
  const asked: [number, number][] = [];
  const page = async (start: number, limit: number): Promise<CustomModelsResponse> => {
    asked.push([start, limit]);
    const from = opts.ignoreStart ? 0 : start;
    const custom_models = Array.from({ length: Math.max(0, Math.min(limit, count - from)) }, (_, i) => model(from + i));
    return opts.total === false ? { custom_models } : { custom_models, total_count: count };
  };
  return { page, asked };
}

test("120 models come back from three pages of 50", async () => {
  const l = listing(120);
  const all = await listAllCustomModels(l.page);
  expect(all.custom_models.map((m) => m.assetId)).toEqual(Array.from({ length: 120 }, (_, i) => `urn:aaid:sc:VA6C2:model-${i}`));
  expect(all.total_count).toBe(120);
  expect(l.asked).toEqual([
    [0, 50],
    [50, 50],
    [100, 50],
  ]);
});

test("exactly 100 models with total_count: two pages, no third request", async () => {
  const l = listing(100);
  expect((await listAllCustomModels(l.page)).custom_models).toHaveLength(100);
  expect(l.asked).toHaveLength(2);
});

test("without total_count, a short or empty page ends the listing", async () => {
  const short = listing(70, { total: false });
  expect((await listAllCustomModels(short.page)).custom_models).toHaveLength(70);
  expect(short.asked).toHaveLength(2);
  const even = listing(100, { total: false });
  expect((await listAllCustomModels(even.page)).custom_models).toHaveLength(100);
  expect(even.asked).toEqual([
    [0, 50],
    [50, 50],
    [100, 50],
  ]);
});

test("a listing that never ends stops at the cap; one that ignores start stops too, without duplicates", async () => {
  const endless = listing(1e6, { total: false });
  expect((await listAllCustomModels(endless.page)).custom_models).toHaveLength(CUSTOM_MODELS_MAX);
  const stuck = listing(1e6, { total: false, ignoreStart: true });
  const got = await listAllCustomModels(stuck.page);
  expect(got.custom_models).toHaveLength(50);
  expect(stuck.asked.length).toBe(CUSTOM_MODELS_MAX / 50 + 1);
});

describe("through the broker and the fake Firefly", () => {
  let ff: FakeFirefly;
  let broker: TestBroker;
  beforeAll(async () => {
    ff = await startFakeFirefly({ customModels: Array.from({ length: 73 }, (_, i) => model(i)) });
    broker = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000" });
  });
  afterAll(async () => {
    ff.tokens.forEach(registerSecret);
    await broker.close();
    await ff.close();
  });

  test("the client lists all 73 models; Firefly saw start/limit on each page", async () => {
    const client = createBrokerClient({ baseUrl: broker.url, key: KEY_A });
    const all = await client.customModels();
    expect(all.custom_models).toHaveLength(73);
    expect(new Set(all.custom_models.map((m) => m.assetId)).size).toBe(73);
    const pages = ff.calls.filter((c) => c.route === "custom-models").map((c) => c.query);
    expect(pages).toEqual(["?start=0&limit=50", "?start=50&limit=50"]);
  });
});
