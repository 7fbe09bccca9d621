// GET /v1/outputs/{jobId}/{n}?expires&sig[&crop=l,t,r,b&of=w,h]: the broker's signed output links (no
// key: the signature binds the link to the job's owner), streamed from the provider. With `crop` and
// `of` (see src/common/imaging/crop.ts) only that part of the output is sent, re-encoded, with
// headers saying where it lies; an output that cannot be cropped is sent whole, without them.

import type { IncomingMessage, ServerResponse } from "http";
import { pipeline } from "stream";
import { parseCropQuery, placementHeaders } from "../../common/imaging/crop";
import { jobIdFrom } from "../http/body";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";
import { CropError, CropTurns, cropOutput, readAll } from "../output-crop";

const OUTPUT_PATH = /^\/v1\/outputs\/([^/]{1,300})\/(\d{1,2})$/;
/** Largest output read into memory to crop. */
const CROP_READ_CAP = 64 * 1024 * 1024;
/** Crops of this process (one queue for every output link). */
const cropTurns = new CropTurns();

/** Decimal digits, no sign, no leading zero, no fraction: the one spelling the broker signs. */
const EXPIRES_RE = /^[1-9][0-9]{0,15}$/;

/**
 * The link's `expires` in its canonical spelling, else 0 (which no signature matches): `+…`,
 * `….0`, `0x…` or `1.7e12` spellings of a signed value are refused, so each link has one form.
 */
export function parseExpires(text: string | null): number {
  return text !== null && EXPIRES_RE.test(text) ? Number(text) : 0;
}

export function matchOutput(pathname: string): RegExpExecArray | null {
  return OUTPUT_PATH.exec(pathname);
}

export async function output(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  parts: BrokerParts,
  target: Target,
  m: RegExpExecArray,
): Promise<void> {
  ctx.route = "GET /v1/outputs";
  if (target.method !== "GET") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
  const crop = parseCropQuery(target.query);
  if (typeof crop === "string") throw httpError(400, "bad_crop", "invalid_input", `This output crop is not valid: ${crop}.`);
  const sig = target.query.get("sig") ?? "";
  const o = await parts.jobs.output(jobIdFrom(m[1]), Number(m[2]), parseExpires(target.query.get("expires")), sig, ctx.facts);
  const common = { "cache-control": "private, max-age=300", "x-content-type-options": "nosniff" };
  // Too many crops waiting: the output is sent whole, as for one that cannot be cropped.
  const turn = crop ? cropTurns.enter() : undefined;
  if (crop && turn) {
    // The output is read into memory only once this crop's turn has come.
    const release = await turn;
    let body: Buffer;
    let headers: Record<string, string> = { "content-type": o.contentType };
    try {
      body = await readAll(o.stream, CROP_READ_CAP);
      try {
        const c = await cropOutput(body, crop);
        body = c.bytes;
        headers = { "content-type": c.contentType, ...placementHeaders(c.placement) };
      } catch (e) {
        if (!(e instanceof CropError)) throw e;
      }
    } finally {
      release();
    }
    res.writeHead(200, { ...headers, "content-length": String(body.length), ...common });
    res.end(body);
    return;
  }
  res.writeHead(200, {
    "content-type": o.contentType,
    ...(o.contentLength !== undefined ? { "content-length": String(o.contentLength) } : {}),
    ...common,
  });
  pipeline(o.stream, res, () => undefined);
}
