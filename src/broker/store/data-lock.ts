// One broker per data folder: a lock file naming its owner by pid, process start time (field 22
// of /proc/<pid>/stat), pid namespace and boot id, whose modification time the owner renews every
// second while it runs. Seen from the owner's own pid namespace the lock is stale when that pid is
// gone or belongs to a process that started at another time (a reused pid: in a container the
// broker is always pid 1). From another pid namespace (another container on the same volume) that
// pid says nothing, so the lock is stale once it has not been renewed for LOCK_STALE_MS. A lock
// from another boot is always stale. Without /proc (macOS, Windows) only the pid is checked.

import { promises as fsp, readFileSync, readlinkSync } from "fs";
import * as path from "path";
import { ConfigError } from "../config-error";

export const LOCK_RENEW_MS = 1_000;
export const LOCK_STALE_MS = 5_000;

export interface LockOwner {
  pid: number;
  /** Clock ticks since boot when the process started. */
  start?: string;
  /** The pid namespace (`pid:[inode]`). */
  pidNs?: string;
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
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3];
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

export function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    start: processStartTime(process.pid),
    pidNs: pidNamespace(),
    boot: readText("/proc/sys/kernel/random/boot_id")?.trim() || undefined,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock file's text: JSON `{pid, start, pidNs, boot}`, or a bare pid. */
export function parseOwner(text: string): LockOwner | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  try {
    const o = JSON.parse(t) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 ? { pid: o.pid, start: o.start, pidNs: o.pidNs, boot: o.boot } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the recorded owner still holds the lock: "yes", "no", or "renewal" when only the
 * lock's renewal can tell (the owner ran in another pid namespace).
 */
export function ownerLives(owner: LockOwner, here: LockOwner = currentOwner()): "yes" | "no" | "renewal" {
  if (owner.boot && here.boot && owner.boot !== here.boot) return "no";
  if (owner.pidNs && here.pidNs && owner.pidNs !== here.pidNs) return "renewal";
  if (!pidAlive(owner.pid)) return "no";
  if (owner.start === undefined) return "yes";
  const start = processStartTime(owner.pid);
  return start === undefined || start === owner.start ? "yes" : "no";
}

async function ageMs(file: string): Promise<number | undefined> {
  const st = await fsp.stat(file).catch(() => undefined);
  return st && Date.now() - st.mtimeMs;
}

/** A held data-folder lock: renewed while held, removed by `release`. */
export interface DataLock {
  release(): Promise<void>;
}

/**
 * Take the lock on `lockFile` for this process; throws ConfigError while a live owner holds it.
 * A lock left by another pid namespace is watched until it is LOCK_STALE_MS old (a live owner
 * keeps renewing it).
 */
export async function takeDataLock(lockFile: string): Promise<DataLock> {
  const me = currentOwner();
  const busy = (pid: number) => new ConfigError(`another broker (pid ${pid}) is using ${path.dirname(lockFile)}; stop it or set INFILL_DATA_DIR`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(lockFile, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      return renewing(lockFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = parseOwner(await fsp.readFile(lockFile, "utf8").catch(() => ""));
    const lives = owner ? ownerLives(owner, me) : "no";
    if (lives === "yes") throw busy(owner!.pid);
    if (lives === "renewal") {
      const deadline = Date.now() + LOCK_STALE_MS + 2 * LOCK_RENEW_MS;
      for (;;) {
        const age = await ageMs(lockFile);
        if (age === undefined || age >= LOCK_STALE_MS) break;
        if (Date.now() >= deadline) throw busy(owner!.pid);
        await new Promise((r) => setTimeout(r, Math.min(LOCK_RENEW_MS, LOCK_STALE_MS - age + 50)));
      }
    }
    await fsp.unlink(lockFile).catch(() => undefined); // stale: its owner is gone
  }
  throw new ConfigError(`cannot lock ${lockFile}`);
}

function renewing(lockFile: string): DataLock {
  const timer = setInterval(() => {
    const now = new Date();
    fsp.utimes(lockFile, now, now).catch(() => undefined);
  }, LOCK_RENEW_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await fsp.unlink(lockFile).catch(() => undefined);
    },
  };
}
