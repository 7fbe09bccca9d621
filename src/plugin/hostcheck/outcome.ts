// A probe's outcome, and the guard that turns an exception into a failed verdict saying what threw.

import type { ProbeResult } from "./types";

export type Outcome = Omit<ProbeResult, "id" | "group" | "expected">;

export async function guarded(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (e) {
    return { verdict: "fail", observed: `threw: ${e instanceof Error ? e.message : String(e)}` };
  }
}
