// The Redis store for running several broker instances as one (`INFILL_REDIS_URL`).
export { createRedisStore, RedisStore } from "./redis-store";
export type { RedisStoreOptions, RedisStoreHealth } from "./redis-store";
export { StoreUnavailableError, isStoreUnavailable, redactRedisUrl } from "./errors";
