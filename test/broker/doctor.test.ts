// `infill-broker doctor` against the fake Firefly upstream: each fault it names, and a clean run.
import * as http from "http";
import type { AddressInfo } from "net";
import { runDoctor, type DoctorOptions, type StepResult } from "../../src/broker/doctor";
import { NetworkError } from "../../src/broker/http/upstream";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";

let ff: FakeFirefly;
beforeAll(async () => {
  ff = await startFakeFirefly({ pollsToFinish: 1 });
});
afterAll(() => ff.close());

const scopes = "openid,AdobeID,firefly_api,ff_apis";

async function doctor(over: Partial<DoctorOptions> = {}): Promise<{ results: StepResult[]; lines: string[] }> {
  const lines: string[] = [];
  const results = await runDoctor({
    clientId: ff.clientId,
    clientSecret: ff.clientSecret,
    imsUrl: ff.imsUrl,
    imsScopes: scopes,
    fireflyUrl: ff.url,
    print: (l) => lines.push(l),
    sleep: async () => undefined,
    timeoutMs: 5000,
    ...over,
  });
  return { results, lines };
}

const summary = (r: StepResult[]) => r.map((s) => `${s.step}:${s.code}`);

test("good credentials: every step proves something, and nothing is generated", async () => {
  const before = ff.calls.length;
  const { results, lines } = await doctor();
  expect(summary(results)).toEqual(["ims:ok", "clock:ok", "custom-models:ok", "upload:ok", "unknown-job:ok"]);
  expect(ff.calls.slice(before).map((c) => c.route)).toEqual(["ims", "custom-models", "upload", "status"]);
  expect(lines.every((l) => l.startsWith("ok  "))).toBe(true);
  expect(lines.join("\n")).not.toContain(ff.clientSecret);
});

test("--generate runs one billed one-variation fill to the end", async () => {
  const before = ff.calls.length;
  const { results } = await doctor({ generate: true });
  expect(results[results.length - 1]).toMatchObject({ step: "fill", ok: true });
  const submits = ff.calls.slice(before).filter((c) => c.route === "submit");
  expect(submits).toHaveLength(1);
  expect(submits[0].body).toMatchObject({ numVariations: 1 });
});

test("a wrong secret: credentials rejected, and the secret is never printed", async () => {
  const { results, lines } = await doctor({ clientSecret: "not-the-secret" });
  expect(summary(results)).toEqual(["ims:credentials_rejected"]);
  expect(lines[0]).toMatch(/^FAIL ims: Adobe IMS rejected the client id or secret \(401 invalid_client/);
  expect(lines.join("\n")).not.toContain("not-the-secret");
});

test("a scope the credential lacks: scope missing", async () => {
  ff.inject({ route: "ims", status: 400, body: { error: "invalid_scope", error_description: "The metascopes are not a subset" } });
  const { results } = await doctor();
  expect(summary(results)).toEqual(["ims:scope_missing"]);
  expect(results[0].message).toContain(scopes);
});

test("an organisation without Firefly: not entitled (x-access-error user_non_entitled)", async () => {
  ff.inject({
    route: "custom-models",
    status: 403,
    body: { error_code: "access_error", message: "Forbidden" },
    headers: { "x-access-error": "user_non_entitled" },
  });
  const { results } = await doctor();
  expect(summary(results)).toEqual(["ims:ok", "clock:ok", "custom-models:not_entitled"]);
});

test("a token without the Firefly scope: scope missing at the first Firefly call", async () => {
  ff.inject({
    route: "custom-models",
    status: 403,
    body: { error_code: "access_error", message: "Forbidden" },
    headers: { "x-access-error": "invalid_ims_scope" },
  });
  expect(summary((await doctor()).results)).toContain("custom-models:scope_missing");
});

test("a client id that is not an API key for Firefly: API key rejected", async () => {
  ff.inject({ route: "custom-models", status: 403, body: { error_code: "403003", message: "Api Key is invalid" } });
  expect(summary((await doctor()).results)).toContain("custom-models:api_key_rejected");
});

test("a clock 10 minutes fast: clock skew, the other steps still run", async () => {
  const { results } = await doctor({ now: () => Date.now() + 10 * 60_000 });
  expect(summary(results)).toEqual(["ims:ok", "clock:clock_skew", "custom-models:ok", "upload:ok", "unknown-job:ok"]);
  expect(results[1].message).toMatch(/ahead of Adobe's/);
});

test("an intercepting proxy's certificate: TLS, with what to do", async () => {
  const { results } = await doctor({ request: async () => Promise.reject(new NetworkError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", true)) });
  expect(summary(results)).toEqual(["ims:tls"]);
  expect(results[0].message).toContain("NODE_EXTRA_CA_CERTS");
});

test("nothing listening at the IMS address: unreachable", async () => {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const { results } = await doctor({ imsUrl: `http://127.0.0.1:${port}/ims/token/v3` });
  expect(summary(results)).toEqual(["ims:unreachable"]);
  expect(results[0].message).toContain("ECONNREFUSED");
});

test("no credentials at all: says which variables to set", async () => {
  const { results } = await doctor({ clientId: undefined });
  expect(summary(results)).toEqual(["credentials:no_credentials"]);
});
