// The generation workflows, as the host controller calls them.
export { startJob, type StartedJob, type JobMetrics, DEFAULT_POLL_MS } from "./run";
export { selectVariation, keepOnly, reapplyKept, dismissKept, listKept } from "./variations";
export type { WorkflowDeps, JobRequest, FillJobRequest, ExpandJobRequest, GenerateJobRequest, SimilarJobRequest, StoredRequest, RunningJob } from "./types";
export { readStoredRequest } from "./migrate";
export { captureJob, type Captured } from "./capture";
export { WorkflowError, toJobError, unsupportedModeMessage } from "./errors";
export { resumeJobs } from "./resume";
