// Messages between the engine pool and its worker threads (structured-clone data only).

import type { ExpandRequest, EngineOptions } from "./engine";
import type { GrayImage, RgbaImage } from "./engine/types";

/** Engine knobs that may cross the thread boundary (no callbacks). */
export type TaskOptions = Omit<EngineOptions, "shouldAbort" | "onProgress" | "onIteration">;

export type EngineTask =
  | { op: "fill"; image: RgbaImage; mask: GrayImage; options: TaskOptions }
  | { op: "expand"; image: RgbaImage; request: ExpandRequest; options: TaskOptions }
  /**
   * Inputs named by file: the worker decodes them when it starts the task (not before), runs the
   * engine and answers the output encoded as PNG, so no decoded image waits in a queue or crosses
   * to the broker's thread.
   */
  | { op: "files"; files: FileInputs; options: TaskOptions }
  /** Only honoured when the pool was created with `testHooks` (tests of crash and cancel handling). */
  | { op: "test"; action: "crash" | "throw" | "oom" | "spin" | "hang" };

export interface FileInputs {
  endpoint: "fill" | "expand";
  image: string;
  mask?: { file: string; invert: boolean };
  /** The sampling area: the image's size (the canvas for expand), white = may be copied from. */
  samplingMask?: { file: string; invert: boolean };
  /** Expand only: the canvas and placement (the mask, if any, comes from `mask`). */
  expand?: { width: number; height: number; placement?: ExpandRequest["placement"] };
  /** Largest image decoded (pixels); a larger one fails the task as bad input. */
  maxPixels: number;
}

/** A task's output as PNG bytes. */
export interface EncodedOutput {
  width: number;
  height: number;
  png: Uint8Array;
}

export type WorkerRequest = { type: "run"; id: number; task: EngineTask };

export type WorkerReply =
  | { type: "progress"; id: number; fraction: number }
  | { type: "done"; id: number; image: RgbaImage }
  | { type: "encoded"; id: number; output: EncodedOutput }
  | { type: "error"; id: number; kind: "aborted" | "input" | "error"; message: string };
