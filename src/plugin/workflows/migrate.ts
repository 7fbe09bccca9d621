// Reading a stored job record's request, whatever version wrote it. Version 1 kept one shape for every
// kind, with the kind's part (`fill`, `expand` or `cover`) optional and a copy of the model version;
// version 2 has one shape per kind. A record that fits neither is refused with a message, not guessed.

import type { JobKind, JobParams } from "../../common/jobs";
import { WorkflowError } from "./errors";
import type { JobRequest, RequestShared, StoredRequest } from "./types";

/** A request as version 1 wrote it. */
export interface RequestV1 extends Omit<RequestShared, "version"> {
  version: 1;
  kind: JobKind;
  params: JobParams;
  blend: JobRequest["blend"];
  sendSize: JobRequest["sendSize"];
  modelVersion?: string;
  fill?: { geometry: unknown; selectionBounds: unknown };
  expand?: { geometry: unknown };
  cover?: { target: unknown; masked: boolean; selectionBounds?: unknown };
}

const unreadable = (detail: string): WorkflowError =>
  new WorkflowError({
    category: "invalid_input",
    message: "This job's stored record could not be read, so it cannot be finished or placed. Run it again.",
    detail,
  });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The stored request of a job record, in the current shape. */
export function readStoredRequest(raw: unknown): StoredRequest {
  if (!isObject(raw) || !isObject(raw.request)) throw unreadable("no request in the record");
  const stored = raw as unknown as StoredRequest;
  return { ...stored, request: readRequest(raw.request) };
}

function readRequest(r: Record<string, unknown>): JobRequest {
  if (r.version === 2) return checked(r as unknown as JobRequest);
  if (r.version === 1) return fromV1(r as unknown as RequestV1);
  throw unreadable(`request version ${String(r.version)}`);
}

/** A version-1 request in the current shape: the kind's part kept, the rest dropped. */
export function fromV1(r: RequestV1): JobRequest {
  const shared: RequestShared = {
    version: 2,
    jobId: r.jobId,
    docId: r.docId,
    docTitle: r.docTitle,
    docSize: r.docSize,
    capturedAt: r.capturedAt,
    seeds: r.seeds,
    groupName: r.groupName,
    historyName: r.historyName,
  };
  const name = KIND_PART[r.kind];
  if (name === undefined) throw unreadable(`unknown kind ${String(r.kind)}`);
  const part = (r as unknown as Record<string, unknown>)[name];
  return checked({ ...shared, kind: r.kind, params: r.params, blend: r.blend, sendSize: r.sendSize, [name]: part } as JobRequest);
}

/** Each kind's own part of its request. */
const KIND_PART = { fill: "fill", expand: "expand", generate: "cover", similar: "cover", harmonize: "harmonize" } as const satisfies Record<JobKind, string>;

/** The request if its kind's own part is there (and its parameters are of the same kind). */
function checked(req: JobRequest): JobRequest {
  const name = KIND_PART[req.kind];
  if (name === undefined) throw unreadable(`unknown kind ${String(req.kind)}`);
  if (!isObject(req.params) || req.params.kind !== req.kind) throw unreadable(`a ${req.kind} request with other parameters`);
  if (!isObject((req as unknown as Record<string, unknown>)[name])) throw unreadable(`a ${req.kind} request without its ${name} part`);
  if (!Array.isArray(req.seeds) || !isObject(req.docSize) || !isObject(req.sendSize) || !isObject(req.blend))
    throw unreadable(`a ${req.kind} request missing its seeds or sizes`);
  return req;
}
