// `GET /v1/admin/overview` (admin keys only): what the `/admin` page shows — the queue per person,
// the pace and any pause, usage against the limits, the last failures, upstream latency, the store
// and every instance on it. Read through the store's roles (observability/overview.ts).

import type { ServerResponse } from "http";
import { ADMIN_OVERVIEW_PATH } from "../../common/admin-overview";
import type { BrokerParts, RequestContext } from "../http/context";
import { httpError } from "../http/errors";
import type { KeyEntry } from "../keys";
import { readOverview, shapeOverview } from "../observability/overview";
import { storeHealth } from "../store/from-env";

export { ADMIN_OVERVIEW_PATH };

export async function adminOverview(res: ServerResponse, ctx: RequestContext, parts: BrokerParts, key: KeyEntry): Promise<void> {
  ctx.route = `GET ${ADMIN_OVERVIEW_PATH}`;
  if (!key.admin) throw httpError(403, "forbidden", "auth", "The broker's overview is for admin keys only.");
  const facts = await readOverview(parts.store, {
    now: parts.jobs.now(),
    config: parts.config,
    version: parts.version,
    selfId: parts.instanceId,
    store: storeHealth(parts.store),
    upstream: parts.metrics.recentUpstream.summary(),
  });
  res.setHeader("cache-control", "no-store");
  parts.respond.sendJson(res, 200, shapeOverview(facts));
}
