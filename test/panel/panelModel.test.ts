// Pure panel logic: expand numbers, readiness sentences, the event reducer, job wording.

import { canvasForAspect, describeScale, expandNumbers } from "../../src/panel/model/expandMath";
import { blockedReason, runNote } from "../../src/panel/model/readiness";
import { initialState, reduce, PanelState, engineInfo } from "../../src/panel/model/state";
import { statusText, elapsed } from "../../src/panel/jobs/describe";
import { seedsFor } from "../../src/panel/model/seeds";
import { parseEvent } from "../../src/panel/model/link";
import type { JobState } from "../../src/common/jobs";
import type { ProtocolEvent } from "../../src/common/protocol/events";

const center = { horizontal: "center", vertical: "center" } as const;
const ev = (e: Record<string, unknown>) => ({ type: "event", event: { protocol: "infill", version: 1, ...e } as unknown as ProtocolEvent }) as const;

function ready(extra: Partial<PanelState> = {}): PanelState {
  let s = reduce(initialState, ev({ type: "hello", pluginVersion: "1", hostApp: "playground", hostVersion: "1" }));
  s = reduce(
    s,
    ev({
      type: "settings",
      settings: {
        brokerUrl: "http://127.0.0.1:8765",
        hasKey: true,
        prefs: { lastPrompt: "", numVariations: 2, blend: { bandPx: 16, toneMatch: true }, history: [] },
      },
    }),
  );
  s = reduce(
    s,
    ev({
      type: "document.state",
      active: { id: 1, title: "A", width: 800, height: 600, mode: "rgb", bitDepth: 8, resolution: 72, supported: true },
      selection: null,
    }),
  );
  return { ...s, ...extra };
}

describe("expand numbers", () => {
  it("grows the short side to reach the aspect, centred", () => {
    expect(canvasForAspect({ width: 800, height: 600 }, "16:9")).toEqual({ width: 1067, height: 600 });
    expect(canvasForAspect({ width: 800, height: 600 }, "9:16")).toEqual({ width: 800, height: 1422 });
    const n = expandNumbers({ width: 800, height: 600 }, { kind: "aspect", aspect: "16:9", alignment: center });
    expect(n.added).toEqual({ left: 133, top: 0, right: 134, bottom: 0 });
    expect(n.scale).toBe(1);
    expect(n.problem).toBeNull();
  });
  it("aligns the original to the chosen edge", () => {
    const n = expandNumbers({ width: 800, height: 600 }, { kind: "size", width: 1000, height: 700, alignment: { horizontal: "right", vertical: "top" } });
    expect(n.added).toEqual({ left: 200, top: 0, right: 0, bottom: 100 });
  });
  it("scales requests over 3999 px per side and says so", () => {
    const n = expandNumbers({ width: 4000, height: 3000 }, { kind: "sides", left: 1000, top: 0, right: 1000, bottom: 0 });
    expect(n.canvas).toEqual({ width: 6000, height: 3000 });
    expect(n.request).toEqual({ width: 3999, height: 2000 });
    expect(describeScale(n)).toContain("Over 3999 px per side");
  });
  it("refuses a target smaller than the document or equal to it", () => {
    expect(expandNumbers({ width: 800, height: 600 }, { kind: "size", width: 700, height: 600, alignment: center }).problem).toMatch(/at least/);
    expect(expandNumbers({ width: 800, height: 600 }, { kind: "sides", left: 0, top: 0, right: 0, bottom: 0 }).problem).toMatch(/nothing to expand/);
    expect(expandNumbers({ width: 800, height: 450 }, { kind: "aspect", aspect: "16:9", alignment: center }).problem).toMatch(/nothing to expand/);
  });
});

describe("why a mode cannot run", () => {
  it("asks for a selection before Fill", () => {
    expect(blockedReason("fill", ready(), "")).toBe("Make a selection first: Fill generates inside it.");
    expect(blockedReason("fill", ready({ selection: { bounds: { left: 0, top: 0, right: 10, bottom: 10 } } }), "")).toBeNull();
  });
  it("asks for a document, a key, a URL", () => {
    expect(blockedReason("expand", ready({ active: null }), "")).toBe("Open a document first.");
    const s = ready();
    expect(blockedReason("expand", { ...s, settings: { ...s.settings!, hasKey: false } }, "")).toMatch(/broker key/);
    expect(blockedReason("expand", { ...s, settings: { ...s.settings!, brokerUrl: "" } }, "")).toMatch(/broker URL/);
  });
  it("passes on the host's reason for unsupported documents", () => {
    const s = ready();
    const active = { ...s.active!, supported: false, unsupportedReason: "Document is 32-bit: convert it to 8 or 16 bits first." };
    expect(blockedReason("fill", { ...s, active }, "")).toBe(active.unsupportedReason);
  });
  it("enforces the 1024-character prompt limit", () => {
    const s = ready({ selection: { bounds: { left: 0, top: 0, right: 10, bottom: 10 } } });
    expect(blockedReason("fill", s, "x".repeat(1024))).toBeNull();
    expect(blockedReason("fill", s, "x".repeat(1030))).toMatch(/1030 characters; the limit is 1024/);
  });
  it("says Generate needs Firefly in local mode, and needs a prompt", () => {
    const local = reduce(ready(), ev({ type: "connection.result", result: { ok: true, diagnosis: "local_mode", message: "m", broker: { mode: "local" } } }));
    expect(engineInfo(local).promptsIgnored).toBe(true);
    expect(blockedReason("generate", local, "a cat")).toMatch(/Generate needs Firefly/);
    const ff = reduce(ready(), ev({ type: "connection.result", result: { ok: true, diagnosis: "ok", message: "m", broker: { mode: "firefly" } } }));
    expect(blockedReason("generate", ff, "")).toMatch(/Type a prompt/);
    expect(blockedReason("generate", ff, "a cat")).toBeNull();
  });
  it("notes 16-bit and CMYK conversion without blocking", () => {
    const s = ready();
    expect(runNote("fill", { ...s, active: { ...s.active!, bitDepth: 16 } })).toBe("Document is 16-bit: it will be converted to 8-bit for generation.");
    expect(runNote("fill", { ...s, active: { ...s.active!, mode: "cmyk" } })).toMatch(/CMYK: it will be converted to sRGB/);
  });
});

describe("reducer", () => {
  const job = (id: string, startedAt: number, phase: JobState["phase"] = "running"): JobState => ({
    jobId: id,
    kind: "fill",
    params: { kind: "fill", numVariations: 1 },
    docId: 1,
    docTitle: "A",
    phase,
    startedAt,
    variations: [],
  });
  it("keeps jobs newest first and updates them in place", () => {
    let s = reduce(initialState, ev({ type: "jobs", jobs: [job("a", 1), job("b", 2)] }));
    expect(s.jobs.map((j) => j.jobId)).toEqual(["b", "a"]);
    s = reduce(s, ev({ type: "job.state", job: job("a", 1, "done") }));
    expect(s.jobs.map((j) => [j.jobId, j.phase])).toEqual([
      ["b", "running"],
      ["a", "done"],
    ]);
    s = reduce(s, ev({ type: "job.state", job: job("c", 3, "queued") }));
    expect(s.jobs[0].jobId).toBe("c");
    s = reduce(s, ev({ type: "job.removed", jobId: "b" }));
    expect(s.jobs.map((j) => j.jobId)).toEqual(["c", "a"]);
  });
  it("ends a connection test on its result or on an error answering it", () => {
    let s = reduce(initialState, { type: "testing", id: "t1" });
    s = reduce(s, ev({ type: "error", replyTo: "other", category: "internal", code: "x", message: "m", hint: "h" }));
    expect(s.testing).toBe(true);
    s = reduce(s, ev({ type: "error", replyTo: "t1", category: "internal", code: "x", message: "m", hint: "h" }));
    expect(s.testing).toBe(false);
  });
  it("takes the theme from the host", () => {
    expect(reduce(initialState, ev({ type: "theme", theme: "light", scheme: "light" })).scheme).toBe("light");
  });
});

describe("wording and seeds", () => {
  const j: JobState = {
    jobId: "a",
    kind: "fill",
    params: { kind: "fill", numVariations: 1 },
    docId: 1,
    docTitle: "A",
    phase: "queued",
    queuePosition: 3,
    startedAt: 0,
    variations: [],
  };
  it("describes phases", () => {
    expect(statusText(j)).toBe("Queued (position 3)");
    expect(statusText({ ...j, phase: "placing" })).toBe("Placing layers");
    expect(elapsed({ ...j, finishedAt: 75_000 }, 0)).toBe("1 min 15 s");
  });
  it("derives consecutive seeds from a fixed seed", () => {
    expect(seedsFor({ fixed: true, seed: 10 }, 3)).toEqual([10, 11, 12]);
    expect(seedsFor({ fixed: false, seed: 10 }, 3)).toBeUndefined();
  });
  it("accepts only this protocol's messages", () => {
    expect(
      parseEvent(JSON.stringify({ protocol: "infill", version: 1, type: "hello", pluginVersion: "1", hostApp: "playground", hostVersion: "1" })),
    ).toMatchObject({ type: "hello" });
    expect(parseEvent({ protocol: "other", version: 1, type: "hello" })).toBeNull();
    expect(parseEvent({ protocol: "infill", version: 2, type: "hello" })).toMatchObject({ type: "error", category: "protocol" });
    expect(parseEvent("not json")).toMatchObject({ type: "error" });
  });
});
