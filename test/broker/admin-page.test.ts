// GET /admin over real HTTP: the page's files from INFILL_ADMIN_DIR with no key, never framed and
// with no referrer; only files inside the folder; a clear 404 when the page is not built.

import * as fs from "fs";
import * as path from "path";
import { call, startTestBroker, tmpDir, type TestBroker } from "./helpers";

const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});

async function broker(adminDir: string): Promise<TestBroker> {
  const b = await startTestBroker({ INFILL_PROVIDER: "local", INFILL_ADMIN_DIR: adminDir });
  brokers.push(b);
  return b;
}

test("the page and its files are served with no key, not frameable, without a referrer", async () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, "index.html"), "<!DOCTYPE html><title>admin</title>");
  fs.writeFileSync(path.join(dir, "admin.js"), "console.log(1)");
  fs.writeFileSync(path.join(path.dirname(dir), `${path.basename(dir)}-outside.txt`), "outside");
  const b = await broker(dir);
  for (const p of ["/admin", "/admin/"]) {
    const r = await call(b.url, "GET", p);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.text).toContain("<title>admin</title>");
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.headers["content-security-policy"]).toBe("frame-ancestors 'none'");
    expect(r.headers["referrer-policy"]).toBe("no-referrer");
  }
  const js = await call(b.url, "GET", "/admin/admin.js");
  expect(js.status).toBe(200);
  expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
  expect((await call(b.url, "HEAD", "/admin")).status).toBe(200);
  expect((await call(b.url, "GET", `/admin/..%2f${path.basename(dir)}-outside.txt`)).status).toBe(403);
  expect((await call(b.url, "GET", "/admin/missing.js")).status).toBe(404);
  const post = await call(b.url, "POST", "/admin");
  expect(post.status).toBe(405);
  // /administrator is not the page.
  expect((await call(b.url, "GET", "/administrator")).status).toBe(404);
});

test("an unbuilt page is a clear 404", async () => {
  const b = await broker(path.join(tmpDir(), "not-built"));
  const r = await call(b.url, "GET", "/admin");
  expect(r.status).toBe(404);
  expect(r.json.message).toBe("The admin page is not built (run npm run build).");
});
