// Which blend settings a run sends. The saved preference applies only when the artist changed it
// from the default; otherwise none is sent and the job uses its own default, which for a fill scales
// the band with the selection (about 1/40 of its longest side, 4–32 px) instead of a fixed 16 px.

import type { BlendSettings } from "../../common/jobs";
import { DEFAULT_PREFERENCES } from "../../common/protocol/settings-schema";

export function blendToSend(saved: BlendSettings | undefined): BlendSettings | undefined {
  if (!saved) return undefined;
  const d = DEFAULT_PREFERENCES.blend;
  if (saved.bandPx === d.bandPx && saved.toneMatch === d.toneMatch) return undefined;
  return { bandPx: saved.bandPx, toneMatch: saved.toneMatch };
}
