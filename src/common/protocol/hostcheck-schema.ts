// The host check's report (Settings › Check this Photoshop): one verdict per probe, with what was
// expected, what was seen and, where Infill carries a fallback, the branch this host takes.

import { z } from "zod";

export const probeResultSchema = z.object({
  id: z.string().max(100),
  group: z.enum(["runtime", "imaging", "documents"]),
  verdict: z.enum(["pass", "fail", "info"]),
  expected: z.string().max(500),
  observed: z.string().max(1000),
  branch: z.string().max(200).optional(),
});

export const hostCheckReportSchema = z.object({
  kind: z.literal("infill-host-check"),
  startedAt: z.string(),
  durationMs: z.number(),
  versions: z.object({ photoshop: z.string(), uxp: z.string(), os: z.string(), plugin: z.string() }),
  passed: z.number().int(),
  failed: z.number().int(),
  probes: z.array(probeResultSchema).max(200),
});

export type ProbeResult = z.infer<typeof probeResultSchema>;
export type HostCheckReport = z.infer<typeof hostCheckReportSchema>;
