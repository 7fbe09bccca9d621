export type { JobRecord, ResultStore } from "./store";
export { MemoryResultStore } from "./memory";
