// Which documents Infill can work on. Pure; shared by the controller (to enable buttons) and the
// Photoshop adapter (to refuse before touching pixels).

import type { DocumentSnapshot } from "../../common/host";

export function unsupportedReason(s: Pick<DocumentSnapshot, "mode" | "bitDepth">): string | null {
  if (s.mode !== "rgb") {
    return "Infill works on RGB documents. Convert this one with Image › Mode › RGB Color (or work on an RGB copy).";
  }
  if (s.bitDepth === 32) {
    return "Infill does not work on 32-bit documents. Convert with Image › Mode › 16 Bits/Channel or 8 Bits/Channel.";
  }
  return null;
}
