import type { ExpandTarget } from "../../src/common/jobs";
import { expandDetailHint, expandDetailRequests } from "../../src/panel/model/expand-detail";
import { initialState, type PanelState } from "../../src/panel/model/state";

function withDocument(width: number, height: number, perMinute: number | null): PanelState {
  const quota = { day: { used: 0, limit: 9000 }, minute: { used: 0, limit: perMinute }, depth: 0, waits: [0], pausedUntil: null, receivedAt: 0 };
  return {
    ...initialState,
    active: { id: 1, title: "t.psd", width, height, mode: "rgb", bitDepth: 8, resolution: 72, supported: true },
    quota: quota as unknown as PanelState["quota"],
  };
}

const sides = (left: number, right: number): ExpandTarget => ({ kind: "sides", left, top: 0, right, bottom: 0 });

describe("the Expand hint says the run's time at the organisation's pace", () => {
  test("an expansion and its upscales: 4 requests at 4 a minute, about 60 s", () => {
    expect(expandDetailHint("native", withDocument(4000, 1000, 4), sides(0, 3998), 3)).toBe(
      "Native detail: 1 expansion + 3 upscales = 4 requests, about 60 s at your organisation's pace (4/min).",
    );
  });

  test("tile fills along the new strips", () => {
    expect(expandDetailHint("native", withDocument(4000, 1000, 4), sides(2000, 2000), 1)).toBe(
      "Native detail: 2 tile fills = 2 requests along the new strips, about 30 s at your organisation's pace (4/min).",
    );
  });

  test("far tiles are counted once per variation: 8000×6000 doubled to the right, 2 variations", () => {
    const s = withDocument(8000, 6000, 10);
    expect(expandDetailHint("native", s, sides(0, 8000), 2)).toBe(
      "Native detail: 6 tile fills + 8 upscales = 14 requests along the new strips, about 84 s at your organisation's pace (10/min).",
    );
    expect(expandDetailRequests("native", s, sides(0, 8000), 2)).toBe(14);
  });

  test("one request, or no pace known: the count alone", () => {
    expect(expandDetailHint("native", withDocument(1200, 800, 4), sides(200, 200), 2)).toBe(
      "Native detail: the expansion is generated at native size (1 request).",
    );
    expect(expandDetailHint("native", withDocument(4000, 1000, null), sides(0, 3998), 3)).toBe("Native detail: 1 expansion + 3 upscales = 4 requests.");
  });
});
