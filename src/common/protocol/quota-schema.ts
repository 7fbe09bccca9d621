// The organisation's usage and the queue's estimated waits, as the host passes them to the panel
// (read from the broker's GET /v1/quota). Times are the host's clock; waits are from `receivedAt`.

import { z } from "zod";

const count = z.number().int().min(0);
const ms = z.number().min(0);

export const quotaViewSchema = z.object({
  /** When the host read it (ms since epoch). */
  receivedAt: ms,
  /** `resetsAt`: when a used-up daily limit allows the next submit (host's clock), when the broker says. */
  day: z.object({ used: count, limit: count.nullable(), resetsAt: ms.optional() }),
  minute: z.object({ used: count, limit: count.nullable() }),
  /** While an upstream 429 holds the queue: until when the broker's clock says. */
  pausedUntil: ms.nullable(),
  /** Jobs waiting in the queue, everyone's. */
  depth: count,
  /** Estimated wait of the job at place 1, 2, … (null: after today's limit resets); the last is a job sent now. */
  waits: z.array(ms.nullable()).max(200),
});

export type QuotaView = z.infer<typeof quotaViewSchema>;

/** The estimated wait at `position` (1-based) `now`, or null when there is none to give. */
export function waitAt(q: QuotaView, position: number, now: number): number | null | undefined {
  const w = q.waits[position - 1];
  if (w === undefined) return undefined;
  return w === null ? null : Math.max(0, w - (now - q.receivedAt));
}
