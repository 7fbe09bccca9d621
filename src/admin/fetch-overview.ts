// Reads the broker's admin overview with an admin key (sent as the usual Authorization header).

import { ADMIN_OVERVIEW_PATH, type AdminOverview } from "../common/admin-overview";

export type OverviewRead =
  | { ok: true; overview: AdminOverview }
  /** `refused`: the key is wrong or not an admin key (ask for another); `failed`: anything else (try again). */
  | { ok: false; kind: "refused" | "failed"; message: string };

export async function fetchOverview(key: string, fetchFn: typeof fetch = (...a) => fetch(...a)): Promise<OverviewRead> {
  let res: Response;
  try {
    res = await fetchFn(ADMIN_OVERVIEW_PATH, { headers: { authorization: `Bearer ${key}`, accept: "application/json" }, cache: "no-store" });
  } catch {
    return { ok: false, kind: "failed", message: "The broker cannot be reached." };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.ok) return { ok: true, overview: body as AdminOverview };
  const message = (body as { message?: unknown } | undefined)?.message;
  const said = typeof message === "string" ? message : `The broker answered ${res.status}.`;
  if (res.status === 401) return { ok: false, kind: "refused", message: `That key is not valid. ${said}` };
  if (res.status === 403) return { ok: false, kind: "refused", message: `That key is not an admin key. ${said}` };
  return { ok: false, kind: "failed", message: said };
}
