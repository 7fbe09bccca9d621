// Messages between the engine pool and its worker threads (structured-clone data only).

import type { ExpandRequest, EngineOptions } from "./engine";
import type { GrayImage, RgbaImage } from "./engine/types";

/** Engine knobs that may cross the thread boundary (no callbacks). */
export type TaskOptions = Omit<EngineOptions, "shouldAbort" | "onProgress" | "onIteration">;

export type EngineTask =
  | { op: "fill"; image: RgbaImage; mask: GrayImage; options: TaskOptions }
  | { op: "expand"; image: RgbaImage; request: ExpandRequest; options: TaskOptions }
  /** Only honoured when the pool was created with `testHooks` (tests of crash and cancel handling). */
  | { op: "test"; action: "crash" | "throw" | "oom" | "spin" | "hang" };

export type WorkerRequest = { type: "run"; id: number; task: EngineTask };

export type WorkerReply =
  | { type: "progress"; id: number; fraction: number }
  | { type: "done"; id: number; image: RgbaImage }
  | { type: "error"; id: number; kind: "aborted" | "input" | "error"; message: string };
