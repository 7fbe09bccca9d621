// What the preview engine keeps of each upload: the bytes in memory, handed to the local engine
// only when a preview first names them (an upload no preview asks for costs the engine nothing,
// not even its start), each image once however often it is named, and within a byte budget,
// the oldest forgotten first.

import { Readable } from "stream";
import type { Logger } from "../../src/broker/log";
import type { Provider } from "../../src/broker/providers/provider";
import { PreviewEngine } from "../../src/broker/routes/preview-engine";
import { tmpDir } from "./helpers";

/** A local engine whose jobs succeed at once; records what it was given and whether it was started. */
function recordingEngine() {
  const uploads: string[] = [];
  let started = 0;
  const provider: Provider = {
    kind: "local",
    upload: async (body) => {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      uploads.push(Buffer.concat(chunks).toString());
      return { uploadId: `local-${uploads.length}` };
    },
    submit: async () => ({ jobId: "job" }),
    status: async (jobId) => ({ jobId, status: "succeeded", result: { outputs: [{ seed: 1, image: { url: "out" } }] } }),
    cancel: async () => undefined,
    openOutput: async () => ({ stream: Readable.from([Buffer.from("png")]), contentType: "image/png" }),
    customModels: async () => ({}),
    health: () => ({ reachable: true }),
    close: async () => undefined,
  };
  return {
    uploads,
    started: () => started,
    factory: () => {
      started++;
      return provider;
    },
  };
}

const log = { log: () => undefined } as unknown as Logger;
const body = (image: string, mask: string) => ({ image: { source: { uploadId: image } }, mask: { source: { uploadId: mask } } });
const never = new AbortController().signal;

test("uploads are handed to the engine only when a preview names them, each once", async () => {
  const e = recordingEngine();
  const p = new PreviewEngine({ factory: e.factory, dataDir: tmpDir("infill-preview-"), log, pollMs: 1 });
  for (const id of ["a", "b", "c"]) p.keepUpload(`ff-${id}`, Buffer.from(`bytes-${id}`), "image/png", "alice");
  expect(e.started()).toBe(0);
  expect(e.uploads).toEqual([]);

  await p.run("fill", body("ff-b", "ff-a"), "alice", never);
  expect(e.started()).toBe(1);
  expect(e.uploads).toEqual(["bytes-b", "bytes-a"]);
  // Named again, alone or twice at once: not handed over again.
  await Promise.all([p.run("fill", body("ff-a", "ff-b"), "alice", never), p.run("expand", body("ff-b", "ff-b"), "bob", never)]);
  expect(e.uploads).toEqual(["bytes-b", "bytes-a"]);
  await p.close();
});

test("the bytes not yet named are kept within a budget, the oldest forgotten first", async () => {
  const e = recordingEngine();
  const p = new PreviewEngine({ factory: e.factory, dataDir: tmpDir("infill-preview-"), log, pollMs: 1, maxKeptBytes: 20 });
  p.keepUpload("ff-a", Buffer.alloc(8, "a"), "image/png", "alice");
  p.keepUpload("ff-b", Buffer.alloc(8, "b"), "image/png", "alice");
  // Handed to the engine: no longer counted against the budget.
  await p.run("fill", body("ff-b", "ff-b"), "alice", never);
  p.keepUpload("ff-c", Buffer.alloc(8, "c"), "image/png", "alice");
  // 8 (a) + 8 (c) + 8 (d) is over 20: a, the oldest, is forgotten.
  p.keepUpload("ff-d", Buffer.alloc(8, "d"), "image/png", "alice");
  await expect(p.run("fill", body("ff-a", "ff-c"), "alice", never)).rejects.toMatchObject({ status: 409, body: { error_code: "preview_unavailable" } });
  await p.run("fill", body("ff-c", "ff-d"), "alice", never);
  await p.run("fill", body("ff-b", "ff-b"), "alice", never);
  expect(e.uploads).toEqual(["b".repeat(8), "c".repeat(8), "d".repeat(8)]);
  await p.close();
});
