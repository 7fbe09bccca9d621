// Firefly Image API v3 (async) limits and presets, from Adobe's OpenAPI description and docs.

export interface Size {
  width: number;
  height: number;
}

const sizes = (...pairs: [number, number][]): readonly Size[] => pairs.map(([width, height]) => ({ width, height }));

/** Output sizes fill-async accepts. */
export const FILL_SIZES = sizes([2048, 2048], [1024, 1024], [2304, 1792], [1792, 2304], [2688, 1536], [1344, 768], [1152, 896], [896, 1152]);
/** Output sizes generate-similar-async accepts. */
export const SIMILAR_SIZES = FILL_SIZES;
/** Generate sizes for image3 (and image3_custom). */
export const GENERATE_SIZES_IMAGE3 = sizes(
  [2048, 2048],
  [1024, 1024],
  [2304, 1792],
  [1792, 2304],
  [2688, 1536],
  [2688, 1512],
  [1344, 768],
  [1344, 756],
  [1152, 896],
  [896, 1152],
);
/** Generate sizes for image4_standard, image4_ultra (and image4_custom). */
export const GENERATE_SIZES_IMAGE4 = sizes([2048, 2048], [2304, 1792], [1792, 2304], [2688, 1536], [1440, 2560]);

/** Expand's output is free-form up to this many pixels per side. */
export const EXPAND_MAX_SIDE = 3999;

export const GENERATE_MODELS = ["image3", "image3_custom", "image4_standard", "image4_ultra", "image4_custom"] as const;
export const SIMILAR_MODELS = ["image3", "image4_standard", "image4_ultra"] as const;
export type GenerateModel = (typeof GENERATE_MODELS)[number];
export type SimilarModel = (typeof SIMILAR_MODELS)[number];

export function generateSizesFor(model: GenerateModel | undefined): readonly Size[] {
  return model && model.startsWith("image4") ? GENERATE_SIZES_IMAGE4 : GENERATE_SIZES_IMAGE3;
}

export const PROMPT_MAX = 1024;
export const MAX_VARIATIONS = 4;
export const SEED_MAX = 2147483647;

export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
/** Upload content types the broker accepts (Firefly also lists tiff and jxl; Infill never sends them). */
export const UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

/** Pre-signed source URLs Firefly fetches itself: only these storage domains are allowed. */
export const SOURCE_URL_DOMAINS = ["amazonaws.com", "windows.net", "dropboxusercontent.com", "storage.googleapis.com"] as const;

/** Output URLs (and the broker's own output links) expire after one hour. */
export const OUTPUT_URL_TTL_MS = 60 * 60 * 1000;
/** Upload ids live for seven days. */
export const UPLOAD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Default organisation rate limit for generation submits. */
export const DEFAULT_RATE_PER_MINUTE = 4;
export const DEFAULT_RATE_PER_DAY = 9000;

export function hostAllowedForSourceUrl(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return SOURCE_URL_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}
