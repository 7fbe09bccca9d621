// The panel's picture of the host, built only from protocol events (pure reducer, unit-tested).

import type { JobState } from "../../common/jobs";
import type { LayerInfo, Rect } from "../../common/host";
import type {
  ActiveDocumentView,
  ConnectionResult,
  CustomModelEntry,
  DocumentListEntry,
  ErrorEventBody,
  ProtocolEvent,
  SettingsView,
  Theme,
} from "../../common/protocol/events";
import type { QuotaView } from "../../common/protocol/quota-schema";

/** A reference preview: asked for, arrived, or refused (e.g. an empty layer). */
export type ThumbState = { status: "loading" } | { status: "ready"; dataUrl: string; width: number; height: number } | { status: "failed"; message: string };

/** The broker's custom models, as far as the panel knows. */
export interface CustomModelsState {
  status: "idle" | "loading" | "ready" | "error";
  models: CustomModelEntry[];
  error: ErrorEventBody | null;
  /** Request id of the listing being waited for. */
  requestId: string | null;
}

/** The key of a document's (or one layer's) preview; also the reference picker's item key. */
export function thumbKey(docId: number, layerId?: number): string {
  return layerId === undefined ? `doc:${docId}` : `layer:${docId}:${layerId}`;
}

function docOfKey(key: string): number {
  return Number(key.split(":")[1]);
}

export interface PanelState {
  /** The host answered hello. */
  ready: boolean;
  hostApp: "photoshop" | "playground" | null;
  active: ActiveDocumentView | null;
  selection: { bounds: Rect } | null;
  documents: DocumentListEntry[];
  layers: Record<number, LayerInfo[]>;
  /** Newest first. */
  jobs: JobState[];
  settings: SettingsView | null;
  connection: ConnectionResult | null;
  /** True while a connection test is running. */
  testing: boolean;
  /** Request id of the running connection test. */
  testId: string | null;
  theme: Theme;
  scheme: "dark" | "light";
  /** The latest error not tied to a job, shown as a banner until dismissed. */
  error: ErrorEventBody | null;
  customModels: CustomModelsState;
  /** Reference previews by `thumbKey`. */
  thumbnails: Record<string, ThumbState>;
  /** Request id → `thumbKey` of previews asked for and not answered yet. */
  thumbRequests: Record<string, string>;
  /** The organisation's usage and the queue's waits, once the broker shared them. */
  quota: QuotaView | null;
}

export const initialState: PanelState = {
  ready: false,
  hostApp: null,
  active: null,
  selection: null,
  documents: [],
  layers: {},
  jobs: [],
  settings: null,
  connection: null,
  testing: false,
  testId: null,
  theme: "dark",
  scheme: "dark",
  error: null,
  customModels: { status: "idle", models: [], error: null, requestId: null },
  thumbnails: {},
  quota: null,
  thumbRequests: {},
};

export type PanelAction =
  | { type: "event"; event: ProtocolEvent }
  | { type: "testing"; id: string }
  | { type: "dismissError" }
  | { type: "modelsRequested"; id: string }
  | { type: "thumbRequested"; id: string; key: string };

function without<T>(record: Record<string, T>, drop: (key: string, value: T) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) if (!drop(k, v)) out[k] = v;
  return out;
}

function sortJobs(jobs: JobState[]): JobState[] {
  return [...jobs].sort((a, b) => b.startedAt - a.startedAt);
}

function upsertJob(jobs: JobState[], job: JobState): JobState[] {
  const i = jobs.findIndex((j) => j.jobId === job.jobId);
  if (i < 0) return sortJobs([job, ...jobs]);
  const next = jobs.slice();
  next[i] = job;
  return next;
}

export function reduce(state: PanelState, action: PanelAction): PanelState {
  if (action.type === "testing") return { ...state, testing: true, testId: action.id };
  if (action.type === "dismissError") return { ...state, error: null };
  if (action.type === "modelsRequested") return { ...state, customModels: { ...state.customModels, status: "loading", error: null, requestId: action.id } };
  if (action.type === "thumbRequested") {
    return {
      ...state,
      thumbnails: { ...state.thumbnails, [action.key]: { status: "loading" } },
      thumbRequests: { ...state.thumbRequests, [action.id]: action.key },
    };
  }
  const e = action.event;
  switch (e.type) {
    case "hello":
      return { ...state, ready: true, hostApp: e.hostApp };
    case "document.state":
      return { ...state, active: e.active, selection: e.selection };
    case "documents":
      return { ...state, documents: e.documents };
    case "layers":
      return { ...state, layers: { ...state.layers, [e.docId]: e.layers } };
    case "job.state":
      return { ...state, jobs: upsertJob(state.jobs, e.job) };
    case "jobs":
      return { ...state, jobs: sortJobs(e.jobs) };
    case "job.removed":
      return { ...state, jobs: state.jobs.filter((j) => j.jobId !== e.jobId) };
    case "settings":
      return { ...state, settings: e.settings };
    case "connection.result":
      // Another broker or key may list other models: list again when the picker is next shown.
      return {
        ...state,
        connection: e.result,
        testing: false,
        testId: null,
        customModels: state.customModels.status === "loading" ? state.customModels : { status: "idle", models: [], error: null, requestId: null },
      };
    case "models":
      return { ...state, customModels: { status: "ready", models: e.models, error: null, requestId: null } };
    case "thumbnail": {
      // An answer to a request dropped as stale may show the document before its last edit: ignore it.
      if (e.replyTo !== undefined && !(e.replyTo in state.thumbRequests)) return state;
      const { dataUrl, width, height } = e;
      return {
        ...state,
        thumbnails: { ...state.thumbnails, [thumbKey(e.docId, e.layerId)]: { status: "ready", dataUrl, width, height } },
        thumbRequests: without(state.thumbRequests, (id) => id === e.replyTo),
      };
    }
    case "thumbnail.stale": {
      const gone = (key: string) => e.docId === undefined || docOfKey(key) === e.docId;
      return { ...state, thumbnails: without(state.thumbnails, gone), thumbRequests: without(state.thumbRequests, (_id, key) => gone(key)) };
    }
    case "quota":
      return { ...state, quota: e.quota };
    case "theme":
      return { ...state, theme: e.theme, scheme: e.scheme };
    case "error": {
      const { category, code, message, hint, detail } = e;
      if (e.replyTo !== undefined && e.replyTo === state.customModels.requestId) {
        return { ...state, customModels: { status: "error", models: [], error: { category, code, message, hint, detail }, requestId: null } };
      }
      if (e.replyTo !== undefined && e.replyTo in state.thumbRequests) {
        const key = state.thumbRequests[e.replyTo];
        return {
          ...state,
          thumbnails: { ...state.thumbnails, [key]: { status: "failed", message } },
          thumbRequests: without(state.thumbRequests, (id) => id === e.replyTo),
        };
      }
      const answersTest = state.testId !== null && e.replyTo === state.testId;
      return {
        ...state,
        error: { category, code, message, hint, detail },
        testing: answersTest ? false : state.testing,
        testId: answersTest ? null : state.testId,
      };
    }
    default:
      return state;
  }
}

/** What the engine can do, as far as the panel knows. */
export interface EngineInfo {
  mode: "firefly" | "local" | "unknown";
  promptsIgnored: boolean;
  generateAvailable: boolean;
  /** Why Generate is unavailable, or null. */
  generateBlocked: string | null;
}

export function engineInfo(state: PanelState): EngineInfo {
  const mode = state.connection?.broker?.mode ?? "unknown";
  if (mode === "local") {
    return {
      mode,
      promptsIgnored: true,
      generateAvailable: false,
      generateBlocked: "Generate needs Firefly: this broker runs the local engine (no Firefly credentials).",
    };
  }
  return { mode, promptsIgnored: false, generateAvailable: true, generateBlocked: null };
}

export function isActiveJob(j: JobState): boolean {
  return !["done", "failed", "cancelled", "kept"].includes(j.phase);
}
