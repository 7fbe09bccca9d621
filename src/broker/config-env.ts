// The broker's environment as a zod schema: each variable's type, range and default, and the one
// line that says what is wrong with it. Rules that tie variables together (credentials in pairs,
// INFILL_PROVIDER, keys) are applied by loadConfig (config.ts) after this parse.

import { z } from "zod";
import { ConfigError } from "./config-error";

export const DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3";
export const DEFAULT_IMS_SCOPES = "openid,AdobeID,session,additional_info,read_organizations,firefly_api,ff_apis";
export const DEFAULT_FIREFLY_URL = "https://firefly-api.adobe.io";

const text = z.string().optional();

/** Trimmed text; unset or blank → undefined. */
const trimmed = text.transform((v) => v?.trim() || undefined);

/** A comma-separated list; unset → empty. */
const list = text.transform((v) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/** A whole number within [min, max]; unset or empty → `def` (undefined: the caller decides). */
function wholeNumber<D extends number | undefined = undefined>(name: string, min: number, max: number, def?: D) {
  return text.transform((raw, ctx): number | D => {
    if (raw === undefined || raw === "") return def as D;
    if (!/^\d+$/.test(raw.trim())) {
      ctx.addIssue({ code: "custom", message: `${name} must be a whole number (got "${raw.slice(0, 40)}")` });
      return z.NEVER;
    }
    const n = Number(raw.trim());
    if (n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `${name} must be between ${min} and ${max} (got ${n})` });
      return z.NEVER;
    }
    return n;
  });
}

/** An http(s) URL without trailing slashes; unset or empty → `def` (undefined when there is none). */
function httpUrl<D extends string | undefined = undefined>(name: string, def?: D) {
  return text.transform((raw, ctx): string | D => {
    const value = raw || def;
    if (value === undefined) return def as D;
    let protocol: string;
    try {
      protocol = new URL(value).protocol;
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} is not a URL` });
      return z.NEVER;
    }
    if (protocol !== "https:" && protocol !== "http:") {
      ctx.addIssue({ code: "custom", message: `${name} must be an http(s) URL` });
      return z.NEVER;
    }
    return value.replace(/\/+$/, "");
  });
}

const EnvSchema = z.object({
  INFILL_HOST: text
    .transform((v) => (v || "127.0.0.1").trim())
    .refine((h) => /^[A-Za-z0-9.:_-]+$/.test(h), { message: "INFILL_HOST is not a host name or address" }),
  INFILL_PORT: wholeNumber("INFILL_PORT", 0, 65535, 8765),
  FIREFLY_SERVICES_CLIENT_ID: trimmed,
  FIREFLY_SERVICES_CLIENT_SECRET: trimmed,
  INFILL_PROVIDER: trimmed.transform((v, ctx) => {
    if (v === undefined || v === "firefly" || v === "local") return v;
    ctx.addIssue({ code: "custom", message: `INFILL_PROVIDER must be "firefly" or "local" (got "${v.slice(0, 20)}")` });
    return z.NEVER;
  }),
  INFILL_CONFIG_DIR: text,
  INFILL_DATA_DIR: text,
  INFILL_KEYS_FILE: text,
  INFILL_API_KEY: text.transform((v, ctx) => {
    if (!v) return undefined;
    const key = v.trim();
    if (key.length >= 16) return key;
    ctx.addIssue({ code: "custom", message: "INFILL_API_KEY is too short (16 characters at least)" });
    return z.NEVER;
  }),
  INFILL_FIREFLY_URL: httpUrl("INFILL_FIREFLY_URL", DEFAULT_FIREFLY_URL),
  INFILL_PUBLIC_URL: httpUrl("INFILL_PUBLIC_URL"),
  INFILL_IMS_URL: httpUrl("INFILL_IMS_URL", DEFAULT_IMS_URL),
  INFILL_IMS_SCOPES: trimmed.transform((v) => v ?? DEFAULT_IMS_SCOPES),
  INFILL_ALLOWED_HOSTS: list,
  INFILL_OUTPUT_HOSTS: list,
  INFILL_CORS_ORIGINS: list,
  INFILL_REDIS_URL: text,
  INFILL_REDIS_PREFIX: text,
  // The defaults of the two rates depend on the mode (Firefly's limits, or none for the local engine).
  INFILL_RATE_PER_MINUTE: wholeNumber("INFILL_RATE_PER_MINUTE", 0, 1_000_000),
  INFILL_RATE_PER_DAY: wholeNumber("INFILL_RATE_PER_DAY", 0, 100_000_000),
  // The length of the per-minute window: 60 s in use; tests shorten it to keep their waits short.
  INFILL_RATE_MINUTE_MS: wholeNumber("INFILL_RATE_MINUTE_MS", 1_000, 60_000, 60_000),
  INFILL_MAX_QUEUED_PER_KEY: wholeNumber("INFILL_MAX_QUEUED_PER_KEY", 1, 100_000, 20),
  INFILL_UPSTREAM_TIMEOUT_MS: wholeNumber("INFILL_UPSTREAM_TIMEOUT_MS", 100, 3_600_000, 60_000),
  INFILL_RETRY_BASE_MS: wholeNumber("INFILL_RETRY_BASE_MS", 0, 60_000, 250),
  // Instant previews from the local engine while Firefly jobs wait (firefly mode only).
  INFILL_PREVIEWS: trimmed.transform((v, ctx) => {
    if (v === undefined || v === "on") return "on" as const;
    if (v === "off") return "off" as const;
    ctx.addIssue({ code: "custom", message: `INFILL_PREVIEWS must be "on" or "off" (got "${v.slice(0, 20)}")` });
    return z.NEVER;
  }),
  INFILL_PLAYGROUND_DIR: text,
  INFILL_UI_DIR: text,
  INFILL_ADMIN_DIR: text,
});

export type BrokerEnv = z.infer<typeof EnvSchema>;

/** The environment read and checked; the first problem found stops start-up as one ConfigError line. */
export function parseBrokerEnv(env: Record<string, string | undefined>): BrokerEnv {
  const r = EnvSchema.safeParse(env);
  if (!r.success) throw new ConfigError(r.error.issues[0].message.split("\n")[0]);
  return r.data;
}
