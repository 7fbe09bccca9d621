// Settings in the built panel (dist/plugin/ui): for an admin key, Test connection shows the broker's
// doctor step by step, with what it could not check; other keys see the plain result.
import * as F from "./fixtures";
import { useScriptedPanel } from "./session";
import type { CommandOf } from "../../src/common/protocol/commands";
import type { ConnectionResult } from "../../src/common/protocol/settings-schema";

const p = useScriptedPanel(F.firefly);

async function testConnection(result: ConnectionResult) {
  await p.page.getByRole("tab", { name: "Settings" }).click();
  await p.page.getByTestId("connection-test").click();
  const cmd = (await p.host.waitForCommand("connection.test")) as CommandOf<"connection.test">;
  await p.host.send({ type: "connection.result", result, replyTo: cmd.id });
  return p.page.getByTestId("connection-result");
}

test("an admin key: each step of the broker's doctor with its verdict", async () => {
  const box = await testConnection({
    ok: false,
    diagnosis: "firefly_rejected",
    message: "The broker accepted your key, but Adobe rejected the broker's Firefly credentials.",
    broker: { mode: "firefly" },
    doctor: {
      steps: [
        { step: "ims", ok: true, code: "ok", message: "Adobe IMS issued a token for these credentials and scopes (valid 24 h)." },
        { step: "custom-models", ok: false, code: "scope_missing", message: "GET /v3/custom-models: the token lacks a Firefly scope." },
      ],
    },
  });
  const doctor = box.getByTestId("broker-doctor");
  await doctor.getByText("ims: Adobe IMS issued a token for these credentials and scopes (valid 24 h).").waitFor();
  await doctor.getByText("custom-models: GET /v3/custom-models: the token lacks a Firefly scope.").waitFor();
  expect(await doctor.locator("[data-step]").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-step")}:${e.getAttribute("data-ok")}`))).toEqual([
    "ims:true",
    "custom-models:false",
  ]);
  expect(p.errors).toEqual([]);
});

test("local mode: the broker's note on what it cannot check", async () => {
  const box = await testConnection({
    ...F.local.result,
    doctor: { steps: [], note: "This broker runs the local engine: the IMS token cannot be checked." },
  });
  await box.getByTestId("broker-doctor").getByText("This broker runs the local engine: the IMS token cannot be checked.").waitFor();
  expect(p.errors).toEqual([]);
});

test("a key that is not an admin key: no doctor shown", async () => {
  const box = await testConnection(F.firefly.result);
  await box.getByText(F.firefly.result.message).waitFor();
  expect(await box.getByTestId("broker-doctor").count()).toBe(0);
});
