// Which store the broker uses: the Redis store when `INFILL_REDIS_URL` is set (several broker
// instances sharing one queue, pace and usage), otherwise the local file store (one process).
//
//   INFILL_REDIS_URL      redis://[user:password@]host:port[/db] or rediss://… (TLS)
//   INFILL_REDIS_PREFIX   key prefix (default `infill:`): brokers with different prefixes do not share
//
// Nothing connects here: call `store.open()` (it throws StoreUnavailableError when Redis cannot be
// reached, so start-up can stop with one clear line).

import { ConfigError } from "../config-error";
import { createFileStore, type FileStoreOptions } from "./file-store";
import type { RedisStoreHealth, RedisStoreOptions } from "./redis";
import { redactRedisUrl } from "./redis/errors";
import type { Store } from "./store";

export interface StoreFromEnvOptions extends FileStoreOptions {
  /** Structured logger for the Redis connection (connection lost / back). */
  log?: (entry: Record<string, unknown>) => void;
  /** Passed to the Redis store (tests: timeouts). */
  redis?: Partial<Omit<RedisStoreOptions, "url" | "prefix">>;
}

export type StoreHealth = { kind: "file" } | RedisStoreHealth;

export function createStoreFromEnv(env: NodeJS.ProcessEnv, options: StoreFromEnvOptions = {}): Store {
  const url = env.INFILL_REDIS_URL?.trim();
  if (!url) return createFileStore({ file: options.file, compactEvery: options.compactEvery, log: options.log });
  checkStoreEnv(env);
  const prefix = env.INFILL_REDIS_PREFIX?.trim() || "infill:";
  // Loaded only when a Redis URL is set: a broker on the file store never loads the Redis client.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRedisStore } = require("./redis/redis-store") as { createRedisStore(o: RedisStoreOptions): Store };
  return createRedisStore({ ...options.redis, url, prefix, log: options.log });
}

/**
 * Check the store settings without connecting (for start-up's configuration check): throws
 * ConfigError with one line for a malformed INFILL_REDIS_URL.
 */
export function checkStoreEnv(env: NodeJS.ProcessEnv): void {
  const url = env.INFILL_REDIS_URL?.trim();
  if (!url) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError("INFILL_REDIS_URL is not a valid URL (expected redis://host:port or rediss://host:port)");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigError(`INFILL_REDIS_URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
  }
  if (!parsed.hostname) throw new ConfigError("INFILL_REDIS_URL has no host (expected redis://host:port)");
}

/** For `GET /health`: the store kind and, for Redis, whether the connection is up (no round trip). */
export function storeHealth(store: Store): StoreHealth {
  return store.health?.() ?? { kind: "file" };
}

/** One line for start-up: where the queue lives (credentials removed). */
export function describeStore(env: NodeJS.ProcessEnv, file?: string): string {
  const url = env.INFILL_REDIS_URL?.trim();
  if (url) return `redis ${redactRedisUrl(url)} (prefix ${env.INFILL_REDIS_PREFIX?.trim() || "infill:"})`;
  return file ? `file ${file}` : "memory";
}
