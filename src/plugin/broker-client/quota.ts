// The broker's GET /v1/quota answer, as far as the panel uses it, and its path.

import { z } from "zod";

export const QUOTA_PATH = "/v1/quota";

const count = z.number().int().min(0);

export const QuotaAnswerSchema = z.object({
  now: z.number(),
  /** `resetsAt` (the broker's clock): when a used-up daily limit allows the next submit; older brokers leave it out. */
  day: z.object({ used: count, limit: count.nullable(), resetsAt: z.number().nullable().optional() }),
  minute: z.object({ used: count, limit: count.nullable() }),
  pausedUntil: z.number().nullable(),
  queue: z.object({ depth: count }),
  waits: z.array(z.number().min(0).nullable()).max(200),
});

export type QuotaAnswer = z.infer<typeof QuotaAnswerSchema>;
