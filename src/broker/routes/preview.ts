// POST /v1/preview/{fill,expand}: the local engine's result for the same body as the Firefly submit
// (same validation, same upload ids and ownership), answered at once as the image itself (one
// variation; the engine does not read prompts). Nothing is queued, paced or
// counted as Firefly usage. Only a Firefly broker with previews on makes them: otherwise a 409 says
// why and the panel goes on without a preview.

import type { IncomingMessage, ServerResponse } from "http";
import { validateSubmit } from "../../common/firefly";
import { readJson } from "../http/body";
import type { BrokerParts, RequestContext } from "../http/context";
import { httpError, HttpError } from "../http/errors";
import type { PreviewEndpoint } from "./preview-engine";

export const PREVIEW_PREFIX = "/v1/preview/";
const ENDPOINTS: readonly string[] = ["fill", "expand"] satisfies PreviewEndpoint[];

export async function preview(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  parts: BrokerParts,
  pathname: string,
  owner: string,
): Promise<void> {
  const name = pathname.slice(PREVIEW_PREFIX.length);
  if (!ENDPOINTS.includes(name)) {
    ctx.route = "unknown";
    throw httpError(404, "not_found", "not_found", "Previews are made for fill and expand only.");
  }
  ctx.route = `POST /v1/preview/${name}`;
  if (req.method !== "POST") throw httpError(405, "method_not_allowed", "invalid_input", "Use POST.");
  const endpoint = name as PreviewEndpoint;
  const body = await readJson(req);
  if (parts.config.mode !== "firefly") {
    throw httpError(
      409,
      "preview_local_mode",
      "invalid_input",
      "This broker runs the local engine: the result itself is made locally, so there is no preview.",
    );
  }
  if (!parts.previews) throw httpError(409, "previews_off", "invalid_input", "This broker does not make previews (INFILL_PREVIEWS=off).");
  const v = validateSubmit(endpoint, body, undefined);
  if (!v.ok) throw new HttpError(422, { ...v.body, category: "invalid_input" });
  await parts.jobs.checkUploads(owner, v.value, parts.jobs.now());
  const left = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) left.abort();
  });
  const t0 = performance.now();
  const image = await parts.previews.run(endpoint, v.value, owner, left.signal).finally(() => {
    ctx.facts.upstreamMs = Math.round(performance.now() - t0);
  });
  if (left.signal.aborted) return;
  res.writeHead(200, {
    "content-type": image.contentType,
    "content-length": String(image.bytes.length),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(image.bytes);
}
