// One broker per data folder: a lock file naming its owner by pid, the process's start time
// (field 22 of /proc/<pid>/stat) and the boot id. The lock is stale when that pid is gone, or is
// alive but started at another time (a reused pid: in a container the broker is always pid 1) or
// on another boot. Without /proc (macOS, Windows) only the pid is checked.

import { promises as fsp, readFileSync } from "fs";
import * as path from "path";
import { ConfigError } from "../config-error";

export interface LockOwner {
  pid: number;
  /** Clock ticks since boot when the process started; undefined without /proc. */
  start?: string;
  boot?: string;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The start time of a live process (field 22 of /proc/<pid>/stat), or undefined. */
export function processStartTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the command name (which may hold spaces and parentheses) begin at field 3.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return rest[22 - 3];
}

export function bootId(): string | undefined {
  return readText("/proc/sys/kernel/random/boot_id")?.trim() || undefined;
}

export function currentOwner(): LockOwner {
  return { pid: process.pid, start: processStartTime(process.pid), boot: bootId() };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads a lock file's text: JSON `{pid, start, boot}`, or a bare pid. */
export function parseOwner(text: string): LockOwner | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  try {
    const o = JSON.parse(t) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 ? { pid: o.pid, start: o.start, boot: o.boot } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process recorded in a lock still holds it. */
export function ownerLives(owner: LockOwner, here: LockOwner = currentOwner()): boolean {
  if (owner.boot && here.boot && owner.boot !== here.boot) return false;
  if (!pidAlive(owner.pid)) return false;
  if (owner.start === undefined) return true;
  const start = processStartTime(owner.pid);
  return start === undefined || start === owner.start;
}

/** Take the lock on `lockFile` for this process; throws ConfigError while a live owner holds it. */
export async function takeDataLock(lockFile: string): Promise<void> {
  const me = currentOwner();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(lockFile, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = parseOwner(await fsp.readFile(lockFile, "utf8").catch(() => ""));
    if (owner && ownerLives(owner, me)) {
      throw new ConfigError(`another broker (pid ${owner.pid}) is using ${path.dirname(lockFile)}; stop it or set INFILL_DATA_DIR`);
    }
    await fsp.unlink(lockFile).catch(() => undefined); // stale: its owner is gone
  }
  throw new ConfigError(`cannot lock ${lockFile}`);
}
