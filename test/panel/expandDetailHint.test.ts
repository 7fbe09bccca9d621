import type { ExpandTarget } from "../../src/common/jobs";
import { expandDetailHint, expandDetailRequests } from "../../src/panel/model/expand-detail";
import { initialState, type PanelState } from "../../src/panel/model/state";

function withDocument(width: number, height: number): PanelState {
  return { ...initialState, active: { id: 1, title: "t.psd", width, height, mode: "rgb", bitDepth: 8, resolution: 72, supported: true } };
}

const sides = (left: number, right: number): ExpandTarget => ({ kind: "sides", left, top: 0, right, bottom: 0 });

describe("the Expand run button's detail hint", () => {
  const wide = withDocument(4000, 1000);

  test("a strip beyond what one request renders counts the expansion and one upscale per variation", () => {
    expect(expandDetailHint("native", wide, sides(0, 3998), 1)).toBe("Native detail: 1 expansion + 1 upscale = 2 requests.");
    expect(expandDetailHint("native", wide, sides(0, 3998), 3)).toBe("Native detail: 1 expansion + 3 upscales = 4 requests.");
    expect(expandDetailRequests("native", wide, sides(0, 3998), 3)).toBe(4);
  });

  test("an expansion generated at native size needs no upscale", () => {
    expect(expandDetailHint("native", withDocument(1200, 800), sides(200, 200), 2)).toBe(
      "Native detail: the expansion is generated at native size (1 request).",
    );
    expect(expandDetailRequests("native", withDocument(1200, 800), sides(200, 200), 2)).toBe(1);
  });

  test("new strips one upscale cannot render count their tile fills", () => {
    expect(expandDetailHint("native", wide, sides(2000, 2000), 1)).toBe("Native detail: 2 tile fills = 2 requests along the new strips.");
    expect(expandDetailRequests("native", wide, sides(2000, 2000), 1)).toBe(2);
  });

  test("the local engine, Standard detail or no document: no upscale counted", () => {
    const local = { ...wide, connection: { ok: true, broker: { mode: "local" } } } as unknown as PanelState;
    expect(expandDetailHint("native", local, sides(0, 3998), 1)).toBe(
      "Native detail needs Firefly's upscale: with the local engine this expansion runs at Standard detail.",
    );
    expect(expandDetailRequests("native", local, sides(0, 3998), 1)).toBe(1);
    expect(expandDetailHint("standard", wide, sides(0, 3998), 1)).toBeNull();
    expect(expandDetailRequests("standard", wide, sides(0, 3998), 1)).toBe(1);
    expect(expandDetailHint("native", { ...wide, active: null }, sides(0, 3998), 1)).toBeNull();
  });
});
