// Reads the overview now and every POLL_MS while a key is set; a refused key stops the polling.

import { useEffect, useState } from "react";
import type { AdminOverview } from "../common/admin-overview";
import { fetchOverview, type OverviewRead } from "./fetch-overview";

export const POLL_MS = 2_000;

export interface Polled {
  overview: AdminOverview | null;
  /** The last read's failure, if it failed. */
  problem: Extract<OverviewRead, { ok: false }> | null;
}

/** `attempt` changes when the same key is entered again after a refusal: it is read again. */
export function usePolledOverview(key: string | null, attempt = 0): Polled {
  const [polled, setPolled] = useState<Polled>({ overview: null, problem: null });
  useEffect(() => {
    setPolled({ overview: null, problem: null });
    if (!key) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const r = await fetchOverview(key);
      if (stopped) return;
      setPolled((p) => (r.ok ? { overview: r.overview, problem: null } : { overview: p.overview, problem: r }));
      if (r.ok || r.kind === "failed") timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, attempt]);
  return polled;
}
