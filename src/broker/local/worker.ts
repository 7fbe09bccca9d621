// Engine worker thread: runs one completion at a time for the pool. Never runs on the broker's
// event loop. The pool sets the shared abort flag to stop a job between iterations.

import { parentPort, workerData } from "worker_threads";
import { decodeMask, decodeRgba, encodePng, probe } from "./codec";
import { expandImage, fillImage, AbortError, EngineInputError, type EngineOptions } from "./engine";
import type { RgbaImage } from "./engine/types";
import { describePixels } from "./limits";
import type { EngineTask, FileInputs, TaskOptions, WorkerReply, WorkerRequest } from "./pool-protocol";

const data = workerData as { abort: SharedArrayBuffer; testHooks: boolean };
const abortFlag = new Int32Array(data.abort);
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

const hoard: unknown[] = [];

/**
 * Decode the task's files (header checked against the pixel limit first), run the engine and
 * encode its output as PNG. The decoded images live only while this task runs.
 */
async function runFiles(files: FileInputs, options: EngineOptions): Promise<{ width: number; height: number; png: Uint8Array }> {
  for (const file of [files.image, files.mask?.file, files.samplingMask?.file]) {
    if (file === undefined) continue;
    const info = await probe(file);
    if (info.width * info.height > files.maxPixels) {
      throw new EngineInputError(`the image is ${info.width}×${info.height}; the local engine decodes at most ${describePixels(files.maxPixels)}`);
    }
  }
  const image = await decodeRgba(files.image, files.maxPixels);
  const mask = files.mask ? await decodeMask(files.mask.file, files.mask.invert, files.maxPixels) : undefined;
  const sampling = files.samplingMask && (await decodeMask(files.samplingMask.file, files.samplingMask.invert, files.maxPixels));
  if (sampling) options = { ...options, samplingMask: sampling };
  if (options.shouldAbort?.()) throw new AbortError();
  let out: RgbaImage;
  if (files.endpoint === "fill") {
    if (!mask) throw new EngineInputError("fill needs a mask");
    out = fillImage(image, mask, options);
  } else {
    if (!files.expand) throw new EngineInputError("expand needs a canvas size");
    out = expandImage(image, { ...files.expand, mask }, options);
  }
  const png = await encodePng(out);
  // A copy the worker owns outright, so it can be transferred to the broker's thread.
  return { width: out.width, height: out.height, png: new Uint8Array(png) };
}

function engineOptions(id: number, o: TaskOptions): EngineOptions {
  return {
    ...o,
    shouldAbort: () => Atomics.load(abortFlag, 0) !== 0,
    onProgress: (fraction: number) => {
      const msg: WorkerReply = { type: "progress", id, fraction };
      port!.postMessage(msg);
    },
  };
}

async function runTask(id: number, task: EngineTask): Promise<void> {
  switch (task.op) {
    case "files": {
      const output = await runFiles(task.files, engineOptions(id, task.options));
      const msg: WorkerReply = { type: "encoded", id, output };
      port!.postMessage(msg, [output.png.buffer as ArrayBuffer]);
      return;
    }
    case "fill": {
      const out = fillImage(task.image, task.mask, engineOptions(id, task.options));
      const msg: WorkerReply = { type: "done", id, image: out };
      port!.postMessage(msg, [out.data.buffer as ArrayBuffer]);
      return;
    }
    case "expand": {
      const out = expandImage(task.image, task.request, engineOptions(id, task.options));
      const msg: WorkerReply = { type: "done", id, image: out };
      port!.postMessage(msg, [out.data.buffer as ArrayBuffer]);
      return;
    }
    case "test": {
      if (!data.testHooks) throw new Error("test tasks are disabled");
      if (task.action === "crash") process.exit(3);
      if (task.action === "throw")
        setTimeout(() => {
          throw new Error("worker blew up");
        }, 0);
      if (task.action === "oom") {
        // Grow the JS heap until resourceLimits stops the worker.
        for (;;) hoard.push(Array.from({ length: 100000 }, (_, i) => ({ i, s: `item ${i}` })));
      }
      if (task.action === "hang") {
        // Never looks at the abort flag: the pool has to terminate this worker.
        for (;;) {
          /* busy */
        }
      }
      if (task.action === "spin") {
        // Loop until aborted, reporting each round (lets tests count rounds done after a cancel).
        let round = 0;
        while (Atomics.load(abortFlag, 0) === 0) {
          const until = Date.now() + 20;
          while (Date.now() < until) {
            /* busy */
          }
          port!.postMessage({ type: "progress", id, fraction: ++round / 1e6 } as WorkerReply);
        }
        throw new AbortError();
      }
      return;
    }
  }
}

port.on("message", (msg: WorkerRequest) => {
  if (msg.type !== "run") return;
  runTask(msg.id, msg.task).catch((e: unknown) => {
    const err = e as Error;
    const kind = err instanceof AbortError ? "aborted" : err instanceof EngineInputError ? "input" : "error";
    const reply: WorkerReply = { type: "error", id: msg.id, kind, message: err.message };
    port.postMessage(reply);
  });
});
