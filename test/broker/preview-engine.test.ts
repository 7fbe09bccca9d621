// The preview engine on a scripted local provider: upload ids mapped to the engine's own, one
// variation asked for, at most two previews per key at once, an aborted preview cancelled in the engine.

import { Readable } from "stream";
import type { Logger } from "../../src/broker/log";
import type { Provider, ProviderJobStatus } from "../../src/broker/providers/provider";
import { PreviewEngine } from "../../src/broker/routes/preview-engine";
import { HttpError } from "../../src/broker/http/errors";
import { tmpDir } from "./helpers";

/** A local provider whose jobs stay pending until `finish(jobId)`. */
function scriptedEngine() {
  const submits: { body: any; owner: string }[] = [];
  const cancels: string[] = [];
  const done = new Set<string>();
  let n = 0;
  const provider: Provider = {
    kind: "local",
    upload: async () => ({ uploadId: `local-upload-${++n}` }),
    submit: async (_endpoint, body, _mv, owner) => {
      submits.push({ body, owner });
      return { jobId: `job-${submits.length}` };
    },
    status: async (jobId): Promise<ProviderJobStatus> =>
      done.has(jobId) ? { jobId, status: "succeeded", result: { outputs: [{ seed: 1, image: { url: `out:${jobId}` } }] } } : { jobId, status: "pending" },
    cancel: async (jobId) => void cancels.push(jobId),
    openOutput: async (url) => ({ stream: Readable.from([Buffer.from(url)]), contentType: "image/png" }),
    customModels: async () => ({}),
    health: () => ({ reachable: true }),
    close: async () => undefined,
  };
  return { provider, submits, cancels, finish: (id: string) => done.add(id) };
}

const log = { log: () => undefined } as unknown as Logger;

function engine(e: ReturnType<typeof scriptedEngine>): PreviewEngine {
  return new PreviewEngine({ factory: () => e.provider, dataDir: tmpDir("infill-preview-"), log, pollMs: 1 });
}

const body = (image: string, mask: string) => ({
  image: { source: { uploadId: image } },
  mask: { source: { uploadId: mask } },
  numVariations: 3,
  seeds: [5, 6, 7],
});

async function until(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !fn(); i++) await new Promise((r) => setImmediate(r));
}

test("a preview names the engine's uploads and asks for one variation", async () => {
  const e = scriptedEngine();
  const p = engine(e);
  await p.keepUpload("ff-a", Buffer.from("a"), "image/png", "alice");
  await p.keepUpload("ff-b", Buffer.from("b"), "image/png", "alice");
  const run = p.run("fill", body("ff-a", "ff-b"), "alice", new AbortController().signal);
  await until(() => e.submits.length === 1);
  expect(e.submits[0].body).toEqual({ image: { source: { uploadId: "local-upload-1" } }, mask: { source: { uploadId: "local-upload-2" } }, seeds: [5] });
  e.finish("job-1");
  const out = await run;
  expect(out.bytes.toString()).toBe("out:job-1");
  await expect(p.run("fill", body("ff-a", "ff-unknown"), "alice", new AbortController().signal)).rejects.toMatchObject({
    status: 409,
    body: { error_code: "preview_unavailable" },
  });
});

test("at most two previews per key at once; another key still gets one", async () => {
  const e = scriptedEngine();
  const p = engine(e);
  await p.keepUpload("ff-a", Buffer.from("a"), "image/png", "alice");
  const never = new AbortController().signal;
  const first = p.run("fill", body("ff-a", "ff-a"), "alice", never);
  const second = p.run("fill", body("ff-a", "ff-a"), "alice", never);
  await until(() => e.submits.length === 2);
  const third = await p.run("fill", body("ff-a", "ff-a"), "alice", never).catch((err: HttpError) => err);
  expect(third).toBeInstanceOf(HttpError);
  expect((third as HttpError).status).toBe(429);
  expect((third as HttpError).body.error_code).toBe("preview_busy");
  const bob = p.run("fill", body("ff-a", "ff-a"), "bob", never);
  await until(() => e.submits.length === 3);
  ["job-1", "job-2", "job-3"].forEach(e.finish);
  await Promise.all([first, second, bob]);
  // Finished previews free their places.
  const again = p.run("fill", body("ff-a", "ff-a"), "alice", never);
  await until(() => e.submits.length === 4);
  e.finish("job-4");
  await again;
});

test("a preview whose client left is cancelled in the engine", async () => {
  const e = scriptedEngine();
  const p = engine(e);
  await p.keepUpload("ff-a", Buffer.from("a"), "image/png", "alice");
  const left = new AbortController();
  const run = p.run("fill", body("ff-a", "ff-a"), "alice", left.signal).catch((err: HttpError) => err);
  await until(() => e.submits.length === 1);
  left.abort();
  const err = await run;
  expect(err).toBeInstanceOf(HttpError);
  expect(e.cancels).toEqual(["job-1"]);
});
