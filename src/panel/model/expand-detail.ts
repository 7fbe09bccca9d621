// What the Expand tab says under its run button about the detail setting: how many requests a Native
// detail expansion of the current document makes, from the same planner the job uses, and how long
// they take at the organisation's pace when it is known.

import { EXPAND_MAX_SIDE } from "../../common/firefly";
import { describeExpandRequests, planExpandDetail, type ExpandDetail } from "../../common/imaging/detail";
import { planExpandGeometry } from "../../common/imaging/expand";
import type { DetailSetting, ExpandTarget } from "../../common/jobs";
import { nativeDetailAvailable } from "./detail-hint";
import type { PanelState } from "./state";

/** The plan a Native-detail expansion of the active document runs, or null when there is none to make. */
function nativePlan(detail: DetailSetting, s: PanelState, target: ExpandTarget, variations: number): ExpandDetail | null {
  if (detail !== "native" || !nativeDetailAvailable(s) || !s.active) return null;
  try {
    return planExpandDetail(planExpandGeometry({ width: s.active.width, height: s.active.height }, target, EXPAND_MAX_SIDE), variations);
  } catch {
    return null; // the target itself is refused; the tab says why elsewhere
  }
}

/** The Firefly requests an expansion run will spend. */
export function expandDetailRequests(detail: DetailSetting, s: PanelState, target: ExpandTarget, variations: number): number {
  return nativePlan(detail, s, target, variations)?.requests ?? 1;
}

export function expandDetailHint(detail: DetailSetting, s: PanelState, target: ExpandTarget, variations: number): string | null {
  if (detail !== "native") return null;
  if (!nativeDetailAvailable(s)) return "Native detail needs Firefly's upscale: with the local engine this expansion runs at Standard detail.";
  const plan = nativePlan(detail, s, target, variations);
  // With the organisation's pace known (the broker's quota), how long the requests take at it.
  return plan && describeExpandRequests(plan, variations, s.quota?.minute.limit ?? undefined);
}
