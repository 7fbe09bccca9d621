// Broker configuration from the environment and an optional `.env` file (the environment wins).
// Any mistake stops start-up with one clear line (ConfigError) — never a half-configured broker.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_RATE_PER_DAY, DEFAULT_RATE_PER_MINUTE } from "../common/firefly";
import { parseBrokerEnv } from "./config-env";
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
  /** Length of the per-minute window in ms (60 000 unless a test shortens it). */
  rateMinuteMs: number;
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
  /** The `/admin` page's files. */
  adminDir: string;
  /** Per-request upstream timeouts (ms). */
  upstreamTimeoutMs: number;
  retryBaseMs: number;
  /** Least time between two upstream status calls for one job (firefly mode; the local engine is read at every poll). */
  statusMinIntervalMs: number;
  /** Bearer token that turns GET /metrics on (INFILL_METRICS_TOKEN); admin keys may scrape too. */
  metricsToken?: string;
  /** Instant previews from the local engine beside Firefly (INFILL_PREVIEWS; firefly mode only). */
  previews: boolean;
  /** The store's own settings (INFILL_REDIS_URL, INFILL_REDIS_PREFIX), read by createStoreFromEnv. */
  storeEnv: Record<string, string | undefined>;
}

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
  const e = parseBrokerEnv(env);

  const { INFILL_HOST: host, INFILL_PORT: port, FIREFLY_SERVICES_CLIENT_ID: clientId, FIREFLY_SERVICES_CLIENT_SECRET: clientSecret } = e;
  if (!!clientId !== !!clientSecret) {
    throw new ConfigError(
      clientId
        ? "FIREFLY_SERVICES_CLIENT_ID is set but FIREFLY_SERVICES_CLIENT_SECRET is not: set both (Firefly) or neither (local engine)"
        : "FIREFLY_SERVICES_CLIENT_SECRET is set but FIREFLY_SERVICES_CLIENT_ID is not: set both (Firefly) or neither (local engine)",
    );
  }
  if (e.INFILL_PROVIDER === "firefly" && !clientId)
    throw new ConfigError("INFILL_PROVIDER=firefly needs FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET");
  const mode: "firefly" | "local" = e.INFILL_PROVIDER ?? (clientId ? "firefly" : "local");

  const configDir = defaultConfigDir(env);
  const dataDir = e.INFILL_DATA_DIR ? path.resolve(e.INFILL_DATA_DIR) : path.join(configDir, "data");

  let keys: KeyEntry[] = [];
  let localKey: BrokerConfig["localKey"];
  let keySource: BrokerConfig["keySource"];
  if (e.INFILL_KEYS_FILE) {
    keys = readKeysFile(path.resolve(cwd, e.INFILL_KEYS_FILE));
    keySource = "keys-file";
  }
  if (e.INFILL_API_KEY) {
    const k = e.INFILL_API_KEY;
    if (!keys.some((entry) => entry.name === "default")) keys.push({ name: "default", hash: sha256(k), admin: true, plain: k });
    keySource ??= "env";
  }
  if (!keys.length) {
    try {
      localKey = loadOrCreateLocalKey(configDir);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(
        `cannot create the broker key in ${configDir} (${(err as NodeJS.ErrnoException).code ?? "error"}); set INFILL_CONFIG_DIR or INFILL_API_KEY`,
      );
    }
    keys.push({ name: "local", hash: sha256(localKey.key), admin: true, plain: localKey.key });
    keySource = "generated";
  }

  const publicUrl = e.INFILL_PUBLIC_URL;
  const allowedHosts = new Set(["localhost", "127.0.0.1", "::1"]);
  if (host !== "0.0.0.0" && host !== "::") allowedHosts.add(host.toLowerCase());
  for (const h of e.INFILL_ALLOWED_HOSTS) allowedHosts.add(h.toLowerCase());
  if (publicUrl) allowedHosts.add(new URL(publicUrl).hostname.toLowerCase());

  const storeEnv = { INFILL_REDIS_URL: e.INFILL_REDIS_URL, INFILL_REDIS_PREFIX: e.INFILL_REDIS_PREFIX };
  checkStoreEnv(storeEnv);

  const root = packageRoot();
  const perMinute = e.INFILL_RATE_PER_MINUTE ?? (mode === "firefly" ? DEFAULT_RATE_PER_MINUTE : 0);
  const perDay = e.INFILL_RATE_PER_DAY ?? (mode === "firefly" ? DEFAULT_RATE_PER_DAY : 0);

  return {
    host,
    port,
    mode,
    clientId,
    clientSecret,
    imsUrl: e.INFILL_IMS_URL,
    imsScopes: e.INFILL_IMS_SCOPES,
    fireflyUrl: e.INFILL_FIREFLY_URL,
    outputHosts: e.INFILL_OUTPUT_HOSTS,
    // 0 means "no pacing" (the local engine's default; it has its own worker pool).
    ratePerMinute: perMinute === 0 ? Infinity : perMinute,
    ratePerDay: perDay === 0 ? Infinity : perDay,
    rateMinuteMs: e.INFILL_RATE_MINUTE_MS,
    maxQueuedPerKey: e.INFILL_MAX_QUEUED_PER_KEY,
    keys,
    localKey,
    keySource: keySource!,
    configDir,
    dataDir,
    allowedHosts: [...allowedHosts],
    corsOrigins: e.INFILL_CORS_ORIGINS,
    publicUrl,
    playgroundDir: path.resolve(e.INFILL_PLAYGROUND_DIR || path.join(root, "dist", "playground")),
    uiDir: path.resolve(e.INFILL_UI_DIR || path.join(root, "dist", "plugin", "ui")),
    adminDir: path.resolve(e.INFILL_ADMIN_DIR || path.join(root, "dist", "admin")),
    upstreamTimeoutMs: e.INFILL_UPSTREAM_TIMEOUT_MS,
    retryBaseMs: e.INFILL_RETRY_BASE_MS,
    statusMinIntervalMs: 1000,
    metricsToken: metricsToken(env),
    previews: e.INFILL_PREVIEWS === "on",
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
