// The host check: probes of the behaviours Infill relies on, run in the real host on a scratch
// document, each with the value it expects and what it saw. Probes are plain code over the two
// interfaces below; only src/plugin/photoshop/ implements them against Photoshop and UXP.

import type { Rect } from "../../common/host";
import type { HostCheckReport, ProbeResult } from "../../common/protocol/hostcheck-schema";

export type { HostCheckReport, ProbeResult };
export type Verdict = ProbeResult["verdict"];
export type ProbeGroup = ProbeResult["group"];

export interface Probe<Env> {
  id: string;
  group: ProbeGroup;
  expected: string;
  run(env: Env): Promise<Omit<ProbeResult, "id" | "group" | "expected">>;
}

/** The runtime the plugin's code runs in (the UXP globals), as probes read it. */
export interface RuntimeEnv {
  globals: Record<string, unknown>;
  /** Stores, reads back and removes one item in UXP secure storage; the bytes read back. */
  secureRoundTrip(name: string, value: Uint8Array): Promise<Uint8Array | null>;
  /** A fetch started with an already aborted signal: "rejected" (an AbortError), "answered" (anything else) or "no_answer" within a few seconds. */
  fetchAfterAbort(): Promise<"rejected" | "answered" | "no_answer">;
  /** The shapes of the page's messages the bridge has received so far. */
  messageShapes(): string[];
}

export interface PixelsRead {
  width: number;
  height: number;
  components: number;
  data: ArrayLike<number>;
  /** As Photoshop reported it. */
  sourceBounds: Rect;
}

/** A scratch document the check creates, works on and closes (never one of the artist's). */
export interface ScratchDoc {
  readonly id: number;
  readonly bits: 8 | 16 | 32;
  /** A new empty pixel layer; its id. */
  newLayer(name: string): Promise<number>;
  putPixels(layerId: number, data: Uint8Array | Uint16Array | Float32Array, width: number, height: number, at: { left: number; top: number }): Promise<void>;
  getPixels(layerId: number, bounds: Rect, targetSize?: { width: number; height: number }): Promise<PixelsRead>;
  /** The selection's mask inside `bounds`, or "threw" when Photoshop throws (no selection). */
  getSelection(bounds: Rect): Promise<Uint8Array | "threw">;
  selectEllipse(bounds: Rect): Promise<void>;
  deselect(): Promise<void>;
  /** A hide-all mask by batchPlay, then the gray mask written at `bounds` only (replace: false). */
  putLayerMask(layerId: number, gray: Uint8Array, bounds: Rect): Promise<void>;
  /** The layer's mask inside `bounds` (0 = hidden … 255 = shown). */
  getLayerMask(layerId: number, bounds: Rect): Promise<Uint8Array>;
  historyNames(): Promise<string[]>;
  /** Suspends history, runs `change`, then resumes with rollback. */
  changeAndRollBack(change: () => Promise<void>): Promise<void>;
  resizeCanvas(width: number, height: number, anchor: "top-left" | "bottom-right" | "middle-center"): Promise<void>;
  size(): Promise<{ width: number; height: number }>;
  layerBounds(layerId: number): Promise<Rect>;
  newGroup(name: string): Promise<number>;
  moveInto(layerId: number, groupId: number): Promise<void>;
  parentOf(layerId: number): Promise<number | null>;
  /** Moves a layer or group to just above another (layer.move with placeBefore), wherever that one is. */
  moveAbove(layerId: number, targetId: number): Promise<void>;
  /** The ids next to a layer (in its parent group, or the document's top level), top-most first, itself included. */
  siblingsOf(layerId: number): Promise<number[]>;
  /** Tries to enter the modal state while this check holds it: the error Photoshop gives, or null. */
  busyError(): Promise<{ number?: unknown; message: string; recognised: boolean } | null>;
}

export interface HostCheckHost {
  versions(): { photoshop: string; uxp: string; os: string; plugin: string };
  /** A scratch document at `bits` per channel, RGB, transparent; closed without saving by `close`. */
  withScratch<T>(bits: 8 | 16 | 32, width: number, height: number, use: (doc: ScratchDoc) => Promise<T>): Promise<T>;
}
