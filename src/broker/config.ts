// Broker configuration from the environment and an optional `.env` file (the environment wins).
// Any mistake stops start-up with one clear line (ConfigError) — never a half-configured broker.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_RATE_PER_DAY, DEFAULT_RATE_PER_MINUTE } from "../common/firefly";
import { ConfigError } from "./config-error";
import { KeyEntry, loadOrCreateLocalKey, readKeysFile, sha256 } from "./keys";
import { checkStoreEnv } from "./store/from-env";

export { ConfigError };

export interface BrokerConfig {
  host: string;
  port: number;
  mode: "firefly" | "local";
  clientId?: string;
  clientSecret?: string;
  imsUrl: string;
  imsScopes: string;
  fireflyUrl: string;
  outputHosts: string[];
  ratePerMinute: number;
  ratePerDay: number;
  maxQueuedPerKey: number;
  keys: KeyEntry[];
  /** Set when the broker made its own key: printed at start so a panel can be paired. */
  localKey?: { key: string; file: string; created: boolean };
  /** Where the key came from, for the start-up text. */
  keySource: "keys-file" | "env" | "generated";
  configDir: string;
  dataDir: string;
  /** Host names (no port) that requests may be addressed to. */
  allowedHosts: string[];
  /** Extra CORS origins (the broker's own origins are always allowed). */
  corsOrigins: string[];
  publicUrl?: string;
  playgroundDir: string;
  uiDir: string;
  /** Per-request upstream timeouts (ms). */
  upstreamTimeoutMs: number;
  retryBaseMs: number;
  statusMinIntervalMs: number;
  /** Bearer token that turns GET /metrics on (INFILL_METRICS_TOKEN); admin keys may scrape too. */
  metricsToken?: string;
  /** The store's own settings (INFILL_REDIS_URL, INFILL_REDIS_PREFIX), read by createStoreFromEnv. */
  storeEnv: Record<string, string | undefined>;
}

const DEFAULTS = {
  imsUrl: "https://ims-na1.adobelogin.com/ims/token/v3",
  imsScopes: "openid,AdobeID,session,additional_info,read_organizations,firefly_api,ff_apis",
  fireflyUrl: "https://firefly-api.adobe.io",
};

/** KEY=VALUE lines; `#` comments; optional quotes; `export ` prefix allowed. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, "");
    out[m[1]] = v;
  }
  return out;
}

export function defaultConfigDir(env: Record<string, string | undefined>): string {
  if (env.INFILL_CONFIG_DIR) return path.resolve(env.INFILL_CONFIG_DIR);
  if (process.platform === "win32" && env.APPDATA) return path.join(env.APPDATA, "infill");
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Application Support", "infill");
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "infill");
}

/** The repository (or installed package) root: where package.json is, above this module. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number (got "${raw.slice(0, 40)}")`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

function url(env: Record<string, string | undefined>, name: string, def: string): string {
  const raw = env[name] || def;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new ConfigError(`${name} must be an http(s) URL`);
  return raw.replace(/\/+$/, "");
}

function list(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface LoadConfigOptions {
  /** Folder whose `.env` is read (default: the current directory). */
  cwd?: string;
}

export function loadConfig(processEnv: Record<string, string | undefined>, options: LoadConfigOptions = {}): BrokerConfig {
  const cwd = options.cwd ?? process.cwd();
  let fileEnv: Record<string, string> = {};
  const dotenv = path.join(cwd, ".env");
  if (fs.existsSync(dotenv)) {
    try {
      fileEnv = parseDotEnv(fs.readFileSync(dotenv, "utf8"));
    } catch {
      throw new ConfigError(`cannot read ${dotenv}`);
    }
  }
  const env: Record<string, string | undefined> = { ...fileEnv, ...processEnv };

  const host = (env.INFILL_HOST || "127.0.0.1").trim();
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new ConfigError(`INFILL_HOST is not a host name or address`);
  const port = int(env, "INFILL_PORT", 8765, 0, 65535);

  const clientId = env.FIREFLY_SERVICES_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.FIREFLY_SERVICES_CLIENT_SECRET?.trim() || undefined;
  if (!!clientId !== !!clientSecret) {
    throw new ConfigError(
      clientId ? "FIREFLY_SERVICES_CLIENT_ID is set but FIREFLY_SERVICES_CLIENT_SECRET is not: set both (Firefly) or neither (local engine)" : "FIREFLY_SERVICES_CLIENT_SECRET is set but FIREFLY_SERVICES_CLIENT_ID is not: set both (Firefly) or neither (local engine)",
    );
  }
  let mode: "firefly" | "local" = clientId ? "firefly" : "local";
  const forced = env.INFILL_PROVIDER?.trim();
  if (forced) {
    if (forced !== "firefly" && forced !== "local") throw new ConfigError(`INFILL_PROVIDER must be "firefly" or "local" (got "${forced.slice(0, 20)}")`);
    if (forced === "firefly" && !clientId) throw new ConfigError("INFILL_PROVIDER=firefly needs FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET");
    mode = forced;
  }

  const configDir = defaultConfigDir(env);
  const dataDir = env.INFILL_DATA_DIR ? path.resolve(env.INFILL_DATA_DIR) : path.join(configDir, "data");

  let keys: KeyEntry[] = [];
  let localKey: BrokerConfig["localKey"];
  let keySource: BrokerConfig["keySource"];
  if (env.INFILL_KEYS_FILE) {
    keys = readKeysFile(path.resolve(cwd, env.INFILL_KEYS_FILE));
    keySource = "keys-file";
  }
  if (env.INFILL_API_KEY) {
    const k = env.INFILL_API_KEY.trim();
    if (k.length < 16) throw new ConfigError("INFILL_API_KEY is too short (16 characters at least)");
    if (!keys.some((e) => e.name === "default")) keys.push({ name: "default", hash: sha256(k), admin: true, plain: k });
    keySource ??= "env";
  }
  if (!keys.length) {
    try {
      localKey = loadOrCreateLocalKey(configDir);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`cannot create the broker key in ${configDir} (${(err as NodeJS.ErrnoException).code ?? "error"}); set INFILL_CONFIG_DIR or INFILL_API_KEY`);
    }
    keys.push({ name: "local", hash: sha256(localKey.key), admin: true, plain: localKey.key });
    keySource = "generated";
  }

  const fireflyUrl = url(env, "INFILL_FIREFLY_URL", DEFAULTS.fireflyUrl);
  const publicUrl = env.INFILL_PUBLIC_URL ? url(env, "INFILL_PUBLIC_URL", "") : undefined;
  const allowedHosts = new Set(["localhost", "127.0.0.1", "::1"]);
  if (host !== "0.0.0.0" && host !== "::") allowedHosts.add(host.toLowerCase());
  for (const h of list(env.INFILL_ALLOWED_HOSTS)) allowedHosts.add(h.toLowerCase());
  if (publicUrl) allowedHosts.add(new URL(publicUrl).hostname.toLowerCase());

  const storeEnv = { INFILL_REDIS_URL: env.INFILL_REDIS_URL, INFILL_REDIS_PREFIX: env.INFILL_REDIS_PREFIX };
  checkStoreEnv(storeEnv);

  const root = packageRoot();
  const perMinute = int(env, "INFILL_RATE_PER_MINUTE", mode === "firefly" ? DEFAULT_RATE_PER_MINUTE : 0, 0, 1_000_000);
  const perDay = int(env, "INFILL_RATE_PER_DAY", mode === "firefly" ? DEFAULT_RATE_PER_DAY : 0, 0, 100_000_000);

  return {
    host,
    port,
    mode,
    clientId,
    clientSecret,
    imsUrl: url(env, "INFILL_IMS_URL", DEFAULTS.imsUrl),
    imsScopes: env.INFILL_IMS_SCOPES?.trim() || DEFAULTS.imsScopes,
    fireflyUrl,
    outputHosts: list(env.INFILL_OUTPUT_HOSTS),
    // 0 means "no pacing" (the local engine's default; it has its own worker pool).
    ratePerMinute: perMinute === 0 ? Infinity : perMinute,
    ratePerDay: perDay === 0 ? Infinity : perDay,
    maxQueuedPerKey: int(env, "INFILL_MAX_QUEUED_PER_KEY", 20, 1, 100_000),
    keys,
    localKey,
    keySource: keySource!,
    configDir,
    dataDir,
    allowedHosts: [...allowedHosts],
    corsOrigins: list(env.INFILL_CORS_ORIGINS),
    publicUrl,
    playgroundDir: path.resolve(env.INFILL_PLAYGROUND_DIR || path.join(root, "dist", "playground")),
    uiDir: path.resolve(env.INFILL_UI_DIR || path.join(root, "dist", "plugin", "ui")),
    upstreamTimeoutMs: int(env, "INFILL_UPSTREAM_TIMEOUT_MS", 60_000, 100, 3_600_000),
    retryBaseMs: int(env, "INFILL_RETRY_BASE_MS", 250, 0, 60_000),
    statusMinIntervalMs: 1000,
    metricsToken: metricsToken(env),
    storeEnv,
  };
}

/** INFILL_METRICS_TOKEN: unset or empty leaves /metrics off; set, at least 16 visible characters. */
function metricsToken(env: Record<string, string | undefined>): string | undefined {
  const token = env.INFILL_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (!/^[\x21-\x7e]{16,512}$/.test(token)) throw new ConfigError("INFILL_METRICS_TOKEN must be 16 to 512 visible ASCII characters (no spaces)");
  return token;
}
