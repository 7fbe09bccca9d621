// Limits the panel shows and enforces before anything is sent (Firefly v3 async contract).

export const PROMPT_MAX_CHARS = 1024;
export const EXPAND_MAX_SIDE = 3999;
export const MAX_VARIATIONS = 4;
export const SEED_MAX = 2147483647;

export const ASPECT_PRESETS = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "4:5", "5:4"] as const;

/** A sentence about the prompt's length, or null when it is fine. */
export function promptLengthProblem(prompt: string): string | null {
  if (prompt.length > PROMPT_MAX_CHARS) {
    return `The prompt is ${prompt.length} characters; the limit is ${PROMPT_MAX_CHARS}. Shorten it by ${prompt.length - PROMPT_MAX_CHARS}.`;
  }
  return null;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * SEED_MAX);
}
