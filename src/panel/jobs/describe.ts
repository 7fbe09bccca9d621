// Words for job states: status line, elapsed time, title. Pure.

import type { JobKind, JobState } from "../../common/jobs";

export function statusText(j: JobState): string {
  switch (j.phase) {
    case "capturing":
      return "Reading the document";
    case "uploading":
      return "Uploading";
    case "queued":
      return j.queuePosition !== undefined ? `Queued (position ${j.queuePosition})` : "Queued";
    case "running":
      return j.progress !== undefined ? `Generating (${Math.round(j.progress)}%)` : "Generating";
    case "downloading":
      return "Downloading results";
    case "placing":
      return "Placing layers";
    case "done":
      return `Done: ${j.variations.length} variation${j.variations.length === 1 ? "" : "s"}`;
    case "failed":
      return "Failed";
    case "cancelled":
      return "Cancelled";
    case "kept":
      return "Results kept, not placed";
    default:
      return j.phase;
  }
}

export type StatusVariant = "positive" | "negative" | "notice" | "info" | "neutral";

export function statusVariant(j: JobState): StatusVariant {
  if (j.phase === "done") return "positive";
  if (j.phase === "failed") return "negative";
  if (j.phase === "kept") return "notice";
  if (j.phase === "cancelled") return "neutral";
  return "info";
}

export function elapsed(j: JobState, now: number): string {
  const ms = Math.max(0, (j.finishedAt ?? now) - j.startedAt);
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

const KIND_TITLES: Record<JobKind, string> = { fill: "Fill", expand: "Expand", generate: "Generate", similar: "Similar", harmonize: "Harmonize" };

export function jobTitle(j: JobState): string {
  const kind = KIND_TITLES[j.kind];
  const prompt = "prompt" in j.params && j.params.prompt ? `“${j.params.prompt}”` : j.kind === "fill" ? "from surroundings" : "";
  return [kind, prompt].filter(Boolean).join(" ");
}

export function isActive(j: JobState): boolean {
  return !["done", "failed", "cancelled", "kept"].includes(j.phase);
}
