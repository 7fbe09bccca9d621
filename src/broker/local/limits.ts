// How much the local engine takes on: the largest image it decodes and the memory budget every
// running task must fit in together. A task's memory is estimated from its pixel counts before
// anything is decoded, and a task starts only when its estimate fits beside the running ones.

/** Largest image (in pixels) the local engine accepts, source, mask or expand canvas. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** Memory for running tasks together (decoded inputs, engine output, encoding). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 1024 * 1024 * 1024;
/** The engine's own working set per task: it completes a crop of at most 1 MP (see README). */
export const ENGINE_WORKING_BYTES = 64 * 1024 * 1024;

export interface LocalLimits {
  maxPixels: number;
  memoryBudgetBytes: number;
}

/**
 * `INFILL_LOCAL_MAX_MEGAPIXELS` and `INFILL_LOCAL_MEMORY_MB` override the defaults; a value that is
 * not a positive number is an error naming the variable.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): LocalLimits {
  const read = (name: string, scale: number, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === "") return fallback;
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0)) throw new Error(`${name} must be a positive number (got "${text}")`);
    return Math.floor(n * scale);
  };
  return {
    maxPixels: read("INFILL_LOCAL_MAX_MEGAPIXELS", 1e6, DEFAULT_MAX_PIXELS),
    memoryBudgetBytes: read("INFILL_LOCAL_MEMORY_MB", 1024 * 1024, DEFAULT_MEMORY_BUDGET_BYTES),
  };
}

/**
 * Peak bytes of one task: the decoded RGBA input (4 bytes a pixel) and one-channel mask, the
 * engine's RGBA output and the encoder's copy of it, plus the engine's working set.
 */
export function estimateTaskBytes(inputPixels: number, maskPixels: number, outputPixels: number): number {
  return 4 * inputPixels + maskPixels + 8 * outputPixels + ENGINE_WORKING_BYTES;
}

/** "50 megapixels", "2.5 megapixels". */
export function describePixels(pixels: number): string {
  return `${Number((pixels / 1e6).toFixed(2))} megapixels`;
}
