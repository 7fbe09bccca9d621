// Broker keys: who may call the broker. Each key has a name (used in logs, usage, queue fairness
// and job ownership) and may be stored hashed (`sha256:<hex>`). A presented key is hashed once and
// its SHA-256 compared with every entry's with `crypto.timingSafeEqual`: fixed-length digests, so
// the time taken reveals neither the stored keys' lengths nor where a near miss differs.

import * as crypto from "crypto";
import { createHash, randomBytes, timingSafeEqual } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "./config-error";

export interface KeyEntry {
  name: string;
  /** SHA-256 of the key. */
  hash: Buffer;
  admin: boolean;
  /** Known only for keys configured in plain text (for log redaction); never logged. */
  plain?: string;
}

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** One-shot hashing where Node has it (20.12+): no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, outputEncoding: "buffer") => Buffer }).hash;

export function sha256(text: string): Buffer {
  return oneShot ? oneShot("sha256", text, "buffer") : createHash("sha256").update(text, "utf8").digest();
}

/** Whether two secrets are equal, in time that does not depend on where they differ (compared as SHA-256 digests). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function newKey(): string {
  return `ifk_${randomBytes(32).toString("base64url")}`;
}

export class KeyRing {
  constructor(readonly entries: KeyEntry[]) {}

  /** The entry for a presented key, or undefined. Compares with every entry (no early exit). */
  find(presented: string): KeyEntry | undefined {
    if (presented.length === 0 || presented.length > 512) return undefined;
    const hash = sha256(presented);
    let found: KeyEntry | undefined;
    for (const e of this.entries) if (timingSafeEqual(hash, e.hash) && !found) found = e;
    return found;
  }
}

/**
 * Keys file (INFILL_KEYS_FILE), JSON:
 *   { "keys": [ { "name": "alice", "key": "…", "admin": true }, { "name": "bob", "sha256": "<64 hex>" } ] }
 * (a bare array works too). `key` may also be written "sha256:<hex>".
 */
export function readKeysFile(file: string): KeyEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`INFILL_KEYS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`INFILL_KEYS_FILE: ${file} is not valid JSON`);
  }
  const list = Array.isArray(data) ? data : (data as { keys?: unknown })?.keys;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`INFILL_KEYS_FILE: ${file} must hold a non-empty "keys" list`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const e = raw as { name?: unknown; key?: unknown; sha256?: unknown; admin?: unknown };
    if (typeof e?.name !== "string" || !NAME_RE.test(e.name))
      throw new ConfigError(`INFILL_KEYS_FILE: entry ${i + 1} needs a "name" (letters, digits, . _ @ -)`);
    if (names.has(e.name)) throw new ConfigError(`INFILL_KEYS_FILE: the name "${e.name}" appears twice`);
    names.add(e.name);
    let hex: string | undefined = typeof e.sha256 === "string" ? e.sha256 : undefined;
    let plain: string | undefined;
    if (typeof e.key === "string") {
      if (e.key.startsWith("sha256:")) hex = e.key.slice(7);
      else plain = e.key;
    }
    if (plain !== undefined) {
      if (plain.length < 16) throw new ConfigError(`INFILL_KEYS_FILE: the key of "${e.name}" is too short (16 characters at least)`);
      return { name: e.name, hash: sha256(plain), admin: e.admin === true, plain };
    }
    if (!hex || !/^[0-9a-f]{64}$/i.test(hex)) throw new ConfigError(`INFILL_KEYS_FILE: entry "${e.name}" needs "key" or "sha256" (64 hex digits)`);
    return { name: e.name, hash: Buffer.from(hex, "hex"), admin: e.admin === true };
  });
}

/** The key the broker made for itself on first start (owner-only file in the config folder). */
export function loadOrCreateLocalKey(configDir: string): { key: string; file: string; created: boolean } {
  const file = path.join(configDir, "broker-key");
  try {
    const key = fs.readFileSync(file, "utf8").trim();
    if (key.length >= 16) return { key, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      throw new ConfigError(`cannot read the broker key file ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const key = newKey();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, key + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  try {
    fs.chmodSync(file, 0o600);
  } catch {
    /* not supported on this file system */
  }
  return { key, file, created: true };
}
