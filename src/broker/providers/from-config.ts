// Which provider the broker uses: Firefly (with its IMS token cache) in firefly mode, otherwise the
// local engine when it is part of the build, otherwise a provider that refuses every call with the
// reason (the broker still starts, answers /health as degraded and serves the static files).

import * as path from "path";
import type { BrokerConfig } from "../config";
import type { Logger, Redactor } from "../log";
import { createFireflyProvider } from "./firefly";
import { ImsTokens } from "./ims";
import { OutputHostPolicy } from "./output-hosts";
import type { LocalProviderFactory, Provider } from "./provider";
import { createUnavailableProvider } from "./unavailable";

export interface ChosenProvider {
  provider: Provider;
  ims?: ImsTokens;
  /** Why the provider is not available (local engine missing or failed), if so. */
  problem?: string;
}

export function loadLocalFactory(): LocalProviderFactory | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("../local") as { createLocalProvider?: LocalProviderFactory };
    return typeof mod.createLocalProvider === "function" ? mod.createLocalProvider : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `localFactory`: undefined loads `../local` if it exists; null means "no local engine".
 * IMS tokens are added to the redactor as they arrive.
 */
export function providerFromConfig(
  config: BrokerConfig,
  log: Logger,
  redactor: Redactor,
  localFactory: LocalProviderFactory | null | undefined,
  onEngineEvent?: (entry: Record<string, unknown>) => void,
): ChosenProvider {
  if (config.mode === "firefly") {
    const ims = new ImsTokens({
      url: config.imsUrl,
      clientId: config.clientId!,
      clientSecret: config.clientSecret!,
      scopes: config.imsScopes,
      onToken: (t) => redactor.add(t),
      redact: (t) => redactor.redact(t),
      retryBaseMs: config.retryBaseMs,
    });
    const provider = createFireflyProvider({
      fireflyUrl: config.fireflyUrl,
      clientId: config.clientId!,
      ims,
      outputHosts: new OutputHostPolicy(config.fireflyUrl, config.outputHosts),
      timeouts: {
        get: Math.min(config.upstreamTimeoutMs, 30_000),
        submit: config.upstreamTimeoutMs,
        upload: Math.max(config.upstreamTimeoutMs, 120_000),
        output: Math.max(config.upstreamTimeoutMs, 120_000),
      },
      retryBaseMs: config.retryBaseMs,
      redact: (t) => redactor.redact(t),
    });
    return { provider, ims };
  }
  const factory = localFactory === undefined ? loadLocalFactory() : (localFactory ?? undefined);
  let problem: string;
  if (factory) {
    try {
      return { provider: factory({ dataDir: path.join(config.dataDir, "local"), log: (e) => (onEngineEvent?.(e), log.log({ source: "local", ...e })) }) };
    } catch (err) {
      problem = `The local engine failed to start (${(err as Error).message}).`;
    }
  } else {
    problem = "The local engine is not part of this build yet. Set FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET to use Firefly.";
  }
  return { provider: createUnavailableProvider("local", problem), problem };
}
