// Local mode across a graceful restart, with real processes on one data folder: a finished job's
// status and its output link still work, a job running at SIGTERM runs again and finishes, upload
// ids are still known. And a read-only data folder stops the start with one line, no stack trace.

import sharp from "sharp";
import { KEY_A, call, tmpDir, until } from "../broker/helpers";
import { startBrokerProcess, uploadPng, type BrokerProcess } from "./broker-process";
import { grass, rectMask } from "./helpers";

jest.setTimeout(240000);

const running: BrokerProcess[] = [];
afterAll(async () => {
  for (const b of running) await b.stop();
});

async function start(dir: string): Promise<BrokerProcess> {
  const b = await startBrokerProcess({}, dir);
  running.push(b);
  expect(b.url).not.toBe("");
  return b;
}

async function pngOf(w: number, h: number, hole: [number, number, number, number]): Promise<[Buffer, Buffer]> {
  const src = grass(w, h, 7);
  const mask = rectMask(w, h, ...hole);
  return [
    await sharp(Buffer.from(src.data), { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toBuffer(),
    await sharp(Buffer.from(mask.data), { raw: { width: w, height: h, channels: 1 } })
      .png()
      .toBuffer(),
  ];
}

const status = async (b: BrokerProcess, id: string) => (await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A })).json;
const finished = (b: BrokerProcess, id: string) =>
  until(
    async () => {
      const s = await status(b, id);
      return ["succeeded", "failed", "cancelled"].includes(s.status) ? s : undefined;
    },
    `job ${id}`,
    2400,
    50,
  );
const fill = async (b: BrokerProcess, image: string, mask: string, seeds: number[]) => {
  const r = await call(b.url, "POST", "/v3/images/fill-async", {
    key: KEY_A,
    body: { image: { source: { uploadId: image } }, mask: { source: { uploadId: mask } }, seeds },
  });
  expect(r.status).toBe(202);
  return r.json.jobId as string;
};
const path = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

test("after SIGTERM and a new start: finished jobs and their links work, the running job runs again, uploads are known", async () => {
  const dir = tmpDir("infill-local-restart-");
  const first = await start(dir);
  const [smallPng, smallMask] = await pngOf(32, 32, [8, 8, 24, 24]);
  const s = await uploadPng(first.url, smallPng);
  const m = await uploadPng(first.url, smallMask);
  const done = await fill(first, s, m, [3]);
  const doneStatus = await finished(first, done);
  expect(doneStatus.status).toBe("succeeded");
  const link = path(doneStatus.result.outputs[0].image.url);
  const before = await call(first.url, "GET", link);
  expect(before.status).toBe(200);

  // A job long enough to be running when the broker is stopped: four variations on two workers
  // (one of them not started yet), each a few hundred milliseconds of engine work, stopped as soon
  // as the first has started.
  const [bigPng, bigMask] = await pngOf(192, 144, [56, 40, 146, 110]);
  const bs = await uploadPng(first.url, bigPng);
  const bm = await uploadPng(first.url, bigMask);
  const interrupted = await fill(first, bs, bm, [1, 2, 3, 4]);
  await until(async () => (await status(first, interrupted)).status === "running", "the big job running", 1200, 20);
  expect(await first.stop()).toBe(0);
  expect(first.output()).not.toMatch(/\n\s+at /);

  const second = await start(dir);
  // It found the interrupted job on disk and started it again.
  expect(second.output()).toMatch(/"event":"local_engine_started".*"resumed":1/);
  // The finished job: same status, the same link still downloads the same bytes.
  expect(await status(second, done)).toMatchObject({ status: "succeeded" });
  const after = await call(second.url, "GET", link);
  expect(after.status).toBe(200);
  expect(Buffer.compare(after.body, before.body)).toBe(0);
  // The interrupted job runs again from its inputs and finishes.
  const again = await finished(second, interrupted);
  expect(again.status).toBe("succeeded");
  expect(again.result.outputs).toHaveLength(4);
  const out = await call(second.url, "GET", path(again.result.outputs[3].image.url));
  expect(out.status).toBe(200);
  const meta = await sharp(out.body).metadata();
  expect([meta.width, meta.height]).toEqual([192, 144]);
  // Upload ids from before the restart are still known.
  const reuse = await fill(second, s, m, [9]);
  expect((await finished(second, reuse)).status).toBe("succeeded");
  expect(await second.stop()).toBe(0);
});

test("a read-only data folder stops the start with one line, no stack trace", async () => {
  const b = await startBrokerProcess({}, tmpDir("infill-local-ro-"), true);
  running.push(b);
  const code = await b.stop();
  expect(b.url).toBe("");
  expect(code).toBe(1);
  const text = b.output().trim();
  expect(text.split("\n")).toHaveLength(1);
  expect(text).toMatch(/^infill-broker: could not start \(.*(EROFS|read-only)/i);
  expect(text).not.toMatch(/\n\s+at /);
});
