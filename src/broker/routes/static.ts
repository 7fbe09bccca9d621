// GET / (the playground) and GET /ui/* (the panel UI): static files, no key.

import type { IncomingMessage, ServerResponse } from "http";
import { BROKER_ERROR_CODES } from "../../common/firefly";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";
import { resolveStatic, sendFile } from "../http/static";

export async function staticFiles(_req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target): Promise<void> {
  const { method, pathname } = target;
  if (method !== "GET" && method !== "HEAD") {
    ctx.route = "static";
    throw httpError(405, "method_not_allowed", "invalid_input", "Only GET is served here.");
  }
  const ui = pathname === "/ui" || pathname.startsWith("/ui/");
  ctx.route = ui ? "GET /ui" : "GET /";
  const r = resolveStatic(ui ? parts.config.uiDir : parts.config.playgroundDir, ui ? pathname.slice(3) : pathname);
  if (r.kind === "file") return sendFile(res, r, method === "HEAD");
  if (r.kind === "forbidden") throw httpError(403, "forbidden", "invalid_input", "That path is not served.");
  throw httpError(
    404,
    BROKER_ERROR_CODES.notFound,
    "not_found",
    ui ? "The panel UI is not built (run npm run build)." : "Not found. (Is the playground built? Run npm run build.)",
  );
}
