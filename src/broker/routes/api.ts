// The routes that need a broker key: Firefly's paths (upload, the async submits, status, cancel,
// custom models), the admin usage report and the quota any key may read.

import type { IncomingMessage, ServerResponse } from "http";
import { BROKER_ERROR_CODES, upscaleAcceptBody, type SubmitEndpoint } from "../../common/firefly";
import { jobIdFrom, readJson } from "../http/body";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";
import { authenticate, originOf } from "../http/guards";
import type { KeyEntry } from "../keys";
import { ADMIN_DOCTOR_PATH, adminDoctor } from "./admin-doctor";
import { ADMIN_OVERVIEW_PATH, adminOverview } from "./admin-overview";
import { PREVIEW_PREFIX, preview } from "./preview";
import { requireProvider } from "./provider-check";
import { upload } from "./upload";
import { QUOTA_PATH, quota } from "./usage";

const SUBMIT_ROUTES: Record<string, SubmitEndpoint> = {
  "fill-async": "fill",
  "expand-async": "expand",
  "generate-async": "generate",
  "generate-similar-async": "similar",
  upscale: "upscale",
  "adaptive-composite": "adaptive",
  "precise-composite": "precise",
};
const CUSTOM_MODEL_QUERY = new Set(["sortBy", "start", "limit", "publishedState"]);

/** Where links to this broker point: INFILL_PUBLIC_URL, else the checked Host header's parts. */
function baseUrl(ctx: RequestContext, parts: BrokerParts): string {
  return parts.config.publicUrl ?? originOf(ctx.host!);
}

const STATUS_PREFIX = "/v3/status/";

/** A method other than the route's. */
const wrongMethod = (want: string) => httpError(405, "method_not_allowed", "invalid_input", `Use ${want}.`);

export function api(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target): Promise<void> {
  ctx.route = "auth";
  const key = authenticate(req, ctx, parts.keys);
  // Status polls first, matched without a regular expression: they are most of the traffic.
  const { pathname } = target;
  if (pathname.startsWith(STATUS_PREFIX)) {
    const segment = pathname.slice(STATUS_PREFIX.length);
    if (segment.length > 0 && segment.length <= 300 && !segment.includes("/")) return status(res, ctx, parts, target.method, key.name, segment);
  }
  return otherRoutes(req, res, ctx, parts, target, key);
}

async function status(res: ServerResponse, ctx: RequestContext, parts: BrokerParts, method: string, owner: string, segment: string): Promise<void> {
  ctx.route = "GET /v3/status/:jobId";
  if (method !== "GET") throw wrongMethod("GET");
  parts.respond.sendJson(res, 200, await parts.jobs.status(owner, jobIdFrom(segment), baseUrl(ctx, parts), ctx.facts));
}

async function otherRoutes(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target, key: KeyEntry): Promise<void> {
  const { method, pathname, query } = target;
  const { jobs, respond } = parts;
  const owner = key.name;
  const m = (re: RegExp) => re.exec(pathname);
  const only = (want: string, name: string) => {
    ctx.route = `${want} ${name}`;
    if (method !== want) throw wrongMethod(want);
  };
  let g: RegExpExecArray | null;
  if (pathname === "/v2/storage/image") {
    only("POST", pathname);
    return upload(req, res, ctx, parts, owner);
  }
  if ((g = m(/^\/v3\/images\/([a-z-]+)$/)) && SUBMIT_ROUTES[g[1]]) {
    only("POST", pathname);
    const body = await readJson(req);
    requireProvider(parts);
    const mv = req.headers["x-model-version"];
    const endpoint = SUBMIT_ROUTES[g[1]];
    const accepted = await jobs.submit(owner, endpoint, body, typeof mv === "string" ? mv.trim() : undefined, baseUrl(ctx, parts), ctx.facts);
    respond.sendJson(res, 202, endpoint === "upscale" ? upscaleAcceptBody(accepted) : accepted);
    return;
  }
  if (pathname.startsWith(PREVIEW_PREFIX)) return preview(req, res, ctx, parts, pathname, owner);
  if ((g = m(/^\/v3\/cancel\/([^/]{1,300})$/))) {
    only("PUT", "/v3/cancel/:jobId");
    respond.sendJson(res, 200, await jobs.cancel(owner, jobIdFrom(g[1]), ctx.facts));
    return;
  }
  if (pathname === "/v3/custom-models") {
    only("GET", pathname);
    requireProvider(parts);
    const q: Record<string, string> = {};
    for (const [k, v] of query) if (CUSTOM_MODEL_QUERY.has(k) && v.length <= 64) q[k] = v;
    const t0 = performance.now();
    try {
      respond.sendJson(res, 200, await parts.provider.customModels(q));
    } catch (err) {
      throw await jobs.providerFailure(err);
    } finally {
      ctx.facts.upstreamMs = Math.round(performance.now() - t0);
    }
    return;
  }
  if (pathname === ADMIN_DOCTOR_PATH) {
    only("GET", pathname);
    return adminDoctor(res, ctx, parts, key);
  }
  if (pathname === ADMIN_OVERVIEW_PATH) {
    only("GET", pathname);
    return adminOverview(res, ctx, parts, key);
  }
  if (pathname === "/v1/usage") {
    only("GET", pathname);
    if (!key.admin) throw httpError(403, "forbidden", "auth", "Usage is for admin keys only.");
    const since = query.get("since") ?? undefined;
    if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw httpError(400, "bad_request", "invalid_input", "since must be YYYY-MM-DD.");
    respond.sendJson(res, 200, { usage: await parts.store.usage(since) });
    return;
  }
  if (pathname === QUOTA_PATH) {
    only("GET", pathname);
    respond.sendJson(res, 200, await quota(parts, key, query));
    return;
  }
  ctx.route = "unknown";
  throw httpError(404, BROKER_ERROR_CODES.notFound, "not_found", "No such route.");
}
