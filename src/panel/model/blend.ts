// Which blend settings a run sends: the saved one only when the artist chose it (Settings marks it
// chosen, even at the default values). Otherwise none is sent and the job uses its own default, which
// for a fill scales the band with the selection (about 1/40 of its longest side, 4–32 px).

import type { BlendSettings } from "../../common/jobs";
import type { Preferences, SettingsPatch } from "../../common/protocol/settings-schema";

/** The blend the artist chose, or undefined when they never set one. */
export function chosenBlend(prefs: Pick<Preferences, "blend" | "blendChosen"> | undefined): BlendSettings | undefined {
  return prefs?.blendChosen ? prefs.blend : undefined;
}

/** What a run sends: a copy of the chosen blend, or nothing. */
export function blendToSend(chosen: BlendSettings | undefined): BlendSettings | undefined {
  return chosen && { bandPx: chosen.bandPx, toneMatch: chosen.toneMatch };
}

/** What Settings says about the blend runs use. */
export function blendStatus(prefs: Pick<Preferences, "blend" | "blendChosen">): string {
  const chosen = chosenBlend(prefs);
  if (!chosen) return "Automatic: each job blends its own way (a fill's band follows its selection, about 1/40 of its longest side, 4–32 px), tones matched.";
  return `Chosen: every run blends over ${chosen.bandPx} px, ${chosen.toneMatch ? "tones matched" : "tones not matched"}.`;
}

/** The settings change that goes back to each job's own blend (the saved values stay, unused). */
export const AUTOMATIC_BLEND: SettingsPatch = { prefs: { blendChosen: false } };
