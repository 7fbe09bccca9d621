// GET /metrics: the broker's metrics in Prometheus text format. Off (404) unless
// INFILL_METRICS_TOKEN is set; then the scraper sends `Authorization: Bearer <that token>`, or an
// admin broker key. Anything else is a 401 (a key that is not an admin key: 403).

import type { IncomingMessage, ServerResponse } from "http";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { httpError } from "../http/errors";
import { sameSecret } from "../keys";

export const METRICS_PATH = "/metrics";

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

export async function metricsRoute(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target): Promise<void> {
  ctx.route = "GET /metrics";
  const token = parts.config.metricsToken;
  if (!token) throw httpError(404, "not_found", "invalid_input", "Metrics are off (set INFILL_METRICS_TOKEN to turn them on).");
  if (target.method !== "GET") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
  const presented = bearer(req);
  if (presented === undefined)
    throw httpError(401, "unauthorized", "auth", "Send Authorization: Bearer <metrics token or admin key>.", { "www-authenticate": "Bearer" });
  if (!sameSecret(presented, token)) {
    const key = parts.keys.find(presented);
    if (!key) throw httpError(401, "unauthorized", "auth", "Not the metrics token or a broker key.", { "www-authenticate": "Bearer" });
    ctx.key = key;
    if (!key.admin) throw httpError(403, "forbidden", "auth", "Metrics are for the metrics token or admin keys only.");
  }
  const text = await parts.metrics.text();
  res.writeHead(200, { "content-type": parts.metrics.contentType, "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
