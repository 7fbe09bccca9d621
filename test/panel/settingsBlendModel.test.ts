import { DEFAULT_PREFERENCES, settingsPatchSchema } from "../../src/common/protocol/settings-schema";
import { AUTOMATIC_BLEND, blendStatus, chosenBlend } from "../../src/panel/model/blend";
import { createSettingsService } from "../../src/plugin/settings/service";
import { MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings/memory";

describe("going back to the automatic blend", () => {
  test("Settings says which blend runs use: automatic until one is chosen, then its values", () => {
    expect(blendStatus(DEFAULT_PREFERENCES)).toMatch(/^Automatic: /);
    expect(blendStatus({ blend: { bandPx: 24, toneMatch: false }, blendChosen: true })).toBe("Chosen: every run blends over 24 px, tones not matched.");
    expect(blendStatus({ blend: { bandPx: 16, toneMatch: true }, blendChosen: true })).toBe("Chosen: every run blends over 16 px, tones matched.");
    expect(blendStatus({ blend: { bandPx: 24, toneMatch: false }, blendChosen: false })).toMatch(/^Automatic: /);
  });

  test("the automatic blend's change is a valid settings patch that the service applies: runs then send no blend", async () => {
    expect(settingsPatchSchema.parse(AUTOMATIC_BLEND)).toEqual(AUTOMATIC_BLEND);
    const service = createSettingsService({ secrets: new MemorySecretStore(), prefs: new MemoryPrefsStore() });
    const chosen = await service.update({ prefs: { blend: { bandPx: 24, toneMatch: false } } });
    expect(chosenBlend(chosen.prefs)).toEqual({ bandPx: 24, toneMatch: false });
    const automatic = await service.update(AUTOMATIC_BLEND);
    expect(chosenBlend(automatic.prefs)).toBeUndefined();
    expect(blendStatus(automatic.prefs)).toMatch(/^Automatic: /);
    // The saved values stay, so choosing the blend again starts from them.
    expect(automatic.prefs.blend).toEqual({ bandPx: 24, toneMatch: false });
  });
});
