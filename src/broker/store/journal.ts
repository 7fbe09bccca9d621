// The file store's journal: one JSON object per line, appended in order, replayed on open, and
// rewritten from a snapshot now and then (compaction). Writes come first: an append resolves only
// once its lines are in the file (and, when asked, synced to the disk), and a failed append (a full
// disk) is cut off again, so the file never keeps part of a line that was refused. On replay a
// torn last line (a crash mid-write) is dropped; an unreadable line anywhere else is reported with
// its line number and counted. One process per journal (./data-lock.ts).

import { promises as fsp } from "fs";
import * as path from "path";
import { takeDataLock, type DataLock } from "./data-lock";

export type JournalLog = (entry: Record<string, unknown>) => void;

export interface Replay<E> {
  entries: E[];
  /** Line numbers (1-based) of unreadable lines before the last one. */
  corrupt: number[];
  /** Whether the last line was torn (dropped). */
  tornTail: boolean;
}

export class Journal<E> {
  private fh: fsp.FileHandle | undefined;
  private lock: DataLock | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Bytes of whole lines in the file: where the next append starts, and where a failed one is cut back to. */
  private size = 0;
  private appended = 0;
  private nextCompactAt: number;

  /** `snapshot()`: the entries that rebuild the current state (written at compaction). */
  constructor(
    private readonly file: string,
    private readonly compactEvery: number,
    private readonly snapshot: () => E[],
    private readonly log: JournalLog = () => undefined,
  ) {
    this.nextCompactAt = compactEvery;
  }

  /** Lock the journal and read its entries. */
  async open(): Promise<Replay<E>> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.lock = await takeDataLock(`${this.file}.lock`);
    let text = "";
    try {
      text = await fsp.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const replay = parseJournal<E>(text);
    for (const line of replay.corrupt) this.log({ event: "journal_corrupt_line", file: this.file, line });
    if (replay.tornTail) this.log({ event: "journal_torn_tail", file: this.file });
    return replay;
  }

  /** Append entries (in call order); resolves once they are written (and synced with `sync`). */
  append(entries: E[], sync = false): Promise<void> {
    const data = Buffer.from(entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
    return this.serial(async () => {
      const fh = this.fh;
      if (!fh) throw new Error("the store is closed");
      try {
        let done = 0;
        while (done < data.length) done += (await fh.write(data, done, data.length - done, this.size + done)).bytesWritten;
        if (sync) await fh.datasync();
      } catch (err) {
        // Whatever part of these lines reached the file is cut off: they were refused.
        await fh.truncate(this.size).catch(() => undefined);
        throw err;
      }
      this.size += data.length;
      this.appended += entries.length;
    });
  }

  /** Compact when enough lines were appended since the last time. A failed compaction is logged and tried again later. */
  compactIfDue(): Promise<void> {
    if (this.appended < this.nextCompactAt) return Promise.resolve();
    return this.serial(async () => {
      if (this.appended < this.nextCompactAt) return;
      try {
        await this.compactNow();
      } catch (err) {
        this.nextCompactAt = this.appended + Math.max(1, Math.ceil(this.compactEvery / 10));
        this.log({ event: "journal_compact_failed", file: this.file, error: String((err as Error)?.message ?? err) });
      }
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
      await this.lock?.release();
      this.lock = undefined;
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Write the snapshot to a new file, sync it, and put it in place of the journal. */
  private async compactNow(): Promise<void> {
    const lines = this.snapshot().map((e) => JSON.stringify(e));
    const data = lines.length ? lines.join("\n") + "\n" : "";
    const tmp = `${this.file}.${process.pid}.tmp`;
    const out = await fsp.open(tmp, "w", 0o600);
    try {
      await out.writeFile(data);
      await out.sync();
    } catch (err) {
      await out.close().catch(() => undefined);
      await fsp.unlink(tmp).catch(() => undefined);
      throw err;
    }
    await out.close();
    await fsp.rename(tmp, this.file);
    await syncDir(path.dirname(this.file));
    if (this.fh) await this.fh.close();
    this.fh = await fsp.open(this.file, "r+");
    this.size = Buffer.byteLength(data);
    this.appended = 0;
    this.nextCompactAt = this.compactEvery;
  }
}

/** Sync a folder so a rename in it survives a crash (not possible on every platform). */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r").catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close().catch(() => undefined);
}

/** Parse journal text: the last line may be torn (dropped); unreadable lines before it are reported. */
export function parseJournal<E>(text: string): Replay<E> {
  const lines = text.split("\n");
  // A file that ends with "\n" has an empty last piece; anything else there was cut short.
  const last = lines.length - 1;
  const entries: E[] = [];
  const corrupt: number[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as E);
    } catch {
      if (i === last) tornTail = true;
      else corrupt.push(i + 1);
    }
  }
  return { entries, corrupt, tornTail };
}
