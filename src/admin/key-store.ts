// The admin key, kept only in this tab's sessionStorage: gone when the tab closes, never in the URL.

const KEY_ITEM = "infill-admin-key";

export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
}

export function sessionKeyStore(storage: Storage = window.sessionStorage): KeyStore {
  return {
    get: () => storage.getItem(KEY_ITEM),
    set: (key) => storage.setItem(KEY_ITEM, key),
    clear: () => storage.removeItem(KEY_ITEM),
  };
}
