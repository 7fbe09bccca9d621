// The life of a job this session works on, shared by a job started here (run.ts) and one taken up
// again after a reload (resume.ts): state changes reported as copies, cancel and detach, and on a
// failure or cancel the same ending (cancel upstream, say why, drop the bytes, keep the record).

import type { JobState } from "../../common/jobs";
import { WorkflowError, toJobError } from "./errors";
import type { RunningJob, StoredRequest, WorkflowDeps } from "./types";

export interface JobLife {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** The latest state. */
  readonly state: JobState;
  /** Merges a change into the state and reports a copy of it. */
  emit(patch: Partial<JobState>): void;
  /** Throws the cancelled error once the job was cancelled or detached. */
  checkAbort(): void;
  /** What is stored with the state (see save); undefined until the job has a request. */
  stored: StoredRequest | undefined;
  /** The broker's job id once it accepted the job: cancelled there when this job is cancelled or times out. */
  remoteJobId: string | undefined;
  /** Further broker jobs under way (a tiled fill's tiles and upscales): cancelled with the job too. */
  readonly remoteJobIds: Set<string>;
  /** Stores the state with `stored`. */
  save(): Promise<void>;
  /**
   * Run when the job fails or is cancelled (not when detached), before the state says so: returns a
   * sentence to add to the failure's message, if any (an instant preview removed or kept).
   */
  onEnd?: (cancelled: boolean) => Promise<string | undefined>;
}

export interface LifeStart {
  jobId: string;
  state: JobState;
  stored?: StoredRequest;
  remoteJobId?: string;
  /** See JobLife.remoteJobIds. */
  remoteJobIds?: string[];
  /** Stored with a failed state when there is no `stored` (a record that could not be read keeps what it held). */
  rawRequest?: unknown;
}

export async function saveRecord(deps: WorkflowDeps, state: JobState, request: unknown): Promise<void> {
  await deps.store.putJob({ jobId: state.jobId, state, request, updatedAt: (deps.now ?? Date.now)() });
}

/** Runs `work` as a job's life: `done` resolves with the final state, whatever happens. */
export function runLife<Extra extends object>(
  start: LifeStart,
  deps: WorkflowDeps,
  onState: (s: JobState) => void,
  work: (life: JobLife) => Promise<void>,
  extra: Extra,
): RunningJob & Extra {
  const now = deps.now ?? Date.now;
  const controller = new AbortController();
  const signal = controller.signal;
  let state = start.state;
  const life: JobLife = {
    jobId: start.jobId,
    signal,
    get state() {
      return state;
    },
    emit(patch) {
      state = { ...state, ...patch };
      onState(JSON.parse(JSON.stringify(state)) as JobState);
    },
    checkAbort() {
      if (signal.aborted) throw new WorkflowError({ category: "cancelled", message: "Cancelled." });
    },
    stored: start.stored,
    remoteJobId: start.remoteJobId,
    remoteJobIds: new Set(start.remoteJobIds),
    save: () => saveRecord(deps, state, life.stored),
  };

  let detached = false;
  const done = work(life).then(
    () => state,
    async (e: unknown): Promise<JobState> => {
      if (detached) return state;
      const cancelled = signal.aborted;
      if (cancelled || (e instanceof WorkflowError && e.jobError.category === "timeout")) {
        const remote = [...(life.remoteJobId ? [life.remoteJobId] : []), ...life.remoteJobIds];
        await Promise.all(remote.map((id) => deps.broker.cancel(id).catch(() => undefined)));
      }
      const said = await life.onEnd?.(cancelled).catch(() => undefined);
      if (cancelled)
        life.emit({ phase: "cancelled", finishedAt: now(), error: { category: "cancelled", message: "Cancelled. The document was not changed." } });
      else {
        const error = toJobError(e);
        life.emit({ phase: "failed", finishedAt: now(), error: said ? { ...error, message: `${error.message} ${said}` } : error });
      }
      await deps.store.deleteBytes(start.jobId).catch(() => undefined);
      const request = life.stored ?? start.rawRequest;
      if (request !== undefined) await saveRecord(deps, state, request).catch(() => undefined);
      return state;
    },
  );
  const detach = (): void => {
    detached = true;
    controller.abort();
  };
  return { jobId: start.jobId, done, cancel: () => controller.abort(), detach, ...extra };
}
