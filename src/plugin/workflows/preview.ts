// The instant preview while a Firefly job waits: once the broker has accepted a fill, the same body is
// sent to its preview route, and the local engine's image is composed as a result would be and placed
// as one clearly named layer in a history step of its own. The results replace it in their own apply
// step (see run.ts: one step removes the preview and places the results, so a rollback keeps it);
// cancelling removes it; a failure keeps it and says so. A broker without previews (off, local mode,
// an older broker) only means no preview: nothing is reported.

import { HostError } from "../../common/host";
import { PREVIEW_REF, previewLayerPlan, removeLayersPlan } from "../../common/imaging/plans";
import type { JobState } from "../../common/jobs";
import { onAbort } from "../broker-client/abort";
import type { PreviewEndpoint } from "../broker-client/client";
import { decodeOutputs } from "./decode";
import { kindOf, type SubmitCall } from "./kinds";
import { toneFor } from "./place";
import type { Captured, FillCaptured, WorkflowDeps } from "./types";

export const PREVIEW_HISTORY = "Infill: Preview";
export const REMOVE_PREVIEW_HISTORY = "Infill: Remove Preview";
/** Said on the job while the preview stands in for the results. */
export const PREVIEW_NOTE = "Showing an instant preview from the broker's local engine while Firefly works; the prompt is used only by Firefly.";
/** Added to a failure's message when the preview stays in the document. */
export const PREVIEW_KEPT = "The preview layer was kept; delete it if you do not want it.";

/** The preview layer's name: what it is and, when known, the job's place in the queue. */
export function previewLayerName(queuePosition: number | undefined): string {
  return `Preview — waiting for Firefly${queuePosition ? ` (#${queuePosition})` : ""}`;
}

/** Where a placed preview is, as stored with the job (so a resumed job finds it). */
export interface PlacedPreview {
  docId: number;
  layerId: number;
}

export interface PreviewRun {
  /** Stops a preview not placed yet (it never will be) and resolves with the placed one, if any. */
  finish(): Promise<PlacedPreview | undefined>;
}

export interface PreviewContext {
  deps: WorkflowDeps;
  /** The job's own signal: a cancelled job places no preview. */
  signal: AbortSignal;
  /** The job's current state (its queue position names the layer). */
  state(): JobState;
  /** Called once the preview is placed (to store it with the job and say so on it). */
  placed(p: PlacedPreview): Promise<void>;
}

/** A fill the broker can preview (the switch is on and the broker client knows the route). */
function previewable(cap: Captured, deps: WorkflowDeps): cap is FillCaptured {
  return cap.request.kind === "fill" && cap.request.params.instantPreview !== false && deps.broker.preview !== undefined;
}

/** Starts the preview of an accepted job; undefined when there is none to make. */
export function startPreview(cap: Captured, call: SubmitCall, ctx: PreviewContext): PreviewRun | undefined {
  const { deps } = ctx;
  const ask = deps.broker.preview;
  if (!previewable(cap, deps) || !ask || (call.endpoint as string) !== "fill") return undefined;
  const endpoint = call.endpoint as PreviewEndpoint;
  // Stopped by the job's cancel, or by finish() when the results come first.
  const stop = new AbortController();
  const signal = stop.signal;
  const unwatch = onAbort(ctx.signal, () => stop.abort());
  let applying = false;
  const work = (async (): Promise<PlacedPreview | undefined> => {
    const req = cap.request;
    let bytes: Uint8Array;
    try {
      bytes = await ask(endpoint, call.body as Parameters<typeof ask>[1], signal);
    } catch {
      return undefined; // no preview from this broker: the job goes on without one
    }
    if (signal.aborted) return undefined;
    const kind = kindOf("fill");
    const image = decodeOutputs([{ bytes, placement: null }], kind.region(cap)).images[0];
    if (!image) return undefined;
    const content = kind.compose(req, cap.selection, image, toneFor(req, kind.sent(cap), image));
    if (signal.aborted) return undefined;
    applying = true;
    const plan = previewLayerPlan(PREVIEW_HISTORY, req.docSize, previewLayerName(ctx.state().queuePosition), content);
    const res = await deps.host.apply(req.docId, plan);
    const placed = { docId: req.docId, layerId: res.created[PREVIEW_REF] };
    await ctx.placed(placed);
    return placed;
  })()
    .catch(() => undefined)
    .finally(unwatch);
  return {
    finish() {
      if (!applying) stop.abort();
      return work;
    },
  };
}

/** The preview's layer id when it is still in its document (the artist may have deleted or undone it). */
export async function livePreviewLayer(deps: WorkflowDeps, preview: PlacedPreview | undefined): Promise<number | undefined> {
  if (!preview) return undefined;
  try {
    const layers = await deps.host.layers(preview.docId);
    return layers.some((l) => l.id === preview.layerId) ? preview.layerId : undefined;
  } catch {
    return undefined; // the document was closed
  }
}

/** Removes the preview (a cancelled job), as a step of its own; true when it was there and is gone. */
export async function removePreview(deps: WorkflowDeps, preview: PlacedPreview | undefined): Promise<boolean> {
  const id = await livePreviewLayer(deps, preview);
  if (id === undefined || !preview) return false;
  const doc = (await deps.host.documents()).find((d) => d.id === preview.docId);
  if (!doc) return false;
  try {
    await deps.host.apply(preview.docId, removeLayersPlan(REMOVE_PREVIEW_HISTORY, { width: doc.width, height: doc.height }, [id]));
    return true;
  } catch (e) {
    if (e instanceof HostError) return false;
    throw e;
  }
}

/** The preview layer the results replace in their apply step: the stored one, when it is still in the target document. */
export async function previewToReplace(deps: WorkflowDeps, preview: PlacedPreview | undefined, targetDocId: number): Promise<number[]> {
  if (!preview || preview.docId !== targetDocId) return [];
  const id = await livePreviewLayer(deps, preview);
  return id === undefined ? [] : [id];
}

/**
 * A job's ending with a preview (see JobLife.onEnd): a cancelled job's preview is removed; a failed
 * one's is kept and the failure says so. `run` is this session's preview, `stored` the one on record.
 */
export function previewEnding(deps: WorkflowDeps, run: PreviewRun | undefined, stored: () => PlacedPreview | undefined) {
  return async (cancelled: boolean): Promise<string | undefined> => {
    const placed = (await run?.finish()) ?? stored();
    if (cancelled) {
      await removePreview(deps, placed);
      return undefined;
    }
    return (await livePreviewLayer(deps, placed)) === undefined ? undefined : PREVIEW_KEPT;
  };
}
