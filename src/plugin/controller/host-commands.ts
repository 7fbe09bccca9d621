// Commands answered by host-side services the controller is given: the host check (Settings ›
// Check this Photoshop) and pasting the broker key from the host's clipboard (a docked panel may not
// pass Ctrl/Cmd+V into the webview). The pasted key goes straight to the settings service; the page
// only ever sees whether a key is stored.

import type { CommandOf, EventBody, EventType, HostCheckReport } from "../../common/protocol";
import { SettingsError, type SettingsService } from "../settings/types";

export interface HostCommandOptions {
  /** Runs the host check and saves its report; absent where there is no real host (playground). */
  hostCheck?: () => Promise<{ report: HostCheckReport; savedAs?: string }>;
  /** The host clipboard's text; absent where the host cannot read it. */
  readClipboard?: () => Promise<string>;
}

type Send = <K extends EventType>(type: K, body: Omit<EventBody<K>, "type">) => void;

export async function answerHostCommand(
  cmd: CommandOf<"hostcheck.run"> | CommandOf<"settings.pasteKey">,
  o: HostCommandOptions & { settings: SettingsService },
  send: Send,
): Promise<void> {
  if (cmd.type === "hostcheck.run") {
    if (!o.hostCheck) throw new SettingsError("unavailable", "The host check runs only inside Photoshop.", "Open Infill in Photoshop to check it.");
    const { report, savedAs } = await o.hostCheck();
    send("hostcheck.report", { report, ...(savedAs ? { savedAs } : {}), replyTo: cmd.id });
    return;
  }
  if (!o.readClipboard) throw new SettingsError("unavailable", "This host cannot read the clipboard.", "Type or paste the key into the field instead.");
  const text = (await o.readClipboard()).trim();
  if (!text || /\s/.test(text) || text.length > 4096) {
    throw new SettingsError(
      "bad_key",
      text ? "The clipboard does not hold a broker key (one line, no spaces)." : "The clipboard is empty.",
      "Copy the key the broker printed, then press Paste again.",
    );
  }
  send("settings", { settings: await o.settings.update({ brokerKey: text }), replyTo: cmd.id });
}
