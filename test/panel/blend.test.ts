import { DEFAULT_PREFERENCES } from "../../src/common/protocol/settings-schema";
import { blendToSend, chosenBlend } from "../../src/panel/model/blend";
import { defaultBand } from "../../src/plugin/workflows/capture";

describe("the blend a run sends", () => {
  test("a blend the artist never set is not sent, so a 120×100 fill gets its proportional 4 px band instead of 16", () => {
    expect(chosenBlend(DEFAULT_PREFERENCES)).toBeUndefined();
    expect(chosenBlend({ blend: { bandPx: 8, toneMatch: false }, blendChosen: false })).toBeUndefined();
    expect(chosenBlend(undefined)).toBeUndefined();
    expect(blendToSend(undefined)).toBeUndefined();
    // What the job then uses (the capture's default for a selection with no blend sent).
    expect(defaultBand({ left: 0, top: 0, right: 120, bottom: 100 })).toBe(4);
  });

  test("a chosen blend is sent as saved, even at the default 16 px", () => {
    const chosen = chosenBlend({ blend: { bandPx: 16, toneMatch: true }, blendChosen: true });
    expect(blendToSend(chosen)).toEqual({ bandPx: 16, toneMatch: true });
    expect(blendToSend(chosenBlend({ blend: { bandPx: 0, toneMatch: false }, blendChosen: true }))).toEqual({ bandPx: 0, toneMatch: false });
  });
});
