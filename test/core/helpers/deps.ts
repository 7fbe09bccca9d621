import type { JobParams, JobState } from "../../../src/common/jobs";
import { SimHost } from "../../../src/playground/sim";
import { MemoryResultStore } from "../../../src/plugin/store";
import { startJob, type WorkflowDeps } from "../../../src/plugin/workflows";
import { FakeBroker, type FakeOptions } from "./fake-broker";

export interface Rig {
  host: SimHost;
  broker: FakeBroker;
  store: MemoryResultStore;
  deps: WorkflowDeps;
  sleeps: number[];
}

export function rig(opts: FakeOptions = {}, host = new SimHost()): Rig {
  const broker = new FakeBroker(opts);
  const store = new MemoryResultStore();
  const sleeps: number[] = [];
  let t = 1_000_000;
  const deps: WorkflowDeps = {
    host,
    broker,
    store,
    now: () => (t += 7),
    random: (() => {
      let s = 12345;
      return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    })(),
    pollIntervalMs: 1500,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw new Error("aborted");
    },
  };
  return { host, broker, store, deps, sleeps };
}

export async function run(r: Rig, params: JobParams): Promise<{ final: JobState; states: JobState[] }> {
  const states: JobState[] = [];
  const job = startJob(params, r.deps, (s) => states.push(s));
  const final = await job.done;
  return { final, states };
}
