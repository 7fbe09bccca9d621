// What the local engine keeps on disk about uploads and jobs (one JSON record each, see
// records.ts), and the checks a record read back at start must pass.

import type { FileInputs } from "./pool-protocol";

export interface UploadRecord {
  id: string;
  owner: string;
  width: number;
  height: number;
  createdAt: number;
}

/** A job's inputs by upload id (the files are found in the uploads folder when it runs). */
export interface JobInputs {
  endpoint: "fill" | "expand";
  image: string;
  mask?: { uploadId: string; invert: boolean };
  /** The sampling area (white = may be copied from). */
  samplingMask?: { uploadId: string; invert: boolean };
  expand?: FileInputs["expand"];
}

export type StoredJobState = "pending" | "succeeded" | "failed" | "cancelled";

export interface JobRecord {
  id: string;
  owner: string;
  state: StoredJobState;
  createdAt: number;
  finishedAt?: number;
  seeds: number[];
  inputs: JobInputs;
  /** Estimated peak bytes of one variation (limits.ts). */
  taskBytes: number;
  size?: { width: number; height: number };
  outputs: { seed: number; url: string }[];
  error?: { code: string; message: string };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const LOCAL_JOB_ID_RE = /^local-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isSize = (v: unknown): boolean => isObj(v) && isCount(v.width) && isCount(v.height);

export function parseUploadRecord(v: unknown): UploadRecord | undefined {
  if (!isObj(v) || typeof v.id !== "string" || !UUID_RE.test(v.id) || typeof v.owner !== "string") return undefined;
  if (!isCount(v.width) || !isCount(v.height) || !isCount(v.createdAt)) return undefined;
  return { id: v.id, owner: v.owner, width: v.width, height: v.height, createdAt: v.createdAt };
}

function parseInputs(v: unknown): JobInputs | undefined {
  if (!isObj(v) || (v.endpoint !== "fill" && v.endpoint !== "expand") || typeof v.image !== "string" || !UUID_RE.test(v.image)) return undefined;
  const isMaskRef = (m: unknown): boolean =>
    m === undefined || (isObj(m) && typeof m.uploadId === "string" && UUID_RE.test(m.uploadId) && typeof m.invert === "boolean");
  if (!isMaskRef(v.mask) || !isMaskRef(v.samplingMask)) return undefined;
  if (v.expand !== undefined && !isSize(v.expand)) return undefined;
  return v as unknown as JobInputs;
}

export function parseJobRecord(v: unknown): JobRecord | undefined {
  if (!isObj(v) || typeof v.id !== "string" || !LOCAL_JOB_ID_RE.test(v.id) || typeof v.owner !== "string") return undefined;
  if (!["pending", "succeeded", "failed", "cancelled"].includes(v.state as string)) return undefined;
  if (!isCount(v.createdAt) || (v.finishedAt !== undefined && !isCount(v.finishedAt)) || !isCount(v.taskBytes)) return undefined;
  if (!Array.isArray(v.seeds) || v.seeds.length === 0 || !v.seeds.every(isCount)) return undefined;
  if (!parseInputs(v.inputs) || (v.size !== undefined && !isSize(v.size))) return undefined;
  if (!Array.isArray(v.outputs) || !v.outputs.every((o) => isObj(o) && isCount(o.seed) && typeof o.url === "string")) return undefined;
  if (v.error !== undefined && !(isObj(v.error) && typeof v.error.code === "string" && typeof v.error.message === "string")) return undefined;
  return v as unknown as JobRecord;
}
