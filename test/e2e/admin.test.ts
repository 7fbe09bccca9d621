// The broker's /admin page in Chromium: it asks for a key (a non-admin key is refused with a clear
// message), then shows the known state of test/broker/admin-state.ts — the queue per person, the
// 429 pause, usage against the limits, the failure, latency and this instance — and follows the
// queue as it moves (read again every 2 s). The key stays in the tab's sessionStorage, never in
// the URL. Screenshots: test-artifacts/admin/.

import fs from "fs";
import path from "path";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { ADMIN_STATE_ENV, buildAdminState } from "../broker/admin-state";
import { call, KEY_A, KEY_ADMIN, KEY_B, manualClock, registerSecret, startTestBroker, type TestBroker } from "../broker/helpers";
import { collectErrors, openBrowser, type BrowserSession } from "./support/browser";

jest.setTimeout(120_000);

const SHOTS = path.resolve(__dirname, "../../test-artifacts/admin");
const ADMIN_DIR = path.resolve(__dirname, "../../dist/admin");

let ff: FakeFirefly;
let broker: TestBroker;
let browser: BrowserSession;
const clock = manualClock();

beforeAll(async () => {
  if (!fs.existsSync(path.join(ADMIN_DIR, "admin.js"))) throw new Error("dist/admin is not built: run npm run build first");
  ff = await startFakeFirefly({ pollsToFinish: 1000 });
  broker = await startTestBroker({ ...ff.env(), ...ADMIN_STATE_ENV, INFILL_ADMIN_DIR: ADMIN_DIR }, { now: clock.now });
  browser = await openBrowser({ width: 1200, height: 1100 });
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  await browser?.close();
  await broker?.close();
  await ff?.close();
});

const shot = (name: string) => browser.page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: "disabled" });

test("an admin enters the key and sees the queue, the pause, usage, failures and the instance, live", async () => {
  const { page } = browser;
  const errors = collectErrors(page);
  await buildAdminState(broker, ff, clock.now());

  await page.goto(`${broker.url}/admin`);
  await page.getByTestId("admin-key").waitFor();
  await shot("1-key");

  // A key that is not an admin key is refused, and the form stays.
  await page.getByTestId("admin-key").fill(KEY_A);
  await page.getByTestId("admin-key-submit").click();
  await page.getByTestId("admin-key-problem").getByText("not an admin key").waitFor();
  await shot("2-refused");

  await page.getByTestId("admin-key").fill(KEY_ADMIN);
  await page.getByTestId("admin-key-submit").click();
  const people = page.getByTestId("admin-people");
  await people.waitFor();
  const rows = async () => people.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  expect(await rows()).toEqual([
    ["alice", "3", "1", "5", "0", "1", "0"],
    ["bob", "3", "0", "3", "0", "0", "0"],
  ]);
  await page
    .getByTestId("admin-pause")
    .getByText(/Paused by an upstream 429 until .* \(30 s left\)/)
    .waitFor();
  expect(await page.getByTestId("admin-pace-line").textContent()).toBe("10 submits a minute, one every 6 s.");
  expect(await page.getByTestId("admin-minute").textContent()).toContain("3 / 10");
  expect(await page.getByTestId("admin-day").textContent()).toContain("3 / 9000");
  const failure = await page.getByTestId("admin-failures-table").locator("tbody tr td").allTextContents();
  expect(failure.slice(1)).toEqual(["alice", "generate", "invalid_input", "validation_error", "400"]);
  expect(await page.getByTestId("admin-latency-table").textContent()).toContain("firefly");
  expect(await page.getByTestId("admin-store").textContent()).toContain("File store");
  await page.getByTestId("admin-instances-table").getByText(`${broker.dispatcher.instanceId} (this one)`).waitFor();
  await shot("3-overview");

  // The page follows the queue: bob queues one more and the next read shows it.
  const more = await call(broker.url, "POST", "/v3/images/generate-async", { key: KEY_B, body: { prompt: "one more" } });
  expect(more.status).toBe(202);
  await people.locator("tbody tr").nth(1).getByText("4", { exact: true }).first().waitFor({ timeout: 10_000 });
  expect((await rows())[1].slice(0, 3)).toEqual(["bob", "4", "0"]);

  // The key is in this tab's sessionStorage only, never in the URL.
  expect(page.url()).toBe(`${broker.url}/admin`);
  expect(await page.evaluate(() => [sessionStorage.getItem("infill-admin-key"), localStorage.length])).toEqual([KEY_ADMIN, 0]);
  const html = await page.content();
  expect(html).not.toContain(KEY_ADMIN);
  expect(html).not.toContain("admin state");
  expect(errors).toEqual([]);
  await shot("4-live");
});
