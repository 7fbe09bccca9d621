export { runHostCheck, ALL_PROBE_IDS, SCRATCH_SIZE } from "./suite";
export type { HostCheckHost, HostCheckReport, PixelsRead, ProbeResult, RuntimeEnv, ScratchDoc, Verdict } from "./types";
