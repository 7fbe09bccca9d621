// A scripted host for panel-only tests: the built panel page (dist/plugin/ui) in Chromium, with a
// window.uxpHost stand-in that hands every command to the test, and a way to send events back.

import path from "path";
import type { Page } from "playwright-core";
import { PROTOCOL_NAME, PROTOCOL_VERSION } from "../../src/common/protocol/version";
import type { EventBody } from "../../src/common/protocol/events";
import type { Command } from "../../src/common/protocol/commands";

export const PANEL_HTML = path.resolve(__dirname, "../../dist/plugin/ui/index.html");

export interface ScriptedHost {
  commands: Command[];
  send(event: EventBody): Promise<void>;
  waitForCommand(type: Command["type"], timeoutMs?: number): Promise<Command>;
}

export async function openPanel(page: Page): Promise<ScriptedHost> {
  const commands: Command[] = [];
  const waiters: Array<{ type: string; resolve: (c: Command) => void }> = [];
  await page.exposeFunction("__infillCommand", (raw: string) => {
    const cmd = JSON.parse(raw) as Command;
    commands.push(cmd);
    for (const w of waiters.splice(0)) {
      if (w.type === cmd.type) w.resolve(cmd);
      else waiters.push(w);
    }
  });
  await page.addInitScript(() => {
    (window as unknown as { uxpHost: unknown }).uxpHost = {
      postMessage: (m: unknown) =>
        (window as unknown as { __infillCommand: (s: string) => void }).__infillCommand(typeof m === "string" ? m : JSON.stringify(m)),
    };
  });
  await page.goto(`file://${PANEL_HTML}`);
  return {
    commands,
    async send(event) {
      const msg = JSON.stringify({ protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...event });
      await page.evaluate((m) => window.postMessage(m, "*"), msg);
    },
    waitForCommand(type, timeoutMs = 30000) {
      const seen = commands.find((c) => c.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${type} command within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ type, resolve: (c) => (clearTimeout(t), resolve(c)) });
      });
    },
  };
}
