// What the Fill tab says under its run button about the detail setting: how many requests a Native
// detail fill of the current selection makes, from the same planner the job uses.

import { FILL_SIZES } from "../../common/firefly";
import { describePlanAtPace, describeRequests, planNativeDetail } from "../../common/imaging/detail";
import type { DetailSetting } from "../../common/jobs";
import { engineInfo, type PanelState } from "./state";

/** Native detail needs Firefly's upscale: with the local engine a fill runs at Standard detail. */
export function nativeDetailAvailable(s: PanelState): boolean {
  return engineInfo(s).mode !== "local";
}

/** The band the planner assumes when the run sends none (the fill's own default stays within 4..32 px). */
const PLANNED_BAND = 16;

/** The Firefly requests a fill run will spend: the planner's count for a Native-detail fill (one fill, or tiles), else 1. */
export function detailRequests(detail: DetailSetting, s: PanelState, variations: number, bandPx = PLANNED_BAND): number {
  if (detail !== "native" || !nativeDetailAvailable(s) || !s.active || !s.selection) return 1;
  try {
    const plan = planNativeDetail({
      doc: { width: s.active.width, height: s.active.height },
      selection: s.selection.bounds,
      presets: FILL_SIZES,
      variations,
      bandPx,
    });
    return plan.requests;
  } catch {
    return 1;
  }
}

export function detailHint(detail: DetailSetting, s: PanelState, variations: number, bandPx = PLANNED_BAND): string | null {
  if (detail !== "native") return null;
  if (!nativeDetailAvailable(s)) return "Native detail needs Firefly's upscale: with the local engine this fill runs at Standard detail.";
  if (!s.active || !s.selection) return null;
  const doc = { width: s.active.width, height: s.active.height };
  try {
    const plan = planNativeDetail({ doc, selection: s.selection.bounds, presets: FILL_SIZES, variations, bandPx });
    // With the organisation's pace known (the broker's quota), how long the requests take at it.
    const pace = s.quota?.minute.limit;
    return plan.requests > 1 && pace ? `${describePlanAtPace(plan, pace)}.` : `${describeRequests(plan)}.`;
  } catch (e) {
    return `Native detail is not possible for this selection (${e instanceof Error ? e.message : String(e)}): this fill runs at Standard detail.`;
  }
}
