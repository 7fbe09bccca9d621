// Small Firefly sizes: 64×64 fills and upscale outputs of at most `maxUpscaleSide` px, so a document
// of a few hundred pixels needs tiles, and cases about a job's course (kept, cancelled, failed,
// previews) move kilobytes instead of megapixels. Firefly's fill takes its own sizes only, so the fake
// checks a small fill as sent at 2048×2048 and keeps the small one.

import type { SubmitEndpoint, SubmitRequest } from "../../../src/common/firefly";
import { rig, type Rig } from "./deps";

export function useSmallSizes(r: Rig, limits: { maxUpscaleSide: number; expandMaxSide?: number }): void {
  r.deps.fillContext = { minContext: 64 };
  r.deps.fillLimits = { presets: [{ width: 64, height: 64 }], ...limits };
  const submit = r.broker.submit.bind(r.broker);
  r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
    if (endpoint !== "fill") return submit(endpoint, body, model);
    const accept = await submit(endpoint, { ...body, size: { width: 2048, height: 2048 } }, model);
    r.broker.jobs.get(accept.jobId)!.body = body;
    return accept;
  };
}

/** A rig at small Firefly sizes (64×64 fills), for cases about a job's course rather than the sizes it sends. */
export function smallRig(...args: Parameters<typeof rig>): Rig {
  const r = rig(...args);
  useSmallSizes(r, { maxUpscaleSide: 300 });
  return r;
}
