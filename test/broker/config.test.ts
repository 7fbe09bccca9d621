// Start-up configuration: modes, keys, bad settings stopping start-up with one clear line, and the
// real entry point (`main`) run as a child process: what it prints, its exit codes, SIGTERM.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, loadConfig, parseDotEnv } from "../../src/broker/config";
import { KeyRing, sha256 } from "../../src/broker/keys";
import { startFakeFirefly } from "../fakes/firefly";
import { call, capture, KEY_A, registerSecret, startTestBroker, tmpDir, until } from "./helpers";
import { TS_NODE_ARGS } from "../support/node-ts";

const base = (dir: string) => ({ INFILL_CONFIG_DIR: path.join(dir, "cfg"), INFILL_DATA_DIR: path.join(dir, "data") });

describe("loadConfig", () => {
  test("mode: both credentials → firefly, neither → local, INFILL_PROVIDER forces", () => {
    const dir = tmpDir();
    const ff = loadConfig({ ...base(dir), FIREFLY_SERVICES_CLIENT_ID: "id", FIREFLY_SERVICES_CLIENT_SECRET: "secret-value-123" }, { cwd: dir });
    expect(ff.mode).toBe("firefly");
    expect(ff.ratePerMinute).toBe(4);
    expect(ff.ratePerDay).toBe(9000);
    expect(ff.imsUrl).toBe("https://ims-na1.adobelogin.com/ims/token/v3");
    expect(ff.imsScopes).toBe("openid,AdobeID,session,additional_info,read_organizations,firefly_api,ff_apis");
    expect(ff.fireflyUrl).toBe("https://firefly-api.adobe.io");
    expect(ff.host).toBe("127.0.0.1");
    expect(ff.port).toBe(8765);
    const local = loadConfig(base(dir), { cwd: dir });
    expect(local.mode).toBe("local");
    expect(local.ratePerMinute).toBe(Infinity);
    expect(
      loadConfig({ ...base(dir), FIREFLY_SERVICES_CLIENT_ID: "id", FIREFLY_SERVICES_CLIENT_SECRET: "secret-value-123", INFILL_PROVIDER: "local" }, { cwd: dir })
        .mode,
    ).toBe("local");
  });

  test.each([
    [{ FIREFLY_SERVICES_CLIENT_ID: "id" }, /FIREFLY_SERVICES_CLIENT_SECRET/],
    [{ FIREFLY_SERVICES_CLIENT_SECRET: "s" }, /FIREFLY_SERVICES_CLIENT_ID/],
    [{ INFILL_PORT: "99999" }, /INFILL_PORT/],
    [{ INFILL_PORT: "http" }, /INFILL_PORT/],
    [{ INFILL_PROVIDER: "cloud" }, /INFILL_PROVIDER/],
    [{ INFILL_PROVIDER: "firefly" }, /INFILL_PROVIDER=firefly needs/],
    [{ INFILL_KEYS_FILE: "/nonexistent/keys.json" }, /INFILL_KEYS_FILE: cannot read/],
    [{ INFILL_API_KEY: "short" }, /INFILL_API_KEY/],
    [{ INFILL_RATE_PER_MINUTE: "-1" }, /INFILL_RATE_PER_MINUTE/],
    [{ INFILL_FIREFLY_URL: "ftp://x" }, /INFILL_FIREFLY_URL/],
    [{ INFILL_REDIS_URL: "localhost:6379" }, /INFILL_REDIS_URL must start with redis:\/\//],
    [{ INFILL_REDIS_URL: "not a url" }, /INFILL_REDIS_URL is not a valid URL/],
    [{ INFILL_REDIS_URL: "redis://" }, /INFILL_REDIS_URL has no host/],
    [{ INFILL_HOST: "bad host" }, /^INFILL_HOST is not a host name or address$/],
    [{ INFILL_PORT: "65536" }, /^INFILL_PORT must be between 0 and 65535 \(got 65536\)$/],
    [{ INFILL_PORT: "80 80" }, /^INFILL_PORT must be a whole number \(got "80 80"\)$/],
    [{ INFILL_MAX_QUEUED_PER_KEY: "0" }, /^INFILL_MAX_QUEUED_PER_KEY must be between 1 and 100000 \(got 0\)$/],
    [{ INFILL_UPSTREAM_TIMEOUT_MS: "1.5" }, /^INFILL_UPSTREAM_TIMEOUT_MS must be a whole number/],
    [{ INFILL_RETRY_BASE_MS: "60001" }, /^INFILL_RETRY_BASE_MS must be between 0 and 60000/],
    [{ INFILL_RATE_PER_DAY: "lots" }, /^INFILL_RATE_PER_DAY must be a whole number \(got "lots"\)$/],
    [{ INFILL_PROVIDER: "cloud" }, /^INFILL_PROVIDER must be "firefly" or "local" \(got "cloud"\)$/],
    [{ INFILL_API_KEY: "   short-key    " }, /^INFILL_API_KEY is too short \(16 characters at least\)$/],
    [{ INFILL_PUBLIC_URL: "not a url" }, /^INFILL_PUBLIC_URL is not a URL$/],
    [{ INFILL_IMS_URL: "file:///etc/passwd" }, /^INFILL_IMS_URL must be an http\(s\) URL$/],
  ])("bad configuration %j stops with one clear line", (env, re) => {
    const dir = tmpDir();
    let err: unknown;
    try {
      loadConfig({ ...base(dir), ...env }, { cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain("\n");
  });

  test("values from the environment: trimmed, listed, trailing slashes dropped, 0 rates mean no pacing", () => {
    const dir = tmpDir();
    const c = loadConfig(
      {
        ...base(dir),
        INFILL_HOST: " 0.0.0.0 ",
        INFILL_PORT: " 9000 ",
        INFILL_API_KEY: "  ifk_default_0123456789  ",
        INFILL_PUBLIC_URL: "https://infill.example.com/",
        INFILL_FIREFLY_URL: "http://127.0.0.1:9/firefly//",
        INFILL_ALLOWED_HOSTS: " Studio.Local , ,render-1 ",
        INFILL_OUTPUT_HOSTS: "a.example.com,b.example.com",
        INFILL_CORS_ORIGINS: "",
        INFILL_RATE_PER_MINUTE: "0",
        INFILL_RATE_PER_DAY: "",
        INFILL_MAX_QUEUED_PER_KEY: "5",
        INFILL_IMS_SCOPES: "  ",
        INFILL_PROVIDER: " local ",
      },
      { cwd: dir },
    );
    expect(c.host).toBe("0.0.0.0");
    expect(c.port).toBe(9000);
    expect(c.mode).toBe("local");
    expect(c.keys.map((k) => [k.name, k.plain])).toEqual([["default", "ifk_default_0123456789"]]);
    expect(c.keySource).toBe("env");
    expect(c.publicUrl).toBe("https://infill.example.com");
    expect(c.fireflyUrl).toBe("http://127.0.0.1:9/firefly");
    expect(c.allowedHosts.sort()).toEqual(["127.0.0.1", "::1", "infill.example.com", "localhost", "render-1", "studio.local"]);
    expect(c.outputHosts).toEqual(["a.example.com", "b.example.com"]);
    expect(c.corsOrigins).toEqual([]);
    expect(c.ratePerMinute).toBe(Infinity);
    expect(c.ratePerDay).toBe(Infinity);
    expect(c.maxQueuedPerKey).toBe(5);
    expect(c.imsScopes).toBe("openid,AdobeID,session,additional_info,read_organizations,firefly_api,ff_apis");
    expect(c.upstreamTimeoutMs).toBe(60_000);
    expect(c.retryBaseMs).toBe(250);
  });

  test("keys file: plain and hashed keys, names, admin; duplicates and malformed entries refused", () => {
    const dir = tmpDir();
    const file = path.join(dir, "k.json");
    fs.writeFileSync(
      file,
      JSON.stringify([
        { name: "ann", key: "ifk_ann_0123456789abcdef" },
        { name: "ben", key: `sha256:${sha256("ifk_ben_0123456789abcdef").toString("hex")}`, admin: true },
      ]),
    );
    const cfg = loadConfig({ ...base(dir), INFILL_KEYS_FILE: file }, { cwd: dir });
    const ring = new KeyRing(cfg.keys);
    expect(ring.find("ifk_ann_0123456789abcdef")?.name).toBe("ann");
    expect(ring.find("ifk_ben_0123456789abcdef")).toMatchObject({ name: "ben", admin: true });
    expect(ring.find("ifk_ben_0123456789abcdeF")).toBeUndefined();
    expect(ring.find("")).toBeUndefined();
    fs.writeFileSync(
      file,
      JSON.stringify({
        keys: [
          { name: "a", key: "ifk_0123456789abcdef" },
          { name: "a", key: "ifk_0123456789abcdeg" },
        ],
      }),
    );
    expect(() => loadConfig({ ...base(dir), INFILL_KEYS_FILE: file }, { cwd: dir })).toThrow(/appears twice/);
    fs.writeFileSync(file, "{not json");
    expect(() => loadConfig({ ...base(dir), INFILL_KEYS_FILE: file }, { cwd: dir })).toThrow(/not valid JSON/);
  });

  test("each key is found every time it comes; near misses and unknown keys stay refused however often they come", () => {
    const ann = { name: "ann", hash: sha256("ifk_ann_0123456789abcdef"), admin: false };
    const ben = { name: "ben", hash: sha256("ifk_ben_0123456789abcdef"), admin: true };
    const ring = new KeyRing([ann, ben]);
    for (let round = 0; round < 3; round++) {
      expect(ring.find("ifk_ann_0123456789abcdef")).toBe(ann);
      expect(ring.find("ifk_ben_0123456789abcdef")).toBe(ben);
      expect(ring.find("ifk_ann_0123456789abcdeF")).toBeUndefined();
      expect(ring.find("ifk_ann_0123456789abcde")).toBeUndefined();
      expect(ring.find("ifk_ann_0123456789abcdef ")).toBeUndefined();
      expect(ring.find(`ifk_stranger_${round}_0123456789abcdef`)).toBeUndefined();
    }
  });

  test("keys configured in plain text or hashed match exactly: near misses, empty and oversized keys are refused", () => {
    const key = "ifk_ann_0123456789abcdef";
    const plain = new KeyRing([{ name: "ann", hash: sha256(key), admin: false, plain: key }]);
    const hashed = new KeyRing([{ name: "ann", hash: sha256(key), admin: false }]);
    for (const ring of [plain, hashed]) {
      expect(ring.find(key)?.name).toBe("ann");
      // The key repeated, cut short, one character off, in another case: all refused.
      for (const near of [key + key, key.slice(0, -1), key.slice(1), key.replace("f", "e"), key.toUpperCase(), "x", "", "x".repeat(513)])
        expect(ring.find(near)).toBeUndefined();
    }
  });

  test("with no keys configured, one is created owner-only in the config folder and reused", () => {
    const dir = tmpDir();
    const a = loadConfig(base(dir), { cwd: dir });
    expect(a.keySource).toBe("generated");
    expect(a.localKey!.created).toBe(true);
    registerSecret(a.localKey!.key);
    const st = fs.statSync(a.localKey!.file);
    expect(st.mode & 0o777).toBe(0o600);
    const b = loadConfig(base(dir), { cwd: dir });
    expect(b.localKey!.key).toBe(a.localKey!.key);
    expect(b.localKey!.created).toBe(false);
  });

  test(".env is read; the environment wins", () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, ".env"), "# comment\nINFILL_PORT=9001\nexport INFILL_HOST='0.0.0.0'\nINFILL_RATE_PER_MINUTE=7 # seven\n");
    const cfg = loadConfig({ ...base(dir), INFILL_PORT: "9002" }, { cwd: dir });
    expect(cfg.port).toBe(9002);
    expect(cfg.host).toBe("0.0.0.0");
    expect(parseDotEnv('A="x y"\nB=1 # c\nbad line')).toEqual({ A: "x y", B: "1" });
  });
});

describe("local mode", () => {
  test("without the local engine the broker still starts and answers job routes with a clear error", async () => {
    const b = await startTestBroker({ INFILL_PROVIDER: "local" }, { localProviderFactory: null });
    try {
      const h = await call(b.url, "GET", "/health");
      expect(h.json).toMatchObject({ status: "degraded", mode: "local" });
      const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "x" } });
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ error_code: "provider_unavailable", category: "service_unavailable" });
      expect(r.json.message).toMatch(/local engine/);
    } finally {
      await b.close();
    }
  });
});

describe("main (the infill-broker command)", () => {
  const node = process.execPath;
  const run = (env: Record<string, string>, cwd: string) =>
    spawn(node, [...TS_NODE_ARGS, "-e", 'require("./src/broker/main").main(process.argv.slice(1)).catch((e)=>{console.error(e.message);process.exit(1)})'], {
      cwd: path.join(__dirname, "..", ".."),
      env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });

  test("bad configuration: one line on stderr and exit code 2", async () => {
    const dir = tmpDir();
    const p = run({ ...base(dir), FIREFLY_SERVICES_CLIENT_ID: "only-the-id" }, dir);
    let err = "";
    p.stderr.on("data", (c) => (err += c));
    const code = await new Promise<number | null>((r) => p.on("exit", r));
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/FIREFLY_SERVICES_CLIENT_SECRET/);
  });

  test("a malformed INFILL_REDIS_URL: one line on stderr, exit code 2, no password shown", async () => {
    const dir = tmpDir();
    const p = run({ ...base(dir), INFILL_REDIS_URL: "redis://:pw-not-to-print-42@" }, dir);
    let err = "";
    let out = "";
    p.stderr.on("data", (c) => (err += c));
    p.stdout.on("data", (c) => (out += c));
    const code = await new Promise<number | null>((r) => p.on("exit", r));
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/^infill-broker: INFILL_REDIS_URL/);
    expect(err + out).not.toContain("pw-not-to-print-42");
  });

  test("start-up prints mode, address, playground and how to pair; SIGTERM stops it cleanly", async () => {
    const dir = tmpDir();
    const ff = await startFakeFirefly();
    const p = run({ ...base(dir), ...ff.env(), INFILL_PORT: "0" }, dir);
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (out += c));
    try {
      await until(() => /Broker key to:\n\s+(ifk_\S+)/.test(out), "start-up text", 600, 50);
      const key = /Broker key to:\n\s+(ifk_\S+)/.exec(out)![1];
      registerSecret(key);
      expect(out).toMatch(/mode:\s+firefly/);
      const url = /address:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      expect(out).toContain(`playground: ${url}/#key=${key}`);
      const h = await call(url, "GET", "/health");
      expect(h.json.mode).toBe("firefly");
      expect((await call(url, "GET", "/v3/custom-models", { key })).status).toBe(200);
      p.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => p.on("exit", r));
      expect(code).toBe(0);
      // The banner shows the key on purpose; the JSON log lines never do.
      const logLines = out.split("\n").filter((l) => l.startsWith("{"));
      expect(logLines.length).toBeGreaterThan(0);
      capture.logs.push(...logLines);
      ff.tokens.forEach(registerSecret);
      expect(logLines.some((l) => l.includes(key) || l.includes(ff.clientSecret))).toBe(false);
    } finally {
      p.kill("SIGKILL");
      await ff.close();
    }
  });
});
