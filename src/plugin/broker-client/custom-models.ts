// Reads the whole custom-models listing: Firefly pages it (`start`, `limit` ≤ 50), and an org with
// more than one page of models must see all of them in the picker. Pure apart from `page`.

import type { CustomModel, CustomModelsResponse } from "../../common/firefly";

/** Firefly's largest page. */
export const CUSTOM_MODELS_PAGE = 50;
/** More than any picker can show usefully; a listing that never ends stops here. */
export const CUSTOM_MODELS_MAX = 500;

export type CustomModelsPage = (start: number, limit: number) => Promise<CustomModelsResponse>;

/**
 * Asks for pages until the listing is complete: `total_count` reached, a short or empty page, or
 * `max` models. A model listed twice (the listing shifted between pages) is kept once, and a server
 * that ignores `start` cannot keep the loop going: at most `max / 50 + 1` pages are asked for.
 */
export async function listAllCustomModels(page: CustomModelsPage, max = CUSTOM_MODELS_MAX): Promise<CustomModelsResponse> {
  const models: CustomModel[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  const pages = Math.ceil(max / CUSTOM_MODELS_PAGE) + 1;
  for (let n = 0, start = 0; n < pages && models.length < max; n++) {
    const answer = await page(start, CUSTOM_MODELS_PAGE);
    total = answer.total_count ?? total;
    for (const m of answer.custom_models) {
      if (seen.has(m.assetId) || models.length >= max) continue;
      seen.add(m.assetId);
      models.push(m);
    }
    start += answer.custom_models.length;
    if (answer.custom_models.length < CUSTOM_MODELS_PAGE) break;
    if (total !== undefined && start >= total) break;
  }
  return { custom_models: models, total_count: total ?? models.length };
}
