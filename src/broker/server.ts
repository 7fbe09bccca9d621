// The broker process: builds its parts (provider, store, dispatcher, job service, keys), serves
// them over HTTP (request pipeline in http/pipeline.ts, routes in routes/), runs the housekeeping
// tick, and stops gracefully (in-flight requests and submits finish; queued jobs stay stored).

import * as http from "http";
import * as fs from "fs";
import * as path from "path";
import type { BrokerConfig } from "./config";
import type { BrokerCounters, BrokerParts } from "./http/context";
import { capConnections, ConnectionLimits, DEFAULT_CONNECTION_LIMITS, serverOptions } from "./http/connections";
import { attachPipeline } from "./http/pipeline";
import { createResponder } from "./http/respond";
import { DEFAULT_UPLOAD_LIMITS, UploadLimits, UploadSlots } from "./http/upload-slots";
import { JobService } from "./jobs/service";
import { Dispatcher } from "./jobs/dispatcher";
import { KeyRing } from "./keys";
import { fdSink, Logger, LogSink, Redactor } from "./log";
import { startHeartbeat } from "./observability/heartbeat";
import { BrokerMetrics } from "./observability/metrics";
import { observeUpstream } from "./http/upstream";
import { loadSigningKey, newSigningKey, OutputSigner, readSigningKey } from "./outputs";
import { loadLocalFactory, providerFromConfig } from "./providers/from-config";
import type { ImsTokens } from "./providers/ims";
import type { LocalProviderFactory, Provider } from "./providers/provider";
import { PreviewEngine } from "./routes/preview-engine";
import { createStoreFromEnv } from "./store/from-env";
import type { Store } from "./store/store";
import { brokerVersion } from "./version";

export interface BrokerOptions {
  config: BrokerConfig;
  /** Default: the journal-file store in `config.dataDir`. */
  store?: Store;
  /** Default: from `config.mode`. */
  provider?: Provider;
  /** Default: `require("./local").createLocalProvider` when it exists. */
  localProviderFactory?: LocalProviderFactory | null;
  /** Where log lines go (default stdout). */
  logSink?: LogSink;
  /** Clock for the queue, pacing and links (tests). */
  now?: () => number;
  /** Uploads in progress at once, per key and in all. */
  uploadLimits?: UploadLimits;
  /** Client connection timeouts and caps (defaults: DEFAULT_CONNECTION_LIMITS). */
  connectionLimits?: Partial<ConnectionLimits>;
}

export interface Broker {
  url: string;
  port: number;
  config: BrokerConfig;
  store: Store;
  provider: Provider;
  dispatcher: Dispatcher;
  jobs: JobService;
  log: Logger;
  counters: BrokerCounters;
  uploads: UploadSlots;
  ims?: ImsTokens;
  /** Why the provider is not available (local engine missing), if so. */
  providerProblem?: string;
  close(): Promise<void>;
}

/** Finished jobs are forgotten after two days (their output links expire after one hour). */
const JOB_RETENTION_MS = 48 * 3600_000;

/**
 * The output-signing key: the one the store shares between instances (a key already in this data
 * folder is offered first, so links handed out before keep working), else this folder's own file.
 */
async function outputSigningKey(store: Store, dataDir: string): Promise<Buffer> {
  if (!store.sharedSigningKey) return loadSigningKey(dataDir);
  return store.sharedSigningKey(readSigningKey(dataDir) ?? newSigningKey());
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const config = options.config;
  const redactor = new Redactor();
  redactor.add(config.clientSecret);
  for (const k of config.keys) redactor.add(k.plain);
  redactor.add(config.metricsToken);
  const log = new Logger(options.logSink ?? fdSink(), redactor);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const metrics = new BrokerMetrics(config);

  let ims: ImsTokens | undefined;
  let provider = options.provider;
  let providerProblem: string | undefined;
  if (!provider) {
    const chosen = providerFromConfig(config, log, redactor, options.localProviderFactory, (e) => metrics.engineEvent(e));
    ({ provider, ims, problem: providerProblem } = chosen);
  }

  const store =
    options.store ??
    createStoreFromEnv(config.storeEnv, { file: path.join(config.dataDir, "broker-store.jsonl"), log: (e) => log.log({ source: "store", ...e }) });
  let signingKey: Buffer;
  try {
    await store.open();
    signingKey = await outputSigningKey(store, config.dataDir);
  } catch (err) {
    await store.close().catch(() => undefined);
    await provider.close().catch(() => undefined);
    throw err;
  }
  redactor.add(signingKey.toString("base64url"));
  metrics.watchQueue(store);
  const limits = { perMinute: config.ratePerMinute, perDay: config.ratePerDay, minuteMs: config.rateMinuteMs };
  const dispatcher = new Dispatcher({
    store,
    provider,
    log,
    limits,
    leaseMs: config.upstreamTimeoutMs + 60_000,
    retryBaseMs: Math.max(config.retryBaseMs, 1) * 4,
    now: options.now,
    onSubmit: (result, waitedMs) => metrics.submit(result, waitedMs),
  });
  const jobs = new JobService({
    store,
    provider,
    dispatcher,
    signer: new OutputSigner(signingKey),
    log,
    limits,
    maxQueuedPerKey: config.maxQueuedPerKey,
    // Collapsing status polls spares Firefly's API; the local engine answers a status from memory,
    // so its jobs are read at every poll and a finished one is seen at once.
    statusMinIntervalMs: provider.kind === "firefly" ? config.statusMinIntervalMs : 0,
    now: options.now,
  });
  // A Firefly broker also runs its local engine for instant previews, unless they are turned off.
  const previewFactory =
    config.mode === "firefly" && config.previews ? (options.localProviderFactory === undefined ? loadLocalFactory() : options.localProviderFactory) : null;
  const previews = previewFactory ? new PreviewEngine({ factory: previewFactory, dataDir: path.join(config.dataDir, "preview"), log }) : undefined;
  const state = { closing: false };
  const counters: BrokerCounters = { uploadsAborted: 0, connectionsRefused: 0 };
  const uploads = new UploadSlots(options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS);
  const parts: BrokerParts = {
    config,
    store,
    provider,
    providerProblem,
    jobs,
    previews,
    keys: new KeyRing(config.keys),
    log,
    metrics,
    version: brokerVersion(),
    instanceId: dispatcher.instanceId,
    respond: createResponder(redactor, log, state),
    allowedHosts: new Set(config.allowedHosts),
    corsOrigins: new Set(config.corsOrigins.map((o) => o.replace(/\/+$/, ""))),
    selfOrigins: new Set<string>(),
    uploads,
    counters,
    state,
  };

  const connectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const server = http.createServer({ maxHeaderSize: 16 * 1024, ...serverOptions(connectionLimits) });
  let refusalLoggedAt = -Infinity;
  capConnections(server, connectionLimits, (why) => {
    counters.connectionsRefused++;
    // A flood of refusals is one log line a second, not one each.
    const now = performance.now();
    if (now - refusalLoggedAt < 1_000) return;
    refusalLoggedAt = now;
    log.log({ event: "connection_refused", why, refusedSoFar: counters.connectionsRefused });
  });
  attachPipeline(server, parts);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await provider.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const addr = server.address() as { port: number };
  const stopObserving = observeUpstream((call) => metrics.upstream(call));
  for (const h of parts.allowedHosts) parts.selfOrigins.add(`http://${h.includes(":") ? `[${h}]` : h}:${addr.port}`);
  if (config.publicUrl) parts.selfOrigins.add(new URL(config.publicUrl).origin);

  const startedAt = (options.now ?? Date.now)();
  const heartbeat = startHeartbeat(
    store,
    () => ({
      id: dispatcher.instanceId,
      version: parts.version,
      mode: config.mode,
      status: providerProblem ? "degraded" : "ok",
      startedAt,
    }),
    options.now ?? Date.now,
    (err) => log.log({ event: "store_write_failed", op: "heartbeat", error: String((err as Error)?.message ?? err) }),
  );
  await heartbeat.beat();
  await dispatcher.recoverInterrupted();
  dispatcher.kick(); // queued jobs from before a restart resume now
  const housekeeping = setInterval(() => {
    void dispatcher.recoverInterrupted().catch(() => undefined);
    void store.prune(Date.now() - JOB_RETENTION_MS).catch(() => undefined);
    dispatcher.kick();
  }, 60_000);
  housekeeping.unref();

  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host.includes(":") ? `[${config.host}]` : config.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    config,
    store,
    provider,
    dispatcher,
    jobs,
    log,
    counters,
    uploads,
    ims,
    providerProblem,
    close() {
      closed ??= (async () => {
        state.closing = true;
        stopObserving();
        heartbeat.stop();
        clearInterval(housekeeping);
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await dispatcher.stop();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        await serverClosed;
        clearTimeout(force);
        await provider!.close();
        await previews?.close();
        await store.close();
      })();
      return closed;
    },
  };
}
