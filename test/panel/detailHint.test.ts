import { detailHint, detailRequests } from "../../src/panel/model/detail-hint";
import { runWaitText } from "../../src/panel/model/wait";
import { initialState, type PanelState } from "../../src/panel/model/state";

function withSelection(width: number, height: number, bounds: { left: number; top: number; right: number; bottom: number }): PanelState {
  return {
    ...initialState,
    active: { id: 1, title: "t.psd", width, height, mode: "rgb", bitDepth: 8, resolution: 72, supported: true },
    selection: { bounds },
  };
}

describe("the Fill run button's detail hint", () => {
  const big = withSelection(4096, 4096, { left: 300, top: 300, right: 3796, bottom: 3796 });

  test("Native detail counts the fill and one upscale per variation", () => {
    expect(detailHint("native", big, 1)).toBe("Native detail: 1 fill + 1 upscale = 2 requests.");
    expect(detailHint("native", big, 4)).toBe("Native detail: 1 fill + 4 upscales = 5 requests.");
  });

  test("a selection generated at native size needs no upscale", () => {
    expect(detailHint("native", withSelection(1200, 800, { left: 500, top: 300, right: 600, bottom: 380 }), 2)).toBe("Native detail: 1 fill = 1 request.");
  });

  test("a selection that needs tiles counts the tiles' fills and upscales", () => {
    expect(detailHint("native", withSelection(12000, 9000, { left: 100, top: 100, right: 11900, bottom: 8900 }), 1)).toBe(
      "Native detail: 6 tile fills + 6 upscales = 12 requests.",
    );
  });

  test("with the local engine (no upscale) it says the fill runs at Standard detail", () => {
    const local = { ...big, connection: { ok: true, broker: { mode: "local" } } } as unknown as PanelState;
    expect(detailHint("native", local, 1)).toBe("Native detail needs Firefly's upscale: with the local engine this fill runs at Standard detail.");
  });

  test("Standard detail, or nothing selected, says nothing", () => {
    expect(detailHint("standard", big, 1)).toBeNull();
    expect(detailHint("native", { ...big, selection: null }, 1)).toBeNull();
  });
});

describe("the requests a Fill run spends, as the wait line counts them", () => {
  const big = withSelection(4096, 4096, { left: 300, top: 300, right: 3796, bottom: 3796 });

  test("Native detail adds its upscales or its tiles; Standard and the local engine spend one", () => {
    expect(detailRequests("native", big, 4)).toBe(5);
    expect(detailRequests("standard", big, 4)).toBe(1);
    expect(detailRequests("native", withSelection(12000, 9000, { left: 100, top: 100, right: 11900, bottom: 8900 }), 1)).toBe(12);
    const local = { ...big, connection: { ok: true, broker: { mode: "local" } } } as unknown as PanelState;
    expect(detailRequests("native", local, 4)).toBe(1);
  });

  test("the wait line says that count", () => {
    const quota = {
      day: { used: 0, limit: 9000 },
      minute: { used: 0, limit: 4 },
      depth: 0,
      waits: [0],
      pausedUntil: null,
      receivedAt: 0,
    } as unknown as Parameters<typeof runWaitText>[0];
    expect(runWaitText(quota, 0, detailRequests("native", big, 4))).toMatch(/^Uses 5 Firefly requests\./);
  });
});
