// Runs the probe suite: runtime probes first, then the document probes on one scratch document per
// depth (8, 16, 32 bits), each closed afterwards. The report is JSON, ready to copy or save.

import { documentProbes } from "./document-probes";
import { imagingProbes, type DocProbe } from "./imaging-probes";
import { runtimeProbes } from "./runtime-probes";
import type { HostCheckHost, HostCheckReport, Probe, ProbeResult, RuntimeEnv } from "./types";

export const SCRATCH_SIZE = 64;

const DEPTHS = [8, 16, 32] as const;
const docProbes: DocProbe[] = [...imagingProbes, ...documentProbes];

/** Every probe id, in the order the suite runs them. */
export const ALL_PROBE_IDS: string[] = [...runtimeProbes, ...DEPTHS.flatMap((bits) => docProbes.filter((p) => p.bits === bits))].map((p) => p.id);

async function runOne<E>(p: Probe<E>, env: E): Promise<ProbeResult> {
  const r = await p.run(env);
  return { id: p.id, group: p.group, expected: p.expected, ...r };
}

export async function runHostCheck(host: HostCheckHost, runtime: RuntimeEnv, now: () => number = Date.now): Promise<HostCheckReport> {
  const start = now();
  const probes: ProbeResult[] = [];
  for (const p of runtimeProbes) probes.push(await runOne(p, runtime));
  for (const bits of DEPTHS) {
    const mine = docProbes.filter((p) => p.bits === bits);
    try {
      await host.withScratch(bits, SCRATCH_SIZE, SCRATCH_SIZE, async (doc) => {
        for (const p of mine) probes.push(await runOne(p, doc));
      });
    } catch (e) {
      // The scratch document could not be made or closed: every probe still gets a verdict.
      const why = `scratch document at ${bits} bits: ${e instanceof Error ? e.message : String(e)}`;
      const missing = mine.filter((p) => !probes.some((r) => r.id === p.id));
      for (const p of missing) probes.push({ id: p.id, group: p.group, expected: p.expected, verdict: "fail", observed: why });
      if (!missing.length)
        probes.push({
          id: `documents.${bits}.scratch`,
          group: "documents",
          expected: "the scratch document is created and closed",
          verdict: "fail",
          observed: why,
        });
    }
  }
  return {
    kind: "infill-host-check",
    startedAt: new Date(start).toISOString(),
    durationMs: now() - start,
    versions: host.versions(),
    passed: probes.filter((p) => p.verdict === "pass").length,
    failed: probes.filter((p) => p.verdict === "fail").length,
    probes,
  };
}
