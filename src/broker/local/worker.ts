// Engine worker thread: runs one completion at a time for the pool. Never runs on the broker's
// event loop. The pool sets the shared abort flag to stop a job between iterations.

import { parentPort, workerData } from "worker_threads";
import { expandImage, fillImage, AbortError, EngineInputError } from "./engine";
import type { EngineTask, TaskOptions, WorkerReply, WorkerRequest } from "./pool-protocol";

const data = workerData as { abort: SharedArrayBuffer; testHooks: boolean };
const abortFlag = new Int32Array(data.abort);
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

const hoard: unknown[] = [];

function runTask(id: number, task: EngineTask): void {
  const engineOptions = (o: TaskOptions) => ({
    ...o,
    shouldAbort: () => Atomics.load(abortFlag, 0) !== 0,
    onProgress: (fraction: number) => {
      const msg: WorkerReply = { type: "progress", id, fraction };
      port!.postMessage(msg);
    },
  });
  switch (task.op) {
    case "fill": {
      const out = fillImage(task.image, task.mask, engineOptions(task.options));
      const msg: WorkerReply = { type: "done", id, image: out };
      port!.postMessage(msg, [out.data.buffer as ArrayBuffer]);
      return;
    }
    case "expand": {
      const out = expandImage(task.image, task.request, engineOptions(task.options));
      const msg: WorkerReply = { type: "done", id, image: out };
      port!.postMessage(msg, [out.data.buffer as ArrayBuffer]);
      return;
    }
    case "test": {
      if (!data.testHooks) throw new Error("test tasks are disabled");
      if (task.action === "crash") process.exit(3);
      if (task.action === "throw") setTimeout(() => { throw new Error("worker blew up"); }, 0);
      if (task.action === "oom") {
        // Grow the JS heap until resourceLimits stops the worker.
        for (;;) hoard.push(Array.from({ length: 100000 }, (_, i) => ({ i, s: `item ${i}` })));
      }
      if (task.action === "hang") {
        // Never looks at the abort flag: the pool has to terminate this worker.
        for (;;) { /* busy */ }
      }
      if (task.action === "spin") {
        // Loop until aborted, reporting each round (lets tests count rounds done after a cancel).
        let round = 0;
        while (Atomics.load(abortFlag, 0) === 0) {
          const until = Date.now() + 20;
          while (Date.now() < until) { /* busy */ }
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
  try {
    runTask(msg.id, msg.task);
  } catch (e) {
    const err = e as Error;
    const kind = err instanceof AbortError ? "aborted" : err instanceof EngineInputError ? "input" : "error";
    const reply: WorkerReply = { type: "error", id: msg.id, kind, message: err.message };
    port.postMessage(reply);
  }
});
