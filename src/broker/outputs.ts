// The broker's own output links: `/v1/outputs/<jobId>/<index>?expires=<ms>&sig=<hmac>`.
// Like Adobe's pre-signed URLs they work without an Authorization header, expire (one hour) and
// cannot be forged; the signature also binds the link to the job's owner.

import { createHmac, randomBytes, timingSafeEqual } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { OUTPUT_URL_TTL_MS } from "../common/firefly";

/** Signed links remembered (links are stable for a minute, and finished jobs are polled again and again). */
const SIGNED_CACHE_MAX = 2048;

export class OutputSigner {
  private signed = new Map<string, string>();

  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number = OUTPUT_URL_TTL_MS,
  ) {}

  private mac(jobId: string, index: number, owner: string, expires: number): Buffer {
    return createHmac("sha256", this.key).update(`${jobId}\n${index}\n${owner}\n${expires}`).digest();
  }

  /** Path + query of a signed output link (expiry rounded to the minute so polls see a stable link). */
  sign(jobId: string, index: number, owner: string, now: number): string {
    const expires = Math.ceil((now + this.ttlMs) / 60_000) * 60_000;
    const k = `${jobId}\n${index}\n${owner}\n${expires}`;
    let link = this.signed.get(k);
    if (link === undefined) {
      const sig = this.mac(jobId, index, owner, expires).toString("base64url");
      link = `/v1/outputs/${jobId}/${index}?expires=${expires}&sig=${sig}`;
      if (this.signed.size >= SIGNED_CACHE_MAX) this.signed.clear();
      this.signed.set(k, link);
    }
    return link;
  }

  verify(jobId: string, index: number, owner: string, expires: number, sig: string, now: number): "ok" | "expired" | "bad" {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sig)) return "bad";
    const want = this.mac(jobId, index, owner, expires);
    const got = Buffer.from(sig, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return "bad";
    if (expires <= now || expires > now + this.ttlMs + 60_000) return "expired";
    return "ok";
  }
}

export const SIGNING_KEY_FILE = "output-signing.key";
/** Shortest signing key accepted (bytes). */
export const MIN_SIGNING_KEY_BYTES = 32;

/** A signing key written as base64url, or undefined when it is not one (too short, bad characters). */
export function parseSigningKey(text: string | undefined | null): Buffer | undefined {
  const t = (text ?? "").trim();
  if (!/^[A-Za-z0-9_-]+$/.test(t)) return undefined;
  const k = Buffer.from(t, "base64url");
  return k.length >= MIN_SIGNING_KEY_BYTES ? k : undefined;
}

export function newSigningKey(): Buffer {
  return randomBytes(MIN_SIGNING_KEY_BYTES);
}

/** The key in `<dataDir>/output-signing.key`, if there is a valid one. */
export function readSigningKey(dataDir: string): Buffer | undefined {
  try {
    return parseSigningKey(fs.readFileSync(path.join(dataDir, SIGNING_KEY_FILE), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The key in `<dataDir>/output-signing.key`; when there is none, `candidate` (default: a new
 * random key) is written there (owner-only) and returned. The key survives restarts so links
 * handed out stay valid.
 */
export function loadSigningKey(dataDir: string, candidate?: Buffer): Buffer {
  const existing = readSigningKey(dataDir);
  if (existing) return existing;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = candidate ?? newSigningKey();
  fs.writeFileSync(path.join(dataDir, SIGNING_KEY_FILE), key.toString("base64url") + "\n", { mode: 0o600 });
  return key;
}
