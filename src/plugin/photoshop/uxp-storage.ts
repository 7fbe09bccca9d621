// UXP storage behind the settings and result-store interfaces:
// - the broker key in `uxp.storage.secureStorage` (we store UTF-8 bytes we encoded, and decode the
//   Uint8Array it returns strictly; secure storage can be lost, so a missing key just means "ask again");
// - preferences as one JSON file in the plugin data folder;
// - job records and result bytes as files in a `results` folder of the plugin data folder.

import { storage, type UxpFile, type UxpFolder } from "uxp";
import type { JobRecord, ResultStore } from "../store";
import type { PrefsStore, SecretStore } from "../settings/types";
import { decodeUtf8, encodeUtf8, secretFromStored } from "../settings/utf8";

export class UxpSecretStore implements SecretStore {
  async get(name: string): Promise<string | null> {
    let value: unknown;
    try {
      value = await storage.secureStorage.getItem(name);
    } catch {
      return null; // not stored (or the store was lost)
    }
    return secretFromStored(value);
  }
  async set(name: string, value: string): Promise<void> {
    await storage.secureStorage.setItem(name, encodeUtf8(value));
  }
  async remove(name: string): Promise<void> {
    try {
      await storage.secureStorage.removeItem(name);
    } catch {
      // rejected when nothing was stored: nothing to remove
    }
  }
}

async function dataFolder(): Promise<UxpFolder> {
  return storage.localFileSystem.getDataFolder();
}

async function subFolder(parent: UxpFolder, name: string): Promise<UxpFolder> {
  try {
    const e = await parent.getEntry(name);
    if (e.isFolder) return e as UxpFolder;
  } catch {
    // missing: create it
  }
  return parent.createFolder(name);
}

async function fileIn(folder: UxpFolder, name: string): Promise<UxpFile | null> {
  try {
    const e = await folder.getEntry(name);
    return e.isFile ? (e as UxpFile) : null;
  } catch {
    return null;
  }
}

async function readText(folder: UxpFolder, name: string): Promise<string | null> {
  const f = await fileIn(folder, name);
  if (!f) return null;
  const v = await f.read({ format: storage.formats.utf8 });
  return typeof v === "string" ? v : (decodeUtf8(new Uint8Array(v)) ?? "");
}

async function writeText(folder: UxpFolder, name: string, text: string): Promise<void> {
  const f = await folder.createFile(name, { overwrite: true });
  await f.write(text, { format: storage.formats.utf8 });
}

export const PREFERENCES_FILE = "preferences.json";

export class DataFolderPrefsStore implements PrefsStore {
  async load(): Promise<unknown> {
    const text = await readText(await dataFolder(), PREFERENCES_FILE);
    if (text === null) return null;
    try {
      return JSON.parse(text);
    } catch {
      return null; // damaged: defaults
    }
  }
  async save(data: unknown): Promise<void> {
    await writeText(await dataFolder(), PREFERENCES_FILE, JSON.stringify(data, null, 2));
  }
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120);
const recordName = (jobId: string) => `${safeName(jobId)}.job.json`;
const bytesPrefix = (jobId: string) => `${safeName(jobId)}.bytes.`;

/** Job records and result bytes in <plugin data>/results. */
export class DataFolderResultStore implements ResultStore {
  private folder: Promise<UxpFolder> | null = null;
  private results(): Promise<UxpFolder> {
    if (!this.folder) this.folder = dataFolder().then((d) => subFolder(d, "results"));
    const f = this.folder;
    f.catch(() => (this.folder = null));
    return f;
  }

  async putJob(record: JobRecord): Promise<void> {
    await writeText(await this.results(), recordName(record.jobId), JSON.stringify(record));
  }
  async getJob(jobId: string): Promise<JobRecord | null> {
    const text = await readText(await this.results(), recordName(jobId));
    if (text === null) return null;
    try {
      return JSON.parse(text) as JobRecord;
    } catch {
      return null;
    }
  }
  async listJobs(): Promise<JobRecord[]> {
    const folder = await this.results();
    const out: JobRecord[] = [];
    for (const e of await folder.getEntries()) {
      if (!e.isFile || !e.name.endsWith(".job.json")) continue;
      const text = await readText(folder, e.name);
      try {
        if (text) out.push(JSON.parse(text) as JobRecord);
      } catch {
        // skip a damaged record
      }
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }
  async deleteJob(jobId: string): Promise<void> {
    await this.deleteBytes(jobId);
    const f = await fileIn(await this.results(), recordName(jobId));
    if (f) await f.delete();
  }
  async putBytes(jobId: string, key: string, bytes: Uint8Array): Promise<void> {
    const f = await (await this.results()).createFile(bytesPrefix(jobId) + safeName(key), { overwrite: true });
    // Write an ArrayBuffer holding exactly these bytes (a view's buffer may be larger).
    await f.write(bytes.slice().buffer, { format: storage.formats.binary });
  }
  async getBytes(jobId: string, key: string): Promise<Uint8Array | null> {
    const f = await fileIn(await this.results(), bytesPrefix(jobId) + safeName(key));
    if (!f) return null;
    const v = await f.read({ format: storage.formats.binary });
    return typeof v === "string" ? encodeUtf8(v) : new Uint8Array(v);
  }
  async deleteBytes(jobId: string): Promise<void> {
    const folder = await this.results();
    const prefix = bytesPrefix(jobId);
    for (const e of await folder.getEntries()) if (e.isFile && e.name.startsWith(prefix)) await e.delete();
  }
}
