// Every failure as a JobError: a category, a sentence for the artist, and the detail.

import { HostError } from "../../common/host";
import type { JobError } from "../../common/jobs";
import { BrokerError } from "../broker-client";

export class WorkflowError extends Error {
  constructor(readonly jobError: JobError) {
    super(jobError.message);
    this.name = "WorkflowError";
  }
}

export const documentError = (message: string, detail?: string): WorkflowError => new WorkflowError({ category: "document", message, detail });

export function toJobError(e: unknown): JobError {
  if (e instanceof WorkflowError) return e.jobError;
  if (e instanceof BrokerError) return { category: e.category, message: e.message, detail: e.detail };
  if (e instanceof HostError) {
    if (e.code === "cancelled") return { category: "cancelled", message: "Cancelled.", detail: e.detail };
    return { category: "document", message: e.message, detail: [e.code, e.detail].filter(Boolean).join(": ") };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return {
    category: "invalid_input",
    message: "Something went wrong while preparing or placing the result. Try again; if it keeps happening, report it with the detail below.",
    detail: msg,
  };
}

const MODE_NAMES: Record<string, string> = {
  grayscale: "Grayscale",
  cmyk: "CMYK",
  lab: "Lab",
  indexed: "Indexed Color",
  bitmap: "Bitmap",
  duotone: "Duotone",
  multichannel: "Multichannel",
};

/** Non-RGB documents are refused with what to do instead. */
export function unsupportedModeMessage(mode: string): string | null {
  if (mode === "rgb") return null;
  const name = MODE_NAMES[mode] ?? mode;
  return `This document is in ${name} mode, and Infill works on RGB documents. Choose Image › Mode › RGB Color (or work on an RGB copy: Image › Duplicate, then convert), then try again.`;
}
