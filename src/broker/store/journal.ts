// The file store's journal: one JSON object per line, appended in order, replayed on open (a torn
// last line from a crash is skipped), rewritten from a snapshot now and then (compaction). One
// process per journal: a lock file holds the owner's pid; a dead owner's lock is taken over.

import { promises as fsp } from "fs";
import * as path from "path";
import { ConfigError } from "../config-error";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Journal<E> {
  private fh: fsp.FileHandle | undefined;
  private lockFile: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private appended = 0;

  /** `snapshot()`: the entries that rebuild the current state (written at compaction). */
  constructor(
    private readonly file: string,
    private readonly compactEvery: number,
    private readonly snapshot: () => E[],
  ) {}

  /** Lock the journal and read its entries. */
  async open(): Promise<E[]> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await this.lock();
    let text = "";
    try {
      text = await fsp.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const entries: E[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as E);
      } catch {
        continue; // a torn write from a crash: the rest of the journal still counts
      }
    }
    return entries;
  }

  /** Append entries (in call order); resolves once they are written. */
  append(entries: E[]): Promise<void> {
    const data = entries.map((e) => JSON.stringify(e)).join("\n") + "\n";
    return this.serial(async () => {
      if (!this.fh) throw new Error("the store is closed");
      await this.fh.write(data);
      this.appended += entries.length;
      if (this.appended >= this.compactEvery) await this.compactNow();
    });
  }

  compact(): Promise<void> {
    return this.serial(() => this.compactNow());
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.fh) {
        await this.fh.close();
        this.fh = undefined;
      }
      if (this.lockFile) {
        await fsp.unlink(this.lockFile).catch(() => undefined);
        this.lockFile = undefined;
      }
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async compactNow(): Promise<void> {
    const lines = this.snapshot().map((e) => JSON.stringify(e));
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, lines.length ? lines.join("\n") + "\n" : "", { mode: 0o600 });
    if (this.fh) await this.fh.close();
    await fsp.rename(tmp, this.file);
    this.fh = await fsp.open(this.file, "a", 0o600);
    this.appended = 0;
  }

  /** One process per journal: a lock file with our pid; a dead owner's lock is taken over. */
  private async lock(): Promise<void> {
    const lockFile = `${this.file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fsp.writeFile(lockFile, String(process.pid), { flag: "wx", mode: 0o600 });
        this.lockFile = lockFile;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const pid = Number((await fsp.readFile(lockFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new ConfigError(`another broker (pid ${pid}) is using ${path.dirname(this.file)}; stop it or set INFILL_DATA_DIR`);
      }
      await fsp.unlink(lockFile).catch(() => undefined); // stale: its owner is gone
    }
    throw new ConfigError(`cannot lock ${this.file}`);
  }
}
