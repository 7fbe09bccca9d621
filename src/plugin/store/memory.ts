// In-memory ResultStore (tests, and the playground before it has IndexedDB). Records are deep-copied
// through JSON so callers cannot mutate stored state by accident, as with a real persistent store.

import type { JobRecord, ResultStore } from "./store";

export class MemoryResultStore implements ResultStore {
  private jobs = new Map<string, string>();
  private bytes = new Map<string, Map<string, Uint8Array>>();

  async putJob(record: JobRecord): Promise<void> {
    this.jobs.set(record.jobId, JSON.stringify(record));
  }

  async getJob(jobId: string): Promise<JobRecord | null> {
    const s = this.jobs.get(jobId);
    return s === undefined ? null : (JSON.parse(s) as JobRecord);
  }

  async listJobs(): Promise<JobRecord[]> {
    return [...this.jobs.values()].map((s) => JSON.parse(s) as JobRecord).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async deleteJob(jobId: string): Promise<void> {
    this.jobs.delete(jobId);
    this.bytes.delete(jobId);
  }

  async putBytes(jobId: string, key: string, bytes: Uint8Array): Promise<void> {
    let m = this.bytes.get(jobId);
    if (!m) this.bytes.set(jobId, (m = new Map()));
    m.set(key, bytes.slice());
  }

  async getBytes(jobId: string, key: string): Promise<Uint8Array | null> {
    const b = this.bytes.get(jobId)?.get(key);
    return b ? b.slice() : null;
  }

  async deleteBytes(jobId: string): Promise<void> {
    this.bytes.delete(jobId);
  }

  /** Total bytes held (for tests and the history view). */
  byteCount(jobId?: string): number {
    let n = 0;
    for (const [id, m] of this.bytes) if (!jobId || id === jobId) for (const b of m.values()) n += b.length;
    return n;
  }
}
