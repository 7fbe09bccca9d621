// Plain data shared by the engine modules. Images are interleaved RGBA, 8 bits per channel.

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8Array;
}

/** A single-channel 8-bit image (mask: 0 = keep, 255 = fill, values in between = partial). */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface CompletionOptions {
  seed: number;
  /** Patch side at the finest level (odd). Default 7. */
  patchSize?: number;
  /**
   * Sampling area (Photoshop's term): same size as the image (the canvas for expand), nonzero = patches may be copied from
   * here. Default: every known pixel of the region around the hole.
   */
  samplingMask?: GrayImage;
  /** Working-resolution cap in pixels for the region being completed. Default 1_048_576. */
  maxWorkingPixels?: number;
  /** Called between iterations; return true to stop (throws an AbortError). */
  shouldAbort?: () => boolean;
  /** Progress in 0..1. */
  onProgress?: (fraction: number) => void;
  /** Called once per EM iteration (for tests and benches). */
  onIteration?: (level: number, iteration: number) => void;
}

export class AbortError extends Error {
  constructor() {
    super("cancelled");
    this.name = "AbortError";
  }
}

export class EngineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineInputError";
  }
}
