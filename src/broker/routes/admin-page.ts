// GET /admin (and /admin/*): the admin page's static files (dist/admin), no key. The page holds no
// data: it asks for an admin key and reads GET /v1/admin/overview. It may not be framed, and sends
// no referrer.

import type { IncomingMessage, ServerResponse } from "http";
import { BROKER_ERROR_CODES } from "../../common/firefly";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";
import { resolveStatic, sendFile } from "../http/static";

export const ADMIN_PAGE_PATH = "/admin";

export function isAdminPagePath(pathname: string): boolean {
  return pathname === ADMIN_PAGE_PATH || pathname.startsWith(`${ADMIN_PAGE_PATH}/`);
}

const PAGE_HEADERS = {
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

export async function adminPage(_req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target): Promise<void> {
  ctx.route = "GET /admin";
  const { method, pathname } = target;
  if (method !== "GET" && method !== "HEAD") throw httpError(405, "method_not_allowed", "invalid_input", "Only GET is served here.");
  const r = resolveStatic(parts.config.adminDir, pathname.slice(ADMIN_PAGE_PATH.length));
  if (r.kind === "forbidden") throw httpError(403, "forbidden", "invalid_input", "That path is not served.");
  if (r.kind === "missing") throw httpError(404, BROKER_ERROR_CODES.notFound, "not_found", "The admin page is not built (run npm run build).");
  for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
  sendFile(res, r, method === "HEAD");
}
