// A pool of engine worker threads sized to the cores. Jobs queue in order; each runs on one
// worker. Cancelling sets the worker's shared abort flag (the engine checks it between
// iterations); a worker that does not stop within the grace period is terminated and replaced.
// A worker that crashes or runs out of memory (resourceLimits) fails only its own job, and the
// pool starts a fresh worker in its place.

import * as os from "os";
import * as path from "path";
import { Worker, type ResourceLimits } from "worker_threads";
import type { RgbaImage } from "./engine/types";
import type { EncodedOutput, EngineTask, WorkerReply, WorkerRequest } from "./pool-protocol";

type FilesTask = Extract<EngineTask, { op: "files" }>;
type TaskResult = RgbaImage | EncodedOutput;

export class TaskCancelledError extends Error {
  constructor() {
    super("cancelled");
    this.name = "TaskCancelledError";
  }
}

/** The engine refused the input (e.g. the mask covers everything). */
export class TaskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskInputError";
  }
}

/** The worker died (crash, out of memory) or the engine threw unexpectedly. */
export class TaskFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskFailedError";
  }
}

export interface PoolOptions {
  /** Worker count; defaults to the number of cores. */
  size?: number;
  /** Per-worker V8 limits; a worker over them fails its job only. */
  resourceLimits?: ResourceLimits;
  /** How long a cancelled task may take to notice its abort flag before its worker is terminated. */
  cancelGraceMs?: number;
  /** Enables `op: "test"` tasks (crash/oom/spin) for tests. */
  testHooks?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Called when a worker picks the task up. */
  onStart?: () => void;
}

interface Pending {
  id: number;
  task: EngineTask;
  transfer: ArrayBuffer[];
  opts: RunOptions;
  resolve: (result: TaskResult) => void;
  reject: (e: Error) => void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  abort: Int32Array;
  job: Pending | null;
  killTimer: NodeJS.Timeout | null;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 };

export function defaultPoolSize(): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/**
 * Start a worker. Production runs the compiled `worker.js` next to this file; under ts-jest or
 * ts-node this file is `.ts`, and the worker registers the repository's TypeScript loader
 * (scripts/register-ts.js: transpile only, cached) before loading `worker.ts`.
 */
function spawnWorker(abort: SharedArrayBuffer, testHooks: boolean, resourceLimits: ResourceLimits): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `worker${ext}`);
  const workerData = { abort, testHooks };
  if (ext === ".ts") {
    const register = path.join(__dirname, "..", "..", "..", "scripts", "register-ts.js");
    const code = `require(${JSON.stringify(register)});\nrequire(${JSON.stringify(entry)});\n`;
    return new Worker(code, { eval: true, workerData, resourceLimits });
  }
  return new Worker(entry, { workerData, resourceLimits });
}

export class EnginePool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly limits: ResourceLimits;
  private readonly grace: number;
  private readonly testHooks: boolean;
  private nextId = 1;
  private closed = false;
  /** Workers replaced after a crash, an out-of-memory stop or a stuck cancel. */
  restarts = 0;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.limits = options.resourceLimits ?? DEFAULT_RESOURCE_LIMITS;
    this.grace = options.cancelGraceMs ?? 1000;
    this.testHooks = options.testHooks ?? false;
  }

  /**
   * Queue a task. Input buffers are transferred to the worker (do not reuse them). A `files` task
   * resolves to its output encoded as PNG, the others to the output's pixels.
   */
  run(task: FilesTask, opts?: RunOptions): Promise<EncodedOutput>;
  run(task: Exclude<EngineTask, FilesTask>, opts?: RunOptions): Promise<RgbaImage>;
  run(task: EngineTask, opts: RunOptions = {}): Promise<TaskResult> {
    if (this.closed) return Promise.reject(new Error("the engine pool is closed"));
    if (opts.signal?.aborted) return Promise.reject(new TaskCancelledError());
    return new Promise<TaskResult>((resolve, reject) => {
      const job: Pending = { id: this.nextId++, task, transfer: transferables(task), opts, resolve, reject };
      if (opts.signal) {
        job.onAbort = () => this.cancel(job);
        opts.signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  stats(): { workers: number; busy: number; queued: number; restarts: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job).length, queued: this.queue.length, restarts: this.restarts };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new Error("the engine pool closed"));
    const slots = this.slots.splice(0);
    for (const s of slots) {
      if (s.job) this.settle(s.job, new Error("the engine pool closed"));
      if (s.killTimer) clearTimeout(s.killTimer);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.addSlot();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      Atomics.store(slot.abort, 0, 0);
      const msg: WorkerRequest = { type: "run", id: job.id, task: job.task };
      slot.worker.postMessage(msg, job.transfer);
      job.opts.onStart?.();
    }
  }

  private addSlot(): Slot {
    const sab = new SharedArrayBuffer(4);
    const slot: Slot = { worker: spawnWorker(sab, this.testHooks, this.limits), abort: new Int32Array(sab), job: null, killTimer: null };
    slot.worker.on("message", (m: WorkerReply) => this.onMessage(slot, m));
    slot.worker.on("error", (e: Error) => this.onWorkerGone(slot, describeWorkerError(e)));
    slot.worker.on("exit", (code) => this.onWorkerGone(slot, `the engine worker exited (code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, m: WorkerReply): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    if (m.type === "progress") {
      job.opts.onProgress?.(m.fraction);
      return;
    }
    slot.job = null;
    if (slot.killTimer) {
      clearTimeout(slot.killTimer);
      slot.killTimer = null;
    }
    if (m.type === "done") this.settle(job, null, m.image);
    else if (m.type === "encoded") this.settle(job, null, m.output);
    else if (m.kind === "aborted") this.settle(job, new TaskCancelledError());
    else if (m.kind === "input") this.settle(job, new TaskInputError(m.message));
    else this.settle(job, new TaskFailedError(m.message));
    this.dispatch();
  }

  private onWorkerGone(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already handled (error is followed by exit)
    this.slots.splice(i, 1);
    if (slot.killTimer) clearTimeout(slot.killTimer);
    const job = slot.job;
    slot.job = null;
    void slot.worker.terminate();
    if (this.closed) return;
    this.restarts++;
    if (job) {
      const cancelled = Atomics.load(slot.abort, 0) !== 0;
      this.settle(job, cancelled ? new TaskCancelledError() : new TaskFailedError(reason));
    }
    this.dispatch();
  }

  private cancel(job: Pending): void {
    const qi = this.queue.indexOf(job);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.settle(job, new TaskCancelledError());
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (!slot) return;
    Atomics.store(slot.abort, 0, 1);
    if (!slot.killTimer) {
      slot.killTimer = setTimeout(() => {
        slot.killTimer = null;
        if (slot.job === job) this.onWorkerGone(slot, "cancelled (worker terminated)");
      }, this.grace);
    }
  }

  private settle(job: Pending, err: Error | null, result?: TaskResult): void {
    if (job.onAbort && job.opts.signal) job.opts.signal.removeEventListener("abort", job.onAbort);
    if (err) job.reject(err);
    else job.resolve(result!);
  }
}

function describeWorkerError(e: Error & { code?: string }): string {
  if (e.code === "ERR_WORKER_OUT_OF_MEMORY") return "the engine worker ran out of memory";
  return `the engine worker crashed: ${e.message}`;
}

function transferables(task: EngineTask): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (u: Uint8Array | undefined): void => {
    if (!u) return;
    const b = u.buffer as ArrayBuffer;
    if (!(b instanceof ArrayBuffer) || out.includes(b)) return;
    if (u.byteOffset === 0 && u.byteLength === b.byteLength) out.push(b);
  };
  if (task.op === "fill") {
    add(task.image.data);
    add(task.mask.data);
  }
  if (task.op === "expand") {
    add(task.image.data);
    add(task.request.mask?.data);
  }
  return out;
}
