// The local engine: content-aware fill and expand with no credentials, served through the same
// Provider interface as Firefly. See provider.ts (the contract), pool.ts (worker threads),
// engine/ (the PatchMatch completion) and codec.ts (sharp).

export { createLocalProvider, LOCAL_ENGINE_NOTE } from "./provider";
export type { LocalProviderExtraOptions } from "./provider";
export { EnginePool, TaskCancelledError, TaskFailedError, TaskInputError, defaultPoolSize } from "./pool";
export type { PoolOptions, RunOptions } from "./pool";
export { configureCodecs, decodeMask, decodeRgba, encodePng } from "./codec";
