// Settings storage for the playground page. Unlike the UXP webview, a normal page has localStorage;
// the playground only ever runs on the broker's own loopback origin, so the broker key is kept here
// (Photoshop keeps it in UXP secure storage instead).

import type { PrefsStore, SecretStore } from "../../plugin/settings";

const PREFIX = "infill.playground.";

export class LocalSecretStore implements SecretStore {
  constructor(private readonly storage: Storage = window.localStorage) {}
  async get(name: string) {
    return this.storage.getItem(PREFIX + "secret." + name);
  }
  async set(name: string, value: string) {
    if (!value) throw new Error("empty value");
    this.storage.setItem(PREFIX + "secret." + name, value);
  }
  async remove(name: string) {
    this.storage.removeItem(PREFIX + "secret." + name);
  }
}

export class LocalPrefsStore implements PrefsStore {
  constructor(private readonly storage: Storage = window.localStorage) {}
  async load() {
    const raw = this.storage.getItem(PREFIX + "prefs");
    if (raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  }
  async save(data: unknown) {
    this.storage.setItem(PREFIX + "prefs", JSON.stringify(data));
  }
}
