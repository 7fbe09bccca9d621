// The playground's ResultStore in the browser's IndexedDB: job records and downloaded result bytes
// survive a page reload, like the plugin-data-folder store does in Photoshop.

import type { JobRecord, ResultStore } from "../../plugin/store";

const JOBS = "jobs";
const BYTES = "bytes";

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export function openResultDb(name = "infill-playground"): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(JOBS)) db.createObjectStore(JOBS, { keyPath: "jobId" });
      if (!db.objectStoreNames.contains(BYTES)) db.createObjectStore(BYTES);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Byte entries are keyed [jobId, key] so a job's bytes are one key range. */
function range(jobId: string): IDBKeyRange {
  return IDBKeyRange.bound([jobId, ""], [jobId, "\uffff"]);
}

export class IdbResultStore implements ResultStore {
  constructor(private readonly db: IDBDatabase) {}

  static async open(name?: string): Promise<IdbResultStore> {
    return new IdbResultStore(await openResultDb(name));
  }

  async putJob(record: JobRecord): Promise<void> {
    const tx = this.db.transaction(JOBS, "readwrite");
    // Through JSON, as the message bridge and the file store do: no live objects are kept.
    tx.objectStore(JOBS).put(JSON.parse(JSON.stringify(record)));
    await done(tx);
  }

  async getJob(jobId: string): Promise<JobRecord | null> {
    const r = await req(this.db.transaction(JOBS).objectStore(JOBS).get(jobId));
    return (r as JobRecord | undefined) ?? null;
  }

  async listJobs(): Promise<JobRecord[]> {
    const all = (await req(this.db.transaction(JOBS).objectStore(JOBS).getAll())) as JobRecord[];
    return all.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async deleteJob(jobId: string): Promise<void> {
    const tx = this.db.transaction([JOBS, BYTES], "readwrite");
    tx.objectStore(JOBS).delete(jobId);
    tx.objectStore(BYTES).delete(range(jobId));
    await done(tx);
  }

  async putBytes(jobId: string, key: string, bytes: Uint8Array): Promise<void> {
    const tx = this.db.transaction(BYTES, "readwrite");
    tx.objectStore(BYTES).put(bytes.slice(), [jobId, key]);
    await done(tx);
  }

  async getBytes(jobId: string, key: string): Promise<Uint8Array | null> {
    const r = await req(this.db.transaction(BYTES).objectStore(BYTES).get([jobId, key]));
    return r instanceof Uint8Array ? r.slice() : null;
  }

  async deleteBytes(jobId: string): Promise<void> {
    const tx = this.db.transaction(BYTES, "readwrite");
    tx.objectStore(BYTES).delete(range(jobId));
    await done(tx);
  }
}
