// A BrokerClient that builds the real one from the current settings at each call, so a broker URL or
// key changed in Settings applies to the next request without restarting anything.

import type { BrokerClient } from "../broker-client";

export function lazyBroker(get: () => Promise<BrokerClient>): BrokerClient {
  return {
    upload: async (bytes, contentType, signal) => (await get()).upload(bytes, contentType, signal),
    submit: async (endpoint, body, modelVersion, signal) => (await get()).submit(endpoint, body, modelVersion, signal),
    status: async (jobId, signal) => (await get()).status(jobId, signal),
    cancel: async (jobId) => (await get()).cancel(jobId),
    download: async (url, signal) => (await get()).download(url, signal),
    customModels: async (signal) => (await get()).customModels(signal),
    quota: async (signal) => {
      const b = await get();
      if (!b.quota) throw new Error("this broker client cannot read the quota");
      return b.quota(signal);
    },
    preview: async (endpoint, body, signal) => {
      const b = await get();
      if (!b.preview) throw new Error("this broker client cannot ask for previews");
      return b.preview(endpoint, body, signal);
    },
  };
}
