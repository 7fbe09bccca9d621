export { SettingsError, type PrefsStore, type SecretStore, type SettingsService, type SettingsErrorCode } from "./types";
export { createSettingsService, BROKER_KEY_NAME, type SettingsServiceOptions } from "./service";
export { testConnection, normalizeBrokerUrl, type ConnectionTestOptions } from "./connection";
export { MemoryPrefsStore, MemorySecretStore } from "./memory";
export { encodeUtf8, decodeUtf8, secretFromStored } from "./utf8";
