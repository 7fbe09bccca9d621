// What the request pipeline and the routes share: the broker's parts (one per broker) and the
// facts gathered about one request (for its log line).

import type { IncomingMessage, ServerResponse } from "http";
import type { BrokerConfig } from "../config";
import type { JobService, RequestFacts } from "../jobs/service";
import type { KeyEntry, KeyRing } from "../keys";
import type { Logger } from "../log";
import type { BrokerMetrics } from "../observability/metrics";
import type { Provider } from "../providers/provider";
import type { PreviewEngine } from "../routes/preview-engine";
import type { Store } from "../store/store";
import type { ParsedHost } from "./guards";
import type { Responder } from "./respond";
import type { UploadSlots } from "./upload-slots";

/** What the broker counts about its clients (reported by /health). */
export interface BrokerCounters {
  /** Uploads whose client closed the connection before sending the whole body. */
  uploadsAborted: number;
  /** Connections closed at once because their address, or all clients, held too many. */
  connectionsRefused: number;
}

export interface BrokerParts {
  config: BrokerConfig;
  store: Store;
  provider: Provider;
  /** Why the provider is not available, if so (routes needing it answer 503). */
  providerProblem?: string;
  jobs: JobService;
  /** The local engine for instant previews, when the broker runs Firefly with previews on. */
  previews?: PreviewEngine;
  keys: KeyRing;
  log: Logger;
  metrics: BrokerMetrics;
  version: string;
  /** This instance's id (its heartbeat's and its submit claims'). */
  instanceId: string;
  respond: Responder;
  /** Host names requests may be addressed to; browser origins allowed to call the API. */
  allowedHosts: Set<string>;
  corsOrigins: Set<string>;
  /** The broker's own origins (known once it listens). */
  selfOrigins: Set<string>;
  /** Uploads in progress, per key and in all. */
  uploads: UploadSlots;
  counters: BrokerCounters;
  /** Set when the broker starts to stop. */
  state: { closing: boolean };
}

/** One request: the route name and key for its log line, and what the job service noted. */
export interface RequestContext {
  route: string;
  /** Sent back as `x-request-id` and written in the request's log line. */
  requestId: string;
  key?: KeyEntry;
  /** The Host header's parts, once the host check has passed. */
  host?: ParsedHost;
  facts: RequestFacts;
  /** More fields for the request's one log line (e.g. why it ended early). */
  logFields?: Record<string, unknown>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, parts: BrokerParts) => Promise<void>;

/** The parsed request target. */
export interface Target {
  method: string;
  pathname: string;
  query: URLSearchParams;
}
