// Settings as the controller sees them: broker URL + key, non-secret preferences, and "Test connection".
// Storage sits behind two tiny interfaces so the same service runs under UXP (secure storage + plugin
// data folder, src/plugin/photoshop) and in the browser playground (in memory or IndexedDB).

import type { JobParams } from "../../common/jobs";
import type { ConnectionResult, SettingsPatch, SettingsView } from "../../common/protocol";
import type { BrokerClient } from "../broker-client";

/** Where the broker key lives. Values never leave the host side. */
export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** One JSON document of non-secret settings (broker URL, preferences). */
export interface PrefsStore {
  load(): Promise<unknown>;
  save(data: unknown): Promise<void>;
}

export type SettingsErrorCode = "no_url" | "bad_url" | "no_key" | "bad_key" | "not_allowed" | "storage" | "unavailable";

export class SettingsError extends Error {
  constructor(
    readonly code: SettingsErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "SettingsError";
  }
}

export interface SettingsService {
  /** What the panel may see: never the key, only whether one is stored. */
  view(): Promise<SettingsView>;
  update(patch: SettingsPatch): Promise<SettingsView>;
  testConnection(): Promise<ConnectionResult>;
  /** A broker client for the current URL and key; throws SettingsError when either is missing. */
  brokerClient(): Promise<BrokerClient>;
  /** Remembers a job's prompt and choices (last prompt, variation count, blend, history). */
  rememberJob(params: JobParams, at: number): Promise<SettingsView>;
}
