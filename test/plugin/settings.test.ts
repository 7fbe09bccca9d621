import { fakeUxp } from "../fakes/uxp";
import {
  BROKER_KEY_NAME,
  createSettingsService,
  decodeUtf8,
  encodeUtf8,
  MemoryPrefsStore,
  MemorySecretStore,
  secretFromStored,
  testConnection,
} from "../../src/plugin/settings";
import type { JobState } from "../../src/common/jobs";
import { DataFolderPrefsStore, DataFolderResultStore, UxpSecretStore } from "../../src/plugin/photoshop/uxp-storage";

beforeEach(() => fakeUxp.reset());

// ---- a broker on a fake fetch ----

type Route = (init: RequestInit) => Response | Promise<Response>;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function broker(routes: Record<string, Route>) {
  const seen: Array<{ url: string; auth: string | null }> = [];
  const f = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const headers = new Headers(init.headers as HeadersInit);
    seen.push({ url, auth: headers.get("authorization") });
    const path = new URL(url).pathname;
    const route = routes[path];
    if (!route) return new Response("<html>not found</html>", { status: 404, headers: { "content-type": "text/html" } });
    return route(init);
  }) as typeof fetch;
  return { fetch: f, seen };
}

const health = (mode: "firefly" | "local") => () =>
  json(200, { status: "ok", mode, version: "0.1.0", queue: { depth: 2, submitting: 0 }, upstream: { reachable: true } });
const URL_ = "http://localhost:8765";

describe("test connection says exactly what is wrong", () => {
  test.each([
    ["no URL", "", "no_url"],
    ["not a URL", "localhost:8765", "bad_url"],
    ["an ftp URL", "ftp://localhost:8765", "bad_url"],
  ])("%s", async (_n, url, diagnosis) => {
    const b = broker({});
    const r = await testConnection({ url, key: "k", fetch: b.fetch });
    expect(r).toMatchObject({ ok: false, diagnosis });
    expect(b.seen).toEqual([]);
  });

  test("an origin outside the manifest's permission", async () => {
    const r = await testConnection({ url: "https://broker.other.example", key: "k", fetch: broker({}).fetch, allowedOrigins: [URL_] });
    expect(r).toMatchObject({ ok: false, diagnosis: "not_allowed" });
    expect(r.message).toContain(URL_);
  });

  test("unreachable: nothing answers", async () => {
    const f = (async () => {
      throw new TypeError("Network request failed");
    }) as typeof fetch;
    expect(await testConnection({ url: URL_, key: "k", fetch: f })).toMatchObject({ ok: false, diagnosis: "unreachable", detail: "Network request failed" });
  });

  test("something answers, but it is not a broker", async () => {
    expect(await testConnection({ url: URL_, key: "k", fetch: broker({}).fetch })).toMatchObject({ ok: false, diagnosis: "not_a_broker" });
  });

  test("no key: reachable, mode reported, no authenticated call made", async () => {
    const b = broker({ "/health": health("firefly") });
    const r = await testConnection({ url: URL_, key: null, fetch: b.fetch });
    expect(r).toMatchObject({ ok: false, diagnosis: "no_key", broker: { mode: "firefly", version: "0.1.0", queueDepth: 2, upstreamReachable: true } });
    expect(b.seen.map((s) => s.url)).toEqual([`${URL_}/health`]);
    expect(b.seen[0].auth).toBeNull(); // health is asked without the key
  });

  test("wrong key", async () => {
    const b = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(401, { error_code: "broker_key_invalid", message: "The broker key is not valid." }),
    });
    const r = await testConnection({ url: URL_, key: "nope", fetch: b.fetch });
    expect(r).toMatchObject({ ok: false, diagnosis: "wrong_key" });
    expect(b.seen[1].auth).toBe("Bearer nope");
  });

  test("broker in local mode: connected, with what that means", async () => {
    const b = broker({
      "/health": health("local"),
      "/v3/custom-models": () => json(400, { error_code: "needs_firefly_credentials", message: "Custom models needs Firefly credentials" }),
    });
    const r = await testConnection({ url: URL_, key: "k", fetch: b.fetch });
    expect(r).toMatchObject({ ok: true, diagnosis: "local_mode", broker: { mode: "local" } });
    expect(r.hint).toMatch(/FIREFLY_SERVICES_CLIENT_ID/);
  });

  test("Firefly credentials rejected by Adobe", async () => {
    const b = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(502, { error_code: "ims_token_failed", message: "Adobe IMS: invalid_client" }),
    });
    const r = await testConnection({ url: URL_, key: "k", fetch: b.fetch });
    expect(r).toMatchObject({ ok: false, diagnosis: "firefly_rejected" });
    expect(r.detail).toContain("invalid_client");
  });

  test("Firefly unreachable from the broker", async () => {
    const b = broker({ "/health": health("firefly"), "/v3/custom-models": () => json(503, { error_code: "upstream_unreachable", message: "x" }) });
    expect(await testConnection({ url: URL_, key: "k", fetch: b.fetch })).toMatchObject({ ok: false, diagnosis: "upstream_unreachable" });
  });

  test("all good", async () => {
    const b = broker({ "/health": health("firefly"), "/v3/custom-models": () => json(200, { custom_models: [] }) });
    const r = await testConnection({ url: `${URL_}/`, key: "k", fetch: b.fetch });
    expect(r).toMatchObject({ ok: true, diagnosis: "ok", broker: { mode: "firefly" } });
    expect(b.seen.map((s) => s.url)).toEqual([`${URL_}/health`, `${URL_}/v3/custom-models?start=0&limit=50`, `${URL_}/v1/admin/doctor`]);
    expect(r.doctor).toBeUndefined(); // the fake broker has no doctor: the result is the plain one
  });
});

describe("an admin key also gets the broker's doctor", () => {
  const steps = [
    { step: "ims", ok: true, code: "ok", message: "Adobe IMS issued a token." },
    { step: "custom-models", ok: false, code: "scope_missing", message: "GET /v3/custom-models: the token lacks a Firefly scope." },
  ];

  test("admin: each step's verdict, asked with the key", async () => {
    const b = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(200, { custom_models: [] }),
      "/v1/admin/doctor": () => json(200, { mode: "firefly", steps }),
    });
    const r = await testConnection({ url: URL_, key: "admin-key", fetch: b.fetch });
    expect(r).toMatchObject({ ok: true, diagnosis: "ok", doctor: { steps } });
    expect(b.seen.find((s) => s.url.endsWith("/v1/admin/doctor"))?.auth).toBe("Bearer admin-key");
  });

  test("also when Adobe rejected the broker's credentials: the doctor says which step", async () => {
    const b = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(502, { error_code: "ims_token_failed", message: "Adobe IMS: invalid_client" }),
      "/v1/admin/doctor": () =>
        json(200, {
          mode: "firefly",
          steps: [{ step: "ims", ok: false, code: "credentials_rejected", message: "Adobe IMS rejected the client id or secret." }],
        }),
    });
    const r = await testConnection({ url: URL_, key: "admin-key", fetch: b.fetch });
    expect(r).toMatchObject({ ok: false, diagnosis: "firefly_rejected", doctor: { steps: [{ step: "ims", code: "credentials_rejected" }] } });
  });

  test("a key that is not an admin key: refused, and the result is unchanged", async () => {
    const b = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(200, { custom_models: [] }),
      "/v1/admin/doctor": () => json(403, { error_code: "forbidden", message: "admin keys only" }),
    });
    const r = await testConnection({ url: URL_, key: "k", fetch: b.fetch });
    expect(r).toEqual({ ok: true, diagnosis: "ok", message: expect.any(String), broker: expect.objectContaining({ mode: "firefly" }) });
  });

  test("local mode: the broker's note on what it cannot check", async () => {
    const b = broker({
      "/health": health("local"),
      "/v3/custom-models": () => json(400, { error_code: "needs_firefly_credentials", message: "x" }),
      "/v1/admin/doctor": () => json(200, { mode: "local", steps: [], note: "This broker runs the local engine: nothing to check with Adobe." }),
    });
    const r = await testConnection({ url: URL_, key: "admin-key", fetch: b.fetch });
    expect(r).toMatchObject({ diagnosis: "local_mode", doctor: { steps: [], note: "This broker runs the local engine: nothing to check with Adobe." } });
  });

  test("a doctor that never answers or answers nonsense: a note, never a hang or a crash", async () => {
    const silent = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(200, { custom_models: [] }),
      "/v1/admin/doctor": () => new Promise<Response>(() => undefined),
    });
    const r1 = await testConnection({ url: URL_, key: "admin-key", fetch: silent.fetch, doctorTimeoutMs: 5 });
    expect(r1).toMatchObject({ diagnosis: "ok", doctor: { steps: [], note: expect.stringMatching(/did not finish/) } });
    const odd = broker({
      "/health": health("firefly"),
      "/v3/custom-models": () => json(200, { custom_models: [] }),
      "/v1/admin/doctor": () => json(200, { steps: "all fine" }),
    });
    const r2 = await testConnection({ url: URL_, key: "admin-key", fetch: odd.fetch });
    expect(r2.doctor).toEqual({ steps: [], note: expect.stringMatching(/shape this panel does not know/) });
  });
});

describe("secure storage of the broker key", () => {
  test("UTF-8 round trip, with and without TextDecoder", () => {
    const key = "brk_Ää-ß-漢字-🔑";
    const bytes = encodeUtf8(key);
    expect(decodeUtf8(bytes)).toBe(key);
    const saved = { TextDecoder: globalThis.TextDecoder, TextEncoder: globalThis.TextEncoder };
    try {
      (globalThis as { TextDecoder?: unknown }).TextDecoder = undefined;
      (globalThis as { TextEncoder?: unknown }).TextEncoder = undefined;
      expect(Array.from(encodeUtf8(key))).toEqual(Array.from(bytes));
      expect(decodeUtf8(bytes)).toBe(key);
      expect(decodeUtf8(new Uint8Array([0xc3]))).toBeNull(); // truncated
      expect(decodeUtf8(new Uint8Array([0xff, 0x41]))).toBeNull();
    } finally {
      Object.assign(globalThis, saved);
    }
  });

  test("whatever getItem answers for a missing key means: no key", async () => {
    const store = new UxpSecretStore();
    for (const missing of ["null", "undefined", "reject", "empty"] as const) {
      fakeUxp.missingItem = missing;
      expect(await store.get(BROKER_KEY_NAME)).toBeNull();
    }
    expect(secretFromStored("abc")).toBe("abc");
    expect(secretFromStored(new Uint8Array([0x61, 0x62]).buffer)).toBe("ab");
  });

  test("the key is written as UTF-8 bytes to secure storage, read back, removed; never to a file", async () => {
    const settings = createSettingsService({ secrets: new UxpSecretStore(), prefs: new DataFolderPrefsStore(), defaultBrokerUrl: URL_ });
    const key = "brk_Ää-🔑-secret";
    const view = await settings.update({ brokerKey: `  ${key}\n`, prefs: { lastPrompt: "hi" } });
    expect(view).toEqual({ brokerUrl: URL_, hasKey: true, prefs: expect.objectContaining({ lastPrompt: "hi" }) });
    expect(JSON.stringify(view)).not.toContain(key);
    expect(fakeUxp.secure.get(BROKER_KEY_NAME)).toEqual(encodeUtf8(key)); // trimmed, UTF-8
    expect(fakeUxp.allFileText()).not.toContain("brk_");
    expect(fakeUxp.readText("preferences.json")).toContain('"lastPrompt": "hi"');
    // A fresh service (a restart) reads the key back from secure storage.
    const again = createSettingsService({ secrets: new UxpSecretStore(), prefs: new DataFolderPrefsStore(), defaultBrokerUrl: URL_ });
    expect((await again.view()).hasKey).toBe(true);
    await again.update({ clearKey: true });
    expect(fakeUxp.secure.has(BROKER_KEY_NAME)).toBe(false);
    expect((await again.update({ clearKey: true })).hasKey).toBe(false); // removing twice is fine
  });

  test("an empty key is refused; a key is never stored in preferences", async () => {
    const prefs = new MemoryPrefsStore();
    const settings = createSettingsService({ secrets: new MemorySecretStore(), prefs });
    await expect(settings.update({ brokerKey: "   " })).rejects.toMatchObject({ code: "no_key" });
    await settings.update({ brokerKey: "abc", brokerUrl: URL_ });
    expect(JSON.stringify(await prefs.load())).not.toContain("abc");
  });
});

describe("preferences in the plugin data folder", () => {
  test("defaults, then persisted across restarts; a damaged file falls back to defaults field by field", async () => {
    const make = () => createSettingsService({ secrets: new UxpSecretStore(), prefs: new DataFolderPrefsStore(), defaultBrokerUrl: URL_ });
    expect((await make().view()).prefs).toEqual({ lastPrompt: "", numVariations: 3, blend: { bandPx: 16, toneMatch: true }, history: [] });
    const s = make();
    await s.rememberJob({ kind: "fill", numVariations: 2, prompt: "a boat", blend: { bandPx: 8, toneMatch: false } }, 1000);
    await s.rememberJob({ kind: "generate", numVariations: 4, prompt: "a castle" }, 2000);
    await s.rememberJob({ kind: "fill", numVariations: 1, prompt: "a boat" }, 3000);
    const prefs = (await make().view()).prefs;
    expect(prefs).toEqual({
      lastPrompt: "a boat",
      numVariations: 1,
      blend: { bandPx: 8, toneMatch: false },
      blendChosen: true,
      history: [
        { at: 3000, kind: "fill", prompt: "a boat" },
        { at: 2000, kind: "generate", prompt: "a castle" },
      ],
    });
    // Damage one field: the others survive.
    const text = JSON.parse(fakeUxp.readText("preferences.json")!);
    text.prefs.numVariations = "lots";
    await new DataFolderPrefsStore().save(text);
    expect((await make().view()).prefs).toMatchObject({ lastPrompt: "a boat", numVariations: 3 });
  });

  test("a broker URL outside the manifest's origins is refused when set", async () => {
    const s = createSettingsService({ secrets: new MemorySecretStore(), prefs: new MemoryPrefsStore(), allowedOrigins: async () => [URL_] });
    await expect(s.update({ brokerUrl: "https://elsewhere.example" })).rejects.toMatchObject({ code: "not_allowed" });
    expect((await s.update({ brokerUrl: `${URL_}/` })).brokerUrl).toBe(URL_);
  });
});

describe("result store in the plugin data folder", () => {
  test("records and bytes round-trip, list newest first, delete bytes then the job", async () => {
    const store = new DataFolderResultStore();
    const state: JobState = {
      jobId: "job-a:1",
      kind: "fill",
      params: { kind: "fill", numVariations: 1 },
      docId: 1,
      docTitle: "t",
      phase: "kept",
      startedAt: 1,
      variations: [],
    };
    await store.putJob({ jobId: "job-a:1", state: { ...state }, request: { x: 1 }, updatedAt: 10 });
    await store.putJob({ jobId: "job-b", state: { ...state, jobId: "job-b" }, request: null, updatedAt: 20 });
    const bytes = new Uint8Array([0, 255, 1, 128]);
    const view = new Uint8Array(new Uint8Array([9, 9, 0, 255, 1, 128, 9]).buffer, 2, 4); // a view into a larger buffer
    await store.putBytes("job-a:1", "result-0", view);
    await store.putBytes("job-a:1", "selection-mask.png", bytes);
    expect(await store.getBytes("job-a:1", "result-0")).toEqual(bytes);
    expect(await store.getBytes("job-a:1", "missing")).toBeNull();
    expect((await store.listJobs()).map((r) => r.jobId)).toEqual(["job-b", "job-a:1"]);
    expect(await store.getJob("job-a:1")).toMatchObject({ request: { x: 1 } });
    await store.deleteBytes("job-a:1");
    expect(await store.getBytes("job-a:1", "result-0")).toBeNull();
    expect(await store.getJob("job-a:1")).not.toBeNull();
    await store.deleteJob("job-a:1");
    expect(await store.getJob("job-a:1")).toBeNull();
    expect(await store.getJob("job-b")).not.toBeNull();
  });
});
