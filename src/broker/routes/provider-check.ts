// Routes that need the provider answer 503 when it is not available (local engine missing).

import type { BrokerParts } from "../http/context";
import { httpError } from "../http/errors";

export function requireProvider(parts: BrokerParts): void {
  if (parts.providerProblem) throw httpError(503, "provider_unavailable", "service_unavailable", parts.providerProblem);
}
