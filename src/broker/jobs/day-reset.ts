// When a used-up daily limit allows the next submit. The day is a rolling window, so a place frees
// when the take `perDay` places back from the newest leaves it (the moment the pacing lets the next
// submit go).

import { DAY, type RateWindow } from "../store/store";

/** The time (ms since epoch) the day allows another submit; null while it has room. */
export async function dayResetsAt(store: Pick<RateWindow, "takesSince">, perDay: number, now: number): Promise<number | null> {
  const takes = (await store.takesSince(now - DAY)).sort((a, b) => a - b);
  const at = takes[takes.length - perDay];
  return at === undefined ? null : at + DAY;
}
