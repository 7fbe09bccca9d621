// The instant preview while a Firefly job waits: once the broker has accepted a fill or an expand, the
// same body is sent to its preview route, and the local engine's image is composed as a result would
// be and placed as one clearly named layer in a history step of its own (an expand's step grows the
// canvas too). The results replace it in their own apply step (see run.ts: one step removes the
// preview and places the results, so a rollback keeps it); cancelling removes it (and shrinks an
// expand's canvas back); a failure keeps it and says so. A broker without previews (off, local mode,
// an older broker) only means no preview: nothing is reported.

import { HostError, type LayerOp, type Size } from "../../common/host";
import type { LayerContent } from "../../common/imaging/compose";
import { PREVIEW_REF, previewLayerPlan, removeLayersPlan } from "../../common/imaging/plans";
import type { JobState } from "../../common/jobs";
import { PREVIEW_KEPT } from "../../common/preview-words";
import { onAbort } from "../broker-client/abort";
import type { PreviewEndpoint } from "../broker-client/client";
import { decodeOutputs } from "./decode";
import { kindOf, type CapturedOf, type KindWorkflow, type RequestOf, type SubmitCall } from "./kinds";
import { toneFor } from "./place";
import { previewLayerName, replacingFor, shrinkCanvasOps, type PlacedPreview, type Replacing } from "./preview-plan";
import type { Captured, ExpandCaptured, FillCaptured, WorkflowDeps } from "./types";

export type { PlacedPreview } from "./preview-plan";

export const PREVIEW_HISTORY = "Infill: Preview";
export const REMOVE_PREVIEW_HISTORY = "Infill: Remove Preview";
export { PREVIEW_KEPT, PREVIEW_NOTE } from "../../common/preview-words";

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

/** A fill or expand the broker can preview (the switch is on and the broker client knows the route). */
function previewable(cap: Captured): cap is FillCaptured | ExpandCaptured {
  return (cap.request.kind === "fill" || cap.request.kind === "expand") && cap.request.params.instantPreview !== false;
}

/** The engine's image as the kind composes a result (undefined when it cannot be read). */
function composed<K extends "fill" | "expand">(kind: KindWorkflow<K>, cap: CapturedOf<K>, bytes: Uint8Array): LayerContent | undefined {
  const req = cap.request as RequestOf<K>;
  const image = decodeOutputs([{ bytes, placement: null }], kind.region(cap)).images[0];
  return image ? kind.compose(req, cap.selection, image, toneFor(req, kind.sent(cap), image)) : undefined;
}

/** The preview's layer content and, for an expand, the canvas steps around it. */
function previewContent(cap: FillCaptured | ExpandCaptured, bytes: Uint8Array): { content: LayerContent; canvas?: CanvasChange } | undefined {
  if (cap.request.kind === "fill") {
    const content = composed(kindOf("fill"), cap as FillCaptured, bytes);
    return content && { content };
  }
  const c = cap as ExpandCaptured;
  const content = composed(kindOf("expand"), c, bytes);
  const g = c.request.expand.geometry;
  return content && { content, canvas: { grow: kindOf("expand").canvasOps(c.request) ?? [], size: { ...g.canvas }, shrink: shrinkCanvasOps(g) } };
}

interface CanvasChange {
  grow: LayerOp[];
  size: Size;
  shrink: LayerOp[];
}

/** Starts the preview of an accepted job; undefined when there is none to make. */
export function startPreview(cap: Captured, call: SubmitCall, ctx: PreviewContext): PreviewRun | undefined {
  const { deps } = ctx;
  const ask = deps.broker.preview;
  if (!previewable(cap) || !ask || call.endpoint !== cap.request.kind) return undefined;
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
    const made = previewContent(cap, bytes);
    if (!made || signal.aborted) return undefined;
    applying = true;
    const { content, canvas } = made;
    const plan = previewLayerPlan(PREVIEW_HISTORY, req.docSize, previewLayerName(ctx.state().queuePosition), content, canvas?.grow);
    const res = await deps.host.apply(req.docId, plan);
    const placed: PlacedPreview = {
      docId: req.docId,
      layerId: res.created[PREVIEW_REF],
      ...(canvas ? { canvas: canvas.size, restoreCanvas: canvas.shrink } : {}),
    };
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
  const size = { width: doc.width, height: doc.height };
  // An expand's grown canvas goes back too, while it is still the size the preview made it.
  const grown = preview.canvas && size.width === preview.canvas.width && size.height === preview.canvas.height;
  const plan = removeLayersPlan(REMOVE_PREVIEW_HISTORY, size, [id]);
  if (grown) plan.ops.push(...(preview.restoreCanvas ?? []));
  try {
    await deps.host.apply(preview.docId, plan);
    return true;
  } catch (e) {
    if (e instanceof HostError) return false;
    throw e;
  }
}

/** What the results' apply step does with the stored preview (see replacingFor). */
export async function previewToReplace(deps: WorkflowDeps, preview: PlacedPreview | undefined, targetDocId: number): Promise<Replacing | undefined> {
  if (!preview) return undefined;
  const live = (await livePreviewLayer(deps, preview)) !== undefined;
  const doc = (await deps.host.documents()).find((d) => d.id === targetDocId);
  return replacingFor(preview, live, targetDocId, doc && { width: doc.width, height: doc.height });
}

/**
 * A job's ending with a preview (see JobLife.onEnd): a cancelled job's preview is removed; a failed
 * one's is kept and the failure says so. `run` is this session's preview, `stored` the one on record;
 * `endNote` takes PREVIEW_NOTE off the job (it speaks of a wait that is over).
 */
export function previewEnding(deps: WorkflowDeps, run: PreviewRun | undefined, stored: () => PlacedPreview | undefined, endNote?: () => void) {
  return async (cancelled: boolean): Promise<string | undefined> => {
    const placed = (await run?.finish()) ?? stored();
    endNote?.();
    if (cancelled) {
      await removePreview(deps, placed);
      return undefined;
    }
    return (await livePreviewLayer(deps, placed)) === undefined ? undefined : PREVIEW_KEPT;
  };
}
