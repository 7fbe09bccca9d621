// Settings in the built panel (dist/plugin/ui): Paste key asks the host to read its clipboard, and
// Check this Photoshop shows a verdict per probe and the report to copy.
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";
import type { HostCheckReport } from "../../src/common/protocol/hostcheck-schema";

const p = useScriptedPanel(F.local);

const report: HostCheckReport = {
  kind: "infill-host-check",
  startedAt: "2026-12-04T00:00:00.000Z",
  durationMs: 4200,
  versions: { photoshop: "26.1.0", uxp: "8.1.0", os: "darwin 23.4.0", plugin: "0.1.0" },
  passed: 1,
  failed: 1,
  probes: [
    { id: "imaging.8.pixels-round-trip", group: "imaging", verdict: "pass", expected: "exact", observed: "exact" },
    { id: "documents.history-rollback", group: "documents", verdict: "fail", expected: "unchanged", observed: "3 states before, 4 after" },
    {
      id: "runtime.abort-controller",
      group: "runtime",
      verdict: "info",
      expected: "present",
      observed: "aborted works; addEventListener absent",
      branch: "checks `aborted` every 100 ms",
    },
  ],
};

test("Paste key sends the host-side paste; the key never passes through the page", async () => {
  await p.page.getByRole("tab", { name: "Settings" }).click();
  await p.page.getByTestId("broker-key-paste").click();
  await p.host.waitForCommand("settings.pasteKey");
  expect(await p.page.getByLabel("Broker key").inputValue()).toBe("");
});

test("Check this Photoshop shows each verdict, the failures count and the JSON report", async () => {
  await p.page.getByRole("tab", { name: "Settings" }).click();
  await p.page.getByTestId("host-check-run").click();
  const cmd = (await p.host.waitForCommand("hostcheck.run")) as CommandOf<"hostcheck.run">;
  await p.host.send({ type: "hostcheck.report", report, savedAs: "host-check.json", replyTo: cmd.id });
  const box = p.page.getByTestId("host-check-report");
  await box.getByText("1 check(s) failed: send the report below with your issue. Saved in the plugin data folder as host-check.json.").waitFor();
  await box.getByText("documents.history-rollback: 3 states before, 4 after").waitFor();
  await box.getByText("runtime.abort-controller: aborted works; addEventListener absent (checks `aborted` every 100 ms)").waitFor();
  const json = await p.page.getByLabel("Report (select all and copy)").inputValue();
  expect(JSON.parse(json)).toEqual(report);
  expect(p.errors).toEqual([]);
});
