// Host events used by the panel tests.

import type { EventBody } from "../../src/common/protocol/events";
import type { JobState } from "../../src/common/jobs";
import type { QuotaView } from "../../src/common/protocol";

export const hello: EventBody<"hello"> = { type: "hello", pluginVersion: "0.1.0", hostApp: "playground", hostVersion: "test" };

export const settings = (hasKey = true, numVariations = 2): EventBody<"settings"> => ({
  type: "settings",
  settings: { brokerUrl: "http://127.0.0.1:8765", hasKey, prefs: { lastPrompt: "", numVariations, blend: { bandPx: 16, toneMatch: true }, history: [] } },
});

export const local: EventBody<"connection.result"> = {
  type: "connection.result",
  result: { ok: true, diagnosis: "local_mode", message: "Connected: the broker runs its local engine.", broker: { mode: "local" } },
};
export const firefly: EventBody<"connection.result"> = {
  type: "connection.result",
  result: { ok: true, diagnosis: "ok", message: "Connected to Firefly through the broker.", broker: { mode: "firefly" } },
};

export const doc = (
  over: Partial<NonNullable<EventBody<"document.state">["active"]>> = {},
  selection: { left: number; top: number; right: number; bottom: number } | null = null,
): EventBody<"document.state"> => ({
  type: "document.state",
  active: { id: 1, title: "Beach.png", width: 800, height: 600, mode: "rgb", bitDepth: 8, resolution: 72, supported: true, ...over },
  selection: selection && { bounds: selection },
});

export const documents: EventBody<"documents"> = {
  type: "documents",
  documents: [
    { id: 1, title: "Beach.png", width: 800, height: 600, active: true },
    { id: 2, title: "Style.png", width: 400, height: 400, active: false },
  ],
};

export function job(over: Partial<JobState> = {}): JobState {
  return {
    jobId: "job-1",
    kind: "fill",
    params: { kind: "fill", numVariations: 2, prompt: "a boat" },
    docId: 1,
    docTitle: "Beach.png",
    phase: "running",
    startedAt: Date.now() - 3000,
    variations: [],
    ...over,
  };
}

/** A quota read as the host passes it on: 1234 of 9000 today, this minute full, 3 queued. */
export const quotaView = (receivedAt: number, waits: number[], over: Partial<QuotaView> = {}): QuotaView => ({
  receivedAt,
  day: { used: 1234, limit: 9000 },
  minute: { used: 4, limit: 4 },
  pausedUntil: null,
  depth: 3,
  waits,
  ...over,
});
