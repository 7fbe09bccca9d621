// GET /v1/outputs/{jobId}/{n}?expires&sig: the broker's signed output links (no key: the
// signature binds the link to the job's owner), streamed from the provider.

import type { IncomingMessage, ServerResponse } from "http";
import { pipeline } from "stream";
import { jobIdFrom } from "../http/body";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";

const OUTPUT_PATH = /^\/v1\/outputs\/([^/]{1,300})\/(\d{1,2})$/;

export function matchOutput(pathname: string): RegExpExecArray | null {
  return OUTPUT_PATH.exec(pathname);
}

export async function output(_req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target, m: RegExpExecArray): Promise<void> {
  ctx.route = "GET /v1/outputs";
  if (target.method !== "GET") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
  const expires = Number(target.query.get("expires"));
  const sig = target.query.get("sig") ?? "";
  const o = await parts.jobs.output(jobIdFrom(m[1]), Number(m[2]), Number.isFinite(expires) ? expires : 0, sig, ctx.facts);
  res.writeHead(200, {
    "content-type": o.contentType,
    ...(o.contentLength !== undefined ? { "content-length": String(o.contentLength) } : {}),
    "cache-control": "private, max-age=300",
    "x-content-type-options": "nosniff",
  });
  pipeline(o.stream, res, () => undefined);
}
