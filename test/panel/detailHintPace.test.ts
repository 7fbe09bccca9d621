import { detailHint, detailRequests } from "../../src/panel/model/detail-hint";
import { initialState, type PanelState } from "../../src/panel/model/state";

function withSelection(
  width: number,
  height: number,
  bounds: { left: number; top: number; right: number; bottom: number },
  perMinute: number | null,
): PanelState {
  const quota = { day: { used: 0, limit: 9000 }, minute: { used: 0, limit: perMinute }, depth: 0, waits: [0], pausedUntil: null, receivedAt: 0 };
  return {
    ...initialState,
    active: { id: 1, title: "t.psd", width, height, mode: "rgb", bitDepth: 8, resolution: 72, supported: true },
    selection: { bounds },
    quota: quota as unknown as PanelState["quota"],
  };
}

describe("the Fill hint counts a tiled run and its time at the organisation's pace", () => {
  const tiled = (pace: number | null) => withSelection(8000, 6000, { left: 1000, top: 0, right: 7000, bottom: 6000 }, pace);

  test("16 tile fills at 4 requests a minute: about 4 min", () => {
    expect(detailHint("native", tiled(4), 4)).toBe("Native detail: 16 tile fills = 16 requests, about 4 min at your organisation's pace (4/min).");
    expect(detailRequests("native", tiled(4), 4)).toBe(16);
  });

  test("tiles with upscales: the upscales are counted per variation", () => {
    const s = withSelection(12000, 9000, { left: 100, top: 100, right: 11900, bottom: 8900 }, 10);
    expect(detailHint("native", s, 2)).toBe("Native detail: 6 tile fills + 12 upscales = 18 requests, about 1.8 min at your organisation's pace (10/min).");
  });

  test("no pace known (a broker without a per-minute limit): the count alone", () => {
    expect(detailHint("native", tiled(null), 4)).toBe("Native detail: 16 tile fills = 16 requests.");
  });
});
