// Any failure → an `error` event: a category, a sentence, what to do, and the detail. Never a secret:
// details come from error objects that never hold the key (the broker client keeps it in a header).

import { HostError } from "../../common/host";
import type { JobError } from "../../common/jobs";
import type { ErrorEventBody } from "../../common/protocol";
import { BrokerError } from "../broker-client";
import { SettingsError } from "../settings/types";

const HOST_HINTS: Record<HostError["code"], [ErrorEventBody["category"], string]> = {
  no_document: ["document", "Open or create a document, then try again."],
  no_selection: ["document", "Make a selection first (any selection tool), then try again."],
  document_closed: ["document", "Reopen the document, or run the job again on another one."],
  document_changed: ["document", "The results are kept: place them again from the job list, or run the job again."],
  unsupported_document: ["document", "Convert the document as described, then try again."],
  host_busy: ["host_busy", "Finish what the other plugin is doing or close the open dialog, then try again."],
  cancelled: ["cancelled", "Nothing was changed."],
  apply_failed: ["document", "Try again; if it keeps happening, report it with the detail."],
  capture_failed: ["document", "Try again; if it keeps happening, report it with the detail."],
};

function hasJobError(e: unknown): e is { jobError: JobError } {
  return typeof e === "object" && e !== null && typeof (e as { jobError?: JobError }).jobError?.message === "string";
}

export function describeError(e: unknown): ErrorEventBody {
  if (e instanceof SettingsError) return { category: "settings", code: e.code, message: e.message, hint: e.hint };
  if (e instanceof HostError) {
    const [category, hint] = HOST_HINTS[e.code] ?? ["internal", "Try again."];
    return { category, code: e.code, message: e.message, hint, ...(e.detail ? { detail: e.detail } : {}) };
  }
  if (e instanceof BrokerError) {
    return {
      category: e.category,
      code: e.code ?? `http_${e.status}`,
      message: e.message,
      hint: "See the message above.",
      ...(e.detail ? { detail: e.detail } : {}),
    };
  }
  if (hasJobError(e)) {
    const j = e.jobError;
    return { category: j.category, code: j.category, message: j.message, hint: "See the message above.", ...(j.detail ? { detail: j.detail } : {}) };
  }
  return {
    category: "internal",
    code: "unexpected",
    message: "Something went wrong in the plugin.",
    hint: "Try again; if it keeps happening, reload the plugin and report it with the detail.",
    detail: e instanceof Error ? e.message : String(e),
  };
}
