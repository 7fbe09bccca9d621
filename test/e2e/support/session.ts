// One place for what every end-to-end file sets up: the real broker (optionally in Firefly mode
// against the in-repo fake Firefly) and a Debian chromium page, started before the tests of the
// enclosing describe block and stopped after them, in the right order.

import type { Page } from "playwright-core";
import sharp from "sharp";
import { startFakeFirefly, FakeFirefly, FakeFireflyOptions } from "../../fakes/firefly";
import { openBrowser, BrowserSession } from "./browser";
import { startBroker, RunningBroker } from "./broker";

export interface SessionOptions {
  /** Extra broker environment. */
  env?: Record<string, string>;
  /** Firefly mode: start the fake Firefly with these options first and point the broker at it. */
  firefly?: () => Promise<FakeFireflyOptions> | FakeFireflyOptions;
  /** A fresh browser for every test instead of one for the whole block. */
  browserPerTest?: boolean;
}

/** A fake Firefly whose outputs are one plain 2048² PNG of this colour (Firefly's default generate size). */
export function plainOutputFirefly(r: number, g: number, b: number): () => Promise<FakeFireflyOptions> {
  return async () => ({
    outputImage: await sharp({ create: { width: 2048, height: 2048, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer(),
    pollsToFinish: 2,
  });
}

export interface PlaygroundSession {
  readonly broker: RunningBroker;
  readonly browser: BrowserSession;
  readonly page: Page;
  /** The fake Firefly (Firefly mode only). */
  readonly ff: FakeFirefly;
}

export function usePlaygroundSession(options: SessionOptions = {}): PlaygroundSession {
  let ff: FakeFirefly | undefined;
  let broker: RunningBroker | undefined;
  let browser: BrowserSession | undefined;
  const openEach = options.browserPerTest ?? false;

  beforeAll(async () => {
    if (options.firefly) ff = await startFakeFirefly(await options.firefly());
    // Instant previews add a history step of their own: off unless a test turns them on.
    broker = await startBroker({ env: { ...(ff ? { ...ff.env(), INFILL_RATE_PER_MINUTE: "0", INFILL_PREVIEWS: "off" } : {}), ...options.env } });
    if (!openEach) browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
    await ff?.close();
  });
  if (openEach) {
    beforeEach(async () => {
      browser = await openBrowser();
    });
    afterEach(async () => {
      await browser?.close();
      browser = undefined;
    });
  }

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e session has no ${what} (set-up failed or not in a test)`);
    return value;
  };
  return {
    get broker() {
      return need(broker, "broker");
    },
    get browser() {
      return need(browser, "browser");
    },
    get page() {
      return need(browser, "browser").page;
    },
    get ff() {
      return need(ff, "fake Firefly");
    },
  };
}
