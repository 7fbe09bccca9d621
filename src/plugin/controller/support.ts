// Which documents Infill can work on. Pure; shared by the controller (to enable buttons) and the
// Photoshop adapter (to refuse before touching pixels).

import type { DocumentSnapshot } from "../../common/host";

/** 8-, 16- and 32-bit RGB documents are supported (read as 8-bit sRGB, written back at their depth). */
export function unsupportedReason(s: Pick<DocumentSnapshot, "mode" | "bitDepth">): string | null {
  if (s.mode !== "rgb") {
    return "Infill works on RGB documents. Convert this one with Image › Mode › RGB Color (or work on an RGB copy).";
  }
  return null;
}
