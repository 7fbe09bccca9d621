import { createSettingsService, MemoryPrefsStore, MemorySecretStore, type PrefsStore } from "../../src/plugin/settings";
import { chosenBlend } from "../../src/panel/model/blend";

const make = (prefs: PrefsStore) => createSettingsService({ secrets: new MemorySecretStore(), prefs, defaultBrokerUrl: "http://localhost:8765" });

describe("the blend preference: never set, or chosen", () => {
  test("never set: no blend chosen; a run without a blend leaves it so", async () => {
    const s = make(new MemoryPrefsStore());
    expect((await s.view()).prefs.blendChosen).toBeFalsy();
    const after = await s.rememberJob({ kind: "fill", numVariations: 2, prompt: "a boat" }, 1000);
    expect(after.prefs.blendChosen).toBeFalsy();
    expect(chosenBlend(after.prefs)).toBeUndefined();
  });

  test("an artist who saves 16 px (the default value) keeps it, across a restart; choosing automatic again forgets it", async () => {
    const store = new MemoryPrefsStore();
    const s = make(store);
    const saved = await s.update({ prefs: { blend: { bandPx: 16, toneMatch: true } } });
    expect(saved.prefs).toMatchObject({ blend: { bandPx: 16, toneMatch: true }, blendChosen: true });
    expect(chosenBlend(saved.prefs)).toEqual({ bandPx: 16, toneMatch: true });
    // Another preference saved later does not undo the choice; nor does a restart.
    await s.update({ prefs: { numVariations: 2 } });
    const restarted = await make(store).view();
    expect(chosenBlend(restarted.prefs)).toEqual({ bandPx: 16, toneMatch: true });
    const automatic = await make(store).update({ prefs: { blendChosen: false } });
    expect(chosenBlend(automatic.prefs)).toBeUndefined();
  });

  test("a run that sent a blend marks it chosen", async () => {
    const s = make(new MemoryPrefsStore());
    const after = await s.rememberJob({ kind: "fill", numVariations: 1, blend: { bandPx: 24, toneMatch: false } }, 1000);
    expect(chosenBlend(after.prefs)).toEqual({ bandPx: 24, toneMatch: false });
  });

  test("files saved before the choice was recorded: a blend other than the default counts as chosen, the default does not", async () => {
    const old = (blend: object) => new MemoryPrefsStore({ version: 1, brokerUrl: "", prefs: { lastPrompt: "", numVariations: 3, blend, history: [] } });
    expect(chosenBlend((await make(old({ bandPx: 8, toneMatch: true })).view()).prefs)).toEqual({ bandPx: 8, toneMatch: true });
    expect(chosenBlend((await make(old({ bandPx: 16, toneMatch: true })).view()).prefs)).toBeUndefined();
    // A recorded choice is read as stored.
    const recorded = new MemoryPrefsStore({ version: 1, brokerUrl: "", prefs: { blend: { bandPx: 16, toneMatch: true }, blendChosen: true } });
    expect(chosenBlend((await make(recorded).view()).prefs)).toEqual({ bandPx: 16, toneMatch: true });
  });
});
