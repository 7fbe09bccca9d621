// Stands in when a provider cannot run (the local engine missing from this build): the broker still
// starts, serves health and the playground, and answers every job route with one clear error.

import { Provider, ProviderError } from "./provider";

export function createUnavailableProvider(kind: "firefly" | "local", reason: string): Provider {
  const fail = async (): Promise<never> => {
    throw new ProviderError({ status: 503, body: { error_code: "provider_unavailable", message: reason }, detail: reason });
  };
  return {
    kind,
    upload: fail,
    submit: fail,
    status: fail,
    cancel: fail,
    openOutput: fail,
    customModels: fail,
    health: () => ({ reachable: false, detail: reason }),
    close: async () => undefined,
  };
}
