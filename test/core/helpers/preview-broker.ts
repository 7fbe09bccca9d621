// For instant-preview workflow tests: the rig's broker gets a preview route (answered by `make`, after
// the first status poll so the job's queue place is known) and its Firefly job stays queued, place 3,
// until released.

import type { SubmitRequest } from "../../../src/common/firefly";
import { BrokerError, type BrokerClient, type PreviewEndpoint } from "../../../src/plugin/broker-client";
import { flushUntil } from "../../support/turns";
import type { Rig } from "./deps";

export type PreviewBody = SubmitRequest[PreviewEndpoint];

export interface PreviewGate {
  /** Bodies the preview route was asked for. */
  asked: PreviewBody[];
  /** Lets the Firefly job leave the queue. */
  release(): void;
}

export function gatePreviews(r: Rig, make: (endpoint: PreviewEndpoint, body: PreviewBody, signal?: AbortSignal) => Promise<Uint8Array>): PreviewGate {
  const asked: PreviewBody[] = [];
  const client: BrokerClient = r.broker;
  client.preview = async (endpoint, body, signal) => {
    asked.push(body);
    await flushUntil(() => r.broker.statusCalls > 0);
    return make(endpoint, body, signal);
  };
  let released = false;
  const status = r.broker.status.bind(r.broker);
  r.broker.status = async (id) => {
    if (released) return status(id);
    r.broker.statusCalls++;
    return { job: { jobId: id, status: "queued", queuePosition: 3 } };
  };
  return { asked, release: () => (released = true) };
}

/**
 * The broker's status polls are answered 429 (Firefly asked to slow down, retry after 30 s) the
 * first `times` times, then as before; resolves once all of them were given.
 */
export async function rateLimitStatusPolls(r: Rig, times = 2): Promise<void> {
  const status = r.broker.status.bind(r.broker);
  let limited = 0;
  r.broker.status = async (id) => {
    if (limited < times) {
      limited++;
      throw new BrokerError("rate_limited", "Firefly asked to slow down.", "429", 429, "rate_limited", 30_000);
    }
    return status(id);
  };
  await flushUntil(() => limited === times);
}
