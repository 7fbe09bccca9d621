import { DEFAULT_PREFERENCES } from "../../src/common/protocol/settings-schema";
import { blendToSend } from "../../src/panel/model/blend";
import { defaultBand } from "../../src/plugin/workflows/capture";

describe("the blend a run sends", () => {
  test("the default preference is not sent, so a 120×100 fill gets its proportional 4 px band instead of 16", () => {
    expect(blendToSend(DEFAULT_PREFERENCES.blend)).toBeUndefined();
    expect(blendToSend({ bandPx: 16, toneMatch: true })).toBeUndefined();
    expect(blendToSend(undefined)).toBeUndefined();
    // What the job then uses (the capture's default for a selection with no blend sent).
    expect(defaultBand({ left: 0, top: 0, right: 120, bottom: 100 })).toBe(4);
  });

  test("a band or tone setting the artist changed is sent as saved", () => {
    expect(blendToSend({ bandPx: 8, toneMatch: true })).toEqual({ bandPx: 8, toneMatch: true });
    expect(blendToSend({ bandPx: 16, toneMatch: false })).toEqual({ bandPx: 16, toneMatch: false });
    expect(blendToSend({ bandPx: 0, toneMatch: false })).toEqual({ bandPx: 0, toneMatch: false });
  });
});
