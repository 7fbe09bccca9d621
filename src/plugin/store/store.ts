// Where downloaded results and their job metadata live until placed or dismissed (Firefly's output
// URLs expire after an hour, so the bytes are what we keep). Small and async so a plugin-data-folder
// and an IndexedDB implementation can sit behind the same interface.

import type { JobState } from "../../common/jobs";

export interface JobRecord {
  jobId: string;
  /** The latest state, for the history list. */
  state: JobState;
  /** The job's request (JSON-safe data: everything needed to place the results later). */
  request: unknown;
  updatedAt: number;
}

export interface ResultStore {
  putJob(record: JobRecord): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | null>;
  /** Every job record, most recently updated first. */
  listJobs(): Promise<JobRecord[]>;
  /** Removes the record and all of its bytes. */
  deleteJob(jobId: string): Promise<void>;
  putBytes(jobId: string, key: string, bytes: Uint8Array): Promise<void>;
  getBytes(jobId: string, key: string): Promise<Uint8Array | null>;
  /** Removes the job's bytes but keeps its record (after placing). */
  deleteBytes(jobId: string): Promise<void>;
}
