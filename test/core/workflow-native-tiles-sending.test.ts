// A tiled Native-detail fill whose tiles do not all reach the service: a tile refused at submit fails
// the job and cancels the tiles already sent; a reload between two tiles' submits leaves a record the
// next session ends as not sent, cancelling the tile that was. Nothing is placed either way.

import type { AcceptResponse, SubmitEndpoint, SubmitRequest } from "../../src/common/firefly";
import { BrokerError } from "../../src/plugin/broker-client";
import { resumeJobs, startJob, type StoredRequest } from "../../src/plugin/workflows";
import { flushUntil } from "../support/turns";
import { rig, run, type Rig } from "./helpers/deps";
import { coordImage } from "./helpers/images";
import { useSmallSizes } from "./helpers/small-sizes";

const params = { kind: "fill" as const, numVariations: 1, seeds: [99], detail: "native" as const, blend: { bandPx: 4, toneMatch: true } };

/** The two-tile test document (see workflow-native-tiles), its second tile's submit answered by `second`. */
function setup(second: () => Promise<AcceptResponse>): { r: Rig; id: number } {
  const r = rig({ script: ["queued", "running", "running"] });
  useSmallSizes(r, { maxUpscaleSide: 300 });
  const submit = r.broker.submit.bind(r.broker);
  let fills = 0;
  r.broker.submit = async <E extends SubmitEndpoint>(endpoint: E, body: SubmitRequest[E], model?: string) => {
    if (endpoint === "fill" && ++fills === 2) return second();
    return submit(endpoint, body, model);
  };
  const id = r.host.createDocument({ title: "tiles.psd", width: 448, height: 256, pixels: coordImage(448, 256) });
  r.host.setSelection(id, { left: 32, top: 32, right: 416, bottom: 224 });
  return { r, id };
}

describe("a tiled fill whose tiles do not all reach the service", () => {
  test("a tile refused at submit fails the job with its category and cancels the tile already sent", async () => {
    const { r, id } = setup(async () => {
      throw new BrokerError("invalid_input", "Firefly could not use this input.", "422 validation_error", 422, "validation_error");
    });
    const { final } = await run(r, params);
    expect(final.phase).toBe("failed");
    expect(final.error?.category).toBe("invalid_input");
    const sent = [...r.broker.jobs.keys()];
    expect(sent).toHaveLength(1);
    expect(r.broker.cancelCalls).toEqual(sent);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
  });

  test("a reload between two tiles' submits: the next session ends the job as not sent and cancels the tile that was", async () => {
    const { r, id } = setup(() => new Promise<AcceptResponse>(() => undefined));
    const job = startJob(params, r.deps, () => undefined);
    let stored: StoredRequest | undefined;
    await flushUntil(() => {
      void r.store.getJob(job.jobId).then((rec) => (stored = rec?.request as StoredRequest | undefined));
      return stored?.tiles?.length === 1;
    }, 5000);
    expect(stored?.tiles).toHaveLength(1);

    const [resumed] = await resumeJobs(r.deps, () => undefined);
    const final = await resumed.done;
    expect(final.phase).toBe("failed");
    expect(final.error?.message).toMatch(/^Infill was closed or reloaded before every tile of this Native-detail job reached the service/);
    expect(r.broker.cancelCalls).toEqual([stored!.tiles![0].remoteJobId]);
    expect(r.host.historyNames(id)).toEqual(["Open"]);
  });
});
