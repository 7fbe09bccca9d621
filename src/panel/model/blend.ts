// Which blend settings a run sends: the saved one only when the artist chose it (Settings marks it
// chosen, even at the default values). Otherwise none is sent and the job uses its own default, which
// for a fill scales the band with the selection (about 1/40 of its longest side, 4–32 px).

import type { BlendSettings } from "../../common/jobs";
import type { Preferences } from "../../common/protocol/settings-schema";

/** The blend the artist chose, or undefined when they never set one. */
export function chosenBlend(prefs: Pick<Preferences, "blend" | "blendChosen"> | undefined): BlendSettings | undefined {
  return prefs?.blendChosen ? prefs.blend : undefined;
}

/** What a run sends: a copy of the chosen blend, or nothing. */
export function blendToSend(chosen: BlendSettings | undefined): BlendSettings | undefined {
  return chosen && { bandPx: chosen.bandPx, toneMatch: chosen.toneMatch };
}
