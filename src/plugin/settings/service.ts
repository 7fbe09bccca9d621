// The settings service: broker URL and non-secret preferences in one JSON document (PrefsStore), the
// broker key in the SecretStore. Nothing here logs, and `view()` reports only whether a key is set.

import type { JobParams } from "../../common/jobs";
import {
  DEFAULT_PREFERENCES,
  MAX_HISTORY,
  preferencesSchema,
  type ConnectionResult,
  type HistoryEntry,
  type Preferences,
  type SettingsPatch,
  type SettingsView,
} from "../../common/protocol";
import { createBrokerClient, type BrokerClient, type HttpBrokerClientOptions } from "../broker-client";
import { normalizeBrokerUrl, testConnection } from "./connection";
import { SettingsError, type PrefsStore, type SecretStore, type SettingsService } from "./types";

export const BROKER_KEY_NAME = "infill.brokerKey";

export interface SettingsServiceOptions {
  secrets: SecretStore;
  prefs: PrefsStore;
  fetch?: typeof fetch;
  makeClient?: (o: HttpBrokerClientOptions) => BrokerClient;
  /** Used until the user sets one. */
  defaultBrokerUrl?: string;
  /** Origins the host may contact (the manifest's network permission); empty = no check. */
  allowedOrigins?: string[] | (() => Promise<string[]>);
  timeoutMs?: number;
}

interface StoredSettings {
  brokerUrl: string;
  prefs: Preferences;
}

function parseStored(raw: unknown, defaultUrl: string): StoredSettings {
  const out: StoredSettings = { brokerUrl: defaultUrl, prefs: structuredCloneSafe(DEFAULT_PREFERENCES) };
  if (typeof raw !== "object" || raw === null) return out;
  const r = raw as { brokerUrl?: unknown; prefs?: unknown };
  if (typeof r.brokerUrl === "string") out.brokerUrl = r.brokerUrl;
  // Field by field, so one bad field (e.g. from an older version) does not lose the rest.
  if (typeof r.prefs === "object" && r.prefs !== null) {
    const shape = preferencesSchema.shape;
    const p = r.prefs as Record<string, unknown>;
    for (const k of Object.keys(shape) as (keyof Preferences)[]) {
      const parsed = shape[k].safeParse(p[k]);
      if (parsed.success && parsed.data !== undefined) (out.prefs as unknown as Record<string, unknown>)[k] = parsed.data;
    }
    // Files from before `blendChosen` saved the blend on every run: one other than the default was chosen.
    if (typeof p.blendChosen !== "boolean" && !sameBlend(out.prefs.blend, DEFAULT_PREFERENCES.blend)) out.prefs.blendChosen = true;
  }
  return out;
}

function sameBlend(a: Preferences["blend"], b: Preferences["blend"]): boolean {
  return a.bandPx === b.bandPx && a.toneMatch === b.toneMatch;
}

function structuredCloneSafe<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function promptOf(params: JobParams): string | undefined {
  return "prompt" in params && typeof params.prompt === "string" ? params.prompt : undefined;
}

export function createSettingsService(o: SettingsServiceOptions): SettingsService {
  const doFetch: typeof fetch = o.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const makeClient = o.makeClient ?? createBrokerClient;
  let cache: StoredSettings | null = null;
  let keyCache: string | null | undefined;
  const origins = async (): Promise<string[] | undefined> => {
    if (!o.allowedOrigins) return undefined;
    if (Array.isArray(o.allowedOrigins)) return o.allowedOrigins;
    try {
      return await o.allowedOrigins();
    } catch {
      return undefined; // unknown: let the host's own permission check answer
    }
  };

  const load = async (): Promise<StoredSettings> => {
    if (cache) return cache;
    let raw: unknown = null;
    try {
      raw = await o.prefs.load();
    } catch {
      raw = null; // unreadable or missing: start from defaults
    }
    cache = parseStored(raw, o.defaultBrokerUrl ?? "");
    return cache;
  };
  const save = async (s: StoredSettings) => {
    cache = s;
    try {
      await o.prefs.save({ version: 1, brokerUrl: s.brokerUrl, prefs: s.prefs });
    } catch (e) {
      throw new SettingsError(
        "storage",
        "Infill could not save its settings.",
        `Check the plugin's data folder is writable. (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  };
  const key = async (): Promise<string | null> => {
    if (keyCache !== undefined) return keyCache;
    try {
      keyCache = await o.secrets.get(BROKER_KEY_NAME);
    } catch {
      keyCache = null; // secure storage can be lost; the user is asked for the key again
    }
    return keyCache;
  };
  const view = async (): Promise<SettingsView> => {
    const s = await load();
    return { brokerUrl: s.brokerUrl, hasKey: !!(await key()), prefs: structuredCloneSafe(s.prefs) };
  };

  return {
    view,

    async update(patch: SettingsPatch): Promise<SettingsView> {
      const s = structuredCloneSafe(await load());
      if (patch.brokerUrl !== undefined) {
        s.brokerUrl = patch.brokerUrl.trim() === "" ? "" : normalizeBrokerUrl(patch.brokerUrl, await origins());
      }
      if (patch.prefs) {
        // Setting the blend chooses it, whatever its values; `blendChosen: false` goes back to each job's default.
        const chosen = patch.prefs.blendChosen ?? (patch.prefs.blend ? true : s.prefs.blendChosen);
        const merged = { ...s.prefs, ...patch.prefs, ...(chosen !== undefined ? { blendChosen: chosen } : {}) };
        const checked = preferencesSchema.safeParse(merged);
        if (!checked.success) throw new SettingsError("storage", "Those preferences are not valid.", "Check the values and try again.");
        s.prefs = checked.data;
      }
      if (patch.brokerKey !== undefined) {
        const value = patch.brokerKey.trim();
        if (!value) throw new SettingsError("no_key", "The broker key is empty.", "Paste the whole key.");
        try {
          await o.secrets.set(BROKER_KEY_NAME, value);
        } catch {
          throw new SettingsError("storage", "Infill could not store the broker key in secure storage.", "Try again; if it keeps failing, restart Photoshop.");
        }
        keyCache = value;
      } else if (patch.clearKey) {
        try {
          await o.secrets.remove(BROKER_KEY_NAME);
        } catch {
          // nothing stored: nothing to remove
        }
        keyCache = null;
      }
      if (patch.brokerUrl !== undefined || patch.prefs) await save(s);
      return view();
    },

    async testConnection(): Promise<ConnectionResult> {
      const s = await load();
      return testConnection({ url: s.brokerUrl, key: await key(), fetch: doFetch, makeClient, allowedOrigins: await origins(), timeoutMs: o.timeoutMs });
    },

    async brokerClient(): Promise<BrokerClient> {
      const s = await load();
      const baseUrl = normalizeBrokerUrl(s.brokerUrl, await origins());
      const k = await key();
      if (!k) throw new SettingsError("no_key", "No broker key is set.", "Paste your broker key in Settings (the broker prints it when it starts).");
      return makeClient({ baseUrl, key: k, fetch: doFetch });
    },

    async rememberJob(params: JobParams, at: number): Promise<SettingsView> {
      const s = structuredCloneSafe(await load());
      const prompt = promptOf(params);
      if (prompt !== undefined) s.prefs.lastPrompt = prompt;
      s.prefs.numVariations = params.numVariations;
      if (params.blend) {
        s.prefs.blend = { bandPx: params.blend.bandPx, toneMatch: params.blend.toneMatch };
        s.prefs.blendChosen = true;
      }
      const entry: HistoryEntry = { at, kind: params.kind, ...(prompt ? { prompt } : {}) };
      s.prefs.history = [entry, ...s.prefs.history.filter((h) => !(h.kind === entry.kind && (h.prompt ?? "") === (entry.prompt ?? "")))].slice(0, MAX_HISTORY);
      await save(s);
      return view();
    },
  };
}
