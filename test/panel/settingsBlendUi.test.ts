// Settings in the built panel (dist/plugin/ui): the blend in use is said, and "Use automatic blend"
// goes back to each job's own blend.
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";

const p = useScriptedPanel(F.local);

test("a chosen blend is said, and Use automatic blend sends blendChosen false; the panel then says automatic", async () => {
  const chosen = F.settings();
  chosen.settings.prefs = { ...chosen.settings.prefs, blend: { bandPx: 24, toneMatch: false }, blendChosen: true };
  await p.host.send(chosen);
  await p.page.getByRole("tab", { name: "Settings" }).click();
  await p.page.getByTestId("blend-status").getByText("Chosen: every run blends over 24 px, tones not matched.").waitFor();
  await p.page.getByTestId("blend-automatic").click();
  const cmd = (await p.host.waitForCommand("settings.set")) as CommandOf<"settings.set">;
  expect(cmd.settings).toEqual({ prefs: { blendChosen: false } });
  const automatic = F.settings();
  automatic.settings.prefs = { ...chosen.settings.prefs, blendChosen: false };
  await p.host.send(automatic);
  await p.page
    .getByTestId("blend-status")
    .getByText(/^Automatic: /)
    .waitFor();
  expect(await p.page.getByTestId("blend-automatic").isDisabled()).toBe(true);
  expect(p.errors).toEqual([]);
});
