// "Test connection": says exactly what is wrong, in order — the URL, the broker's reachability
// (GET /health, no key), the key (an authenticated route), the broker's mode, then Adobe's verdict on
// the broker's Firefly credentials. Once the key is accepted, an admin key also gets the broker's
// doctor (GET /v1/admin/doctor), step by step; other keys are refused it and see no difference. The
// key is only ever sent to the broker, never put in a result.

import { BROKER_ERROR_CODES } from "../../common/firefly";
import { brokerDoctorSchema, type BrokerDoctor, type BrokerHealth, type ConnectionResult } from "../../common/protocol";
import { DeadlineError, withDeadline } from "../broker-client/abort";
import { BrokerError, createBrokerClient, type BrokerClient, type HttpBrokerClientOptions } from "../broker-client";
import { parseWebAddress } from "../../common/net/web-address";
import { SettingsError } from "./types";

export interface ConnectionTestOptions {
  url: string;
  key: string | null;
  fetch: typeof fetch;
  makeClient?: (o: HttpBrokerClientOptions) => BrokerClient;
  allowedOrigins?: string[];
  timeoutMs?: number;
  /** How long the broker's doctor may take (default 45 s: a few calls to Adobe, 10 s each at most). */
  doctorTimeoutMs?: number;
}

/** The diagnoses after which the key was accepted, so an admin key gets the broker's doctor. */
const KEY_ACCEPTED = new Set<ConnectionResult["diagnosis"]>(["ok", "local_mode", "firefly_rejected", "upstream_unreachable"]);

/** A broker URL as typed → a clean base URL (no trailing slash), or a SettingsError saying why not. */
export function normalizeBrokerUrl(input: string, allowedOrigins?: string[]): string {
  const text = input.trim();
  if (!text) throw new SettingsError("no_url", "No broker URL is set.", "Enter the broker URL in Settings, e.g. http://127.0.0.1:8765.");
  const url = parseWebAddress(text);
  if (!url) {
    throw new SettingsError(
      "bad_url",
      `“${text.slice(0, 100)}” is not a web address.`,
      "Use the full address with http:// or https://, e.g. http://127.0.0.1:8765.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SettingsError(
      "bad_url",
      `“${text.slice(0, 100)}” is not an http(s) address.`,
      "Use the full address with http:// or https://, e.g. http://127.0.0.1:8765.",
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SettingsError(
      "bad_url",
      "The broker URL must not contain a user name, password, query or fragment.",
      "Use just the address, e.g. http://127.0.0.1:8765.",
    );
  }
  if (allowedOrigins && allowedOrigins.length && !allowedOrigins.includes(url.origin)) {
    throw new SettingsError(
      "not_allowed",
      `This plugin build may only contact ${allowedOrigins.join(", ")}.`,
      "Use one of those addresses, or ask for a plugin build that allows your broker (INFILL_BROKER_ORIGINS at build time).",
    );
  }
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

function fail(diagnosis: ConnectionResult["diagnosis"], message: string, hint: string, extra: Partial<ConnectionResult> = {}): ConnectionResult {
  return { ok: false, diagnosis, message, hint, ...extra };
}

function readHealth(body: unknown): BrokerHealth | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as { mode?: unknown; version?: unknown; queue?: { depth?: unknown }; upstream?: { reachable?: unknown } };
  if (b.mode !== "firefly" && b.mode !== "local") return null;
  const h: BrokerHealth = { mode: b.mode };
  if (typeof b.version === "string") h.version = b.version;
  if (typeof b.queue?.depth === "number" && b.queue.depth >= 0) h.queueDepth = b.queue.depth;
  if (typeof b.upstream?.reachable === "boolean") h.upstreamReachable = b.upstream.reachable;
  return h;
}

export async function testConnection(o: ConnectionTestOptions): Promise<ConnectionResult> {
  let base: string;
  try {
    base = normalizeBrokerUrl(o.url, o.allowedOrigins);
  } catch (e) {
    const s = e as SettingsError;
    return fail(s.code === "no_url" ? "no_url" : s.code === "not_allowed" ? "not_allowed" : "bad_url", s.message, s.hint);
  }
  const timeoutMs = o.timeoutMs ?? 8000;

  // 1. Is anything there, and is it an Infill broker?
  let health: BrokerHealth | null;
  try {
    health = await withDeadline(timeoutMs, async (signal) => {
      const res = await o.fetch(`${base}/health`, { method: "GET", headers: { accept: "application/json" }, signal });
      const text = await res.text();
      if (!res.ok) return null;
      try {
        return readHealth(JSON.parse(text));
      } catch {
        return null;
      }
    });
  } catch (e) {
    return fail(
      "unreachable",
      `Nothing answers at ${base}.`,
      "Start the broker (npm start) or check the address and port. For a team broker, check your network or VPN.",
      {
        detail: e instanceof Error ? e.message : String(e),
      },
    );
  }
  if (!health) {
    return fail("not_a_broker", `${base} answers, but not as an Infill broker.`, "Check the address and port: the broker prints its URL when it starts.");
  }
  const broker = health;

  // 2. The key.
  if (!o.key) {
    return fail(
      "no_key",
      `The broker is reachable (${broker.mode === "local" ? "local engine" : "Firefly"} mode), but no broker key is set.`,
      "Paste your broker key in Settings (the broker prints it when it starts).",
      { broker },
    );
  }
  const result = await checkKey(o, base, o.key, broker, timeoutMs);
  if (!KEY_ACCEPTED.has(result.diagnosis)) return result;
  const doctor = await brokerDoctor(o, base, o.key);
  return doctor ? { ...result, doctor } : result;
}

/**
 * The broker's doctor for an admin key; undefined for any other key (403) or a broker without it
 * (404), so a non-admin's result is unchanged.
 */
async function brokerDoctor(o: ConnectionTestOptions, base: string, key: string): Promise<BrokerDoctor | undefined> {
  const timeoutMs = o.doctorTimeoutMs ?? 45_000;
  try {
    return await withDeadline(timeoutMs, async (signal) => {
      const res = await o.fetch(`${base}/v1/admin/doctor`, { method: "GET", headers: { accept: "application/json", authorization: `Bearer ${key}` }, signal });
      const text = await res.text();
      if (res.status === 403 || res.status === 404) return undefined;
      if (!res.ok) return { steps: [], note: `The broker's check of its Firefly credentials failed (HTTP ${res.status}).` };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const parsed = brokerDoctorSchema.safeParse(body);
      return parsed.success ? parsed.data : { steps: [], note: "The broker's check of its Firefly credentials answered in a shape this panel does not know." };
    });
  } catch (e) {
    if (e instanceof DeadlineError)
      return { steps: [], note: `The broker's check of its Firefly credentials did not finish within ${Math.round(timeoutMs / 1000)} s.` };
    return { steps: [], note: `The broker's check of its Firefly credentials could not be asked (${e instanceof Error ? e.message : String(e)}).` };
  }
}

/** Step 2 on: the key (an authenticated route), the broker's mode, Adobe's verdict on the broker's credentials. */
async function checkKey(o: ConnectionTestOptions, base: string, key: string, broker: BrokerHealth, timeoutMs: number): Promise<ConnectionResult> {
  const client = (o.makeClient ?? createBrokerClient)({ baseUrl: base, key, fetch: o.fetch });
  try {
    await withDeadline(timeoutMs, (signal) => client.customModels(signal));
  } catch (e) {
    if (e instanceof DeadlineError) {
      return fail("unreachable", `The broker at ${base} stopped answering.`, "Check that it is still running, then try again.", { detail: e.message, broker });
    }
    if (!(e instanceof BrokerError)) {
      return fail("error", "The connection test failed unexpectedly.", "Try again; if it keeps happening, report it with the detail.", {
        detail: e instanceof Error ? e.message : String(e),
        broker,
      });
    }
    const detail = e.detail;
    if (e.code === BROKER_ERROR_CODES.keyInvalid || e.code === BROKER_ERROR_CODES.keyMissing) {
      return fail(
        "wrong_key",
        "The broker did not accept this broker key.",
        "Paste the key again exactly as the broker printed it, or ask your admin for a key.",
        { detail, broker },
      );
    }
    if (e.code === BROKER_ERROR_CODES.needsFirefly || broker.mode === "local") {
      return localMode(broker);
    }
    if (e.code === BROKER_ERROR_CODES.imsFailed || (e.category === "auth" && (e.status === 401 || e.status === 403 || e.status === 502))) {
      return fail(
        "firefly_rejected",
        "The broker accepted your key, but Adobe rejected the broker's Firefly credentials.",
        "Ask your admin to check the broker's client id and secret and the credential's product profile in the Adobe Developer Console.",
        { detail, broker },
      );
    }
    if (e.code === BROKER_ERROR_CODES.upstreamUnreachable || e.status >= 500) {
      return fail(
        "upstream_unreachable",
        "The broker accepted your key but cannot reach Adobe Firefly right now.",
        "Check the broker machine's internet access or proxy, then try again in a few minutes.",
        { detail, broker },
      );
    }
    if (e.status === 0) {
      return fail("unreachable", `The broker at ${base} stopped answering.`, "Check that it is still running, then try again.", { detail, broker });
    }
    return fail("error", e.message, "Try again; if it keeps happening, report it with the detail.", { detail, broker });
  }
  if (broker.mode === "local") return localMode(broker);
  return {
    ok: true,
    diagnosis: "ok",
    message: `Connected to Adobe Firefly through the broker${broker.version ? ` (version ${broker.version})` : ""}.`,
    broker,
  };
}

function localMode(broker: BrokerHealth): ConnectionResult {
  return {
    ok: true,
    diagnosis: "local_mode",
    message:
      "Connected, but the broker runs its local engine (no Firefly credentials): Fill and Expand work from the surroundings; prompts, Generate and custom models need Firefly.",
    hint: "To use Firefly, give the broker FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET and restart it.",
    broker,
  };
}
