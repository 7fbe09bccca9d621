// The panel's picture of the host, built only from protocol events (pure reducer, unit-tested).

import type { JobState } from "../../common/jobs";
import type { LayerInfo, Rect } from "../../common/host";
import type {
  ActiveDocumentView,
  ConnectionResult,
  DocumentListEntry,
  ErrorEventBody,
  HostEvent,
  SettingsView,
  Theme,
} from "../../common/protocol/events";

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
};

export type PanelAction = { type: "event"; event: HostEvent } | { type: "testing"; id: string } | { type: "dismissError" };

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
      return { ...state, connection: e.result, testing: false, testId: null };
    case "theme":
      return { ...state, theme: e.theme, scheme: e.scheme };
    case "error": {
      const { category, code, message, hint, detail } = e;
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
