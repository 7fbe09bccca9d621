// Host-side commands: the host check through the controller, and pasting the broker key from the
// host clipboard (the key is stored, never sent to the page).
import { answerHostCommand } from "../../src/plugin/controller/host-commands";
import { createSettingsService, MemoryPrefsStore, MemorySecretStore } from "../../src/plugin/settings";
import { makeCommand, type HostCheckReport } from "../../src/common/protocol";
import type { CommandOf } from "../../src/common/protocol";

const report: HostCheckReport = {
  kind: "infill-host-check",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 5,
  versions: { photoshop: "26.0.0", uxp: "8.0.0", os: "x", plugin: "0.1.0" },
  passed: 1,
  failed: 0,
  probes: [{ id: "runtime.url", group: "runtime", verdict: "info", expected: "e", observed: "o" }],
};

function setup(clip?: string) {
  const secrets = new MemorySecretStore();
  const settings = createSettingsService({ secrets, prefs: new MemoryPrefsStore(), defaultBrokerUrl: "http://127.0.0.1:8765" });

  const sent: Array<{ type: string; body: any }> = [];

  const send = (type: any, body: any) => void sent.push({ type, body });
  const o = { settings, hostCheck: async () => ({ report, savedAs: "host-check.json" }), ...(clip !== undefined ? { readClipboard: async () => clip } : {}) };
  return { settings, secrets, sent, send, o };
}

const paste = makeCommand({ type: "settings.pasteKey", id: "p" }) as CommandOf<"settings.pasteKey">;

test("the host check's report is sent with where it was saved", async () => {
  const { sent, send, o } = setup();
  await answerHostCommand(makeCommand({ type: "hostcheck.run", id: "h" }) as CommandOf<"hostcheck.run">, o, send);
  expect(sent).toEqual([{ type: "hostcheck.report", body: { report, savedAs: "host-check.json", replyTo: "h" } }]);
});

test("without a host check (playground) the command gets a clear error", async () => {
  const { send, settings } = setup();
  await expect(answerHostCommand(makeCommand({ type: "hostcheck.run", id: "h" }) as CommandOf<"hostcheck.run">, { settings }, send)).rejects.toMatchObject({
    code: "unavailable",
  });
});

test("Paste stores the clipboard's key (trimmed) and answers with settings that only say a key is stored", async () => {
  const { sent, send, o, settings } = setup("  ifk_abc123\n");
  await answerHostCommand(paste, o, send);
  expect(sent).toHaveLength(1);
  expect(sent[0].body.settings.hasKey).toBe(true);
  expect(JSON.stringify(sent)).not.toContain("ifk_abc123");
  expect((await settings.brokerClient()) !== null).toBe(true);
});

test.each([
  ["", "The clipboard is empty."],
  ["two words", "The clipboard does not hold a broker key (one line, no spaces)."],
])("Paste refuses %j and keeps the stored key", async (clip, message) => {
  const { send, o, settings } = setup(clip);
  await settings.update({ brokerKey: "old-key" });
  await expect(answerHostCommand(paste, o, send)).rejects.toMatchObject({ code: "bad_key", message });
  expect((await settings.view()).hasKey).toBe(true);
});
