// GET /health: no key needed. Mode, version, queue depth, upstream reachability, store connection.
// "ok" only when the provider is available and the job store answered; otherwise "degraded".

import type { IncomingMessage, ServerResponse } from "http";
import { httpError } from "../http/errors";
import type { BrokerParts, RequestContext, Target } from "../http/context";
import { storeHealth } from "../store/from-env";
import { isStoreUnavailable } from "../store/redis/errors";

export async function health(_req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts, target: Target): Promise<void> {
  ctx.route = "GET /health";
  if (target.method !== "GET" && target.method !== "HEAD") throw httpError(405, "method_not_allowed", "invalid_input", "Use GET.");
  const { store, provider, config } = parts;
  let stats = { depth: -1, submitting: -1 };
  let paused = 0;
  let storeReachable = true;
  try {
    [stats, paused] = await Promise.all([store.queueStats(), store.pausedUntil()]);
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    storeReachable = false;
  }
  const h = provider.health();
  const storeState = storeHealth(store);
  // A store that answered from what it still holds is down all the same while disconnected.
  if ((storeState as { connected?: boolean }).connected === false) storeReachable = false;
  parts.respond.sendJson(res, 200, {
    status: parts.state.closing ? "stopping" : parts.providerProblem || !storeReachable ? "degraded" : "ok",
    mode: config.mode,
    version: parts.version,
    queue: { depth: stats.depth, submitting: stats.submitting, pausedUntil: paused > Date.now() ? new Date(paused).toISOString() : undefined },
    upstream: { reachable: h.reachable, lastSeenAt: h.lastSeenAt ? new Date(h.lastSeenAt).toISOString() : undefined, detail: h.detail },
    store: storeState,
  });
}
