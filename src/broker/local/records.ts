// The local engine's files on disk: every file the client is told about (an upload, a job, an
// output) is written durably first — to a temporary name, flushed, renamed into place and the
// folder flushed — so a crash or a restart never loses what was acknowledged. Records are small
// JSON files read back at start.

import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Temporary files carry this infix; any left by a crash are removed by the sweep. */
export const TMP_INFIX = ".tmp-";

/** Write `data` to `file` so that, once this resolves, the whole file survives a crash. */
export async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}${TMP_INFIX}${randomBytes(6).toString("hex")}`;
  const fh = await fs.promises.open(tmp, "w", 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  const dir = await fs.promises.open(path.dirname(file), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Write a JSON record durably. */
export function writeRecord(file: string, value: unknown): Promise<void> {
  return writeDurably(file, JSON.stringify(value) + "\n");
}

/**
 * Every `*.json` record in `dir` that `parse` accepts; the names of those it does not (unreadable
 * or malformed) in `bad`, left on disk for the operator.
 */
export function readRecords<T>(dir: string, parse: (value: unknown) => T | undefined): { records: T[]; bad: string[] } {
  const records: T[] = [];
  const bad: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    let value: T | undefined;
    try {
      value = parse(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
    } catch {
      value = undefined;
    }
    if (value === undefined) bad.push(name);
    else records.push(value);
  }
  return { records, bad };
}

/**
 * Create the engine's folders (owner-only). Synchronous, so a folder that cannot be made (a
 * read-only data folder) stops the engine's start with one clear error.
 */
export function makeFolders(dirs: string[]): void {
  for (const dir of dirs) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot use ${dir} for the local engine's files (${err.code ?? err.message})`);
    }
  }
}
