// The upload ids a validated submit body refers to (`…source.uploadId` wherever the request shape
// puts an image), with where each one is, for an error that points at it.

export interface UploadRef {
  id: string;
  loc: (string | number)[];
}

export function uploadRefs(body: unknown, loc: (string | number)[] = []): UploadRef[] {
  if (Array.isArray(body)) return body.flatMap((v, i) => uploadRefs(v, [...loc, i]));
  if (!body || typeof body !== "object") return [];
  const out: UploadRef[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (k === "uploadId" && typeof v === "string") out.push({ id: v, loc: [...loc, k] });
    else out.push(...uploadRefs(v, [...loc, k]));
  }
  return out;
}
