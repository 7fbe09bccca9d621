// One set-up for the panel-only tests: a fresh Chromium page per test with the built panel, its
// errors collected, and a scripted host that has answered the panel's greeting and settings.

import type { Page } from "playwright-core";
import type { EventBody } from "../../src/common/protocol/events";
import { openBrowser, collectErrors, BrowserSession } from "../e2e/support/browser";
import * as F from "./fixtures";
import { openPanel, ScriptedHost } from "./scriptedHost";

export interface PanelSession {
  readonly page: Page;
  readonly host: ScriptedHost;
  /** Page errors and console errors seen so far in this test. */
  readonly errors: string[];
}

/** `connection`: what the connection test answers (local or Firefly engine); `more`: further events before each test. */
export function useScriptedPanel(
  connection: EventBody<"connection.result">,
  more: (host: ScriptedHost) => Promise<void> = async () => undefined,
): PanelSession {
  let s: BrowserSession | undefined;
  let host: ScriptedHost | undefined;
  let errors: string[] = [];
  beforeEach(async () => {
    s = await openBrowser({ width: 400, height: 1100 });
    errors = collectErrors(s.page);
    host = await openPanel(s.page);
    await host.waitForCommand("hello");
    await host.send(F.hello);
    await host.send(F.settings());
    await host.send(connection);
    await more(host);
  });
  afterEach(async () => {
    await s?.close();
    s = host = undefined;
  });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("the panel session is only open inside a test");
    return v;
  };
  return {
    get page() {
      return need(s).page;
    },
    get host() {
      return need(host);
    },
    get errors() {
      return errors;
    },
  };
}
