// In-memory stores for the playground and tests (the UXP ones live in src/plugin/photoshop).

import type { PrefsStore, SecretStore } from "./types";

export class MemorySecretStore implements SecretStore {
  private values = new Map<string, string>();
  async get(name: string) {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string) {
    if (!value) throw new Error("empty value");
    this.values.set(name, value);
  }
  async remove(name: string) {
    this.values.delete(name);
  }
}

export class MemoryPrefsStore implements PrefsStore {
  constructor(private data: unknown = null) {}
  async load() {
    return this.data === null ? null : JSON.parse(JSON.stringify(this.data));
  }
  async save(data: unknown) {
    this.data = JSON.parse(JSON.stringify(data));
  }
}
