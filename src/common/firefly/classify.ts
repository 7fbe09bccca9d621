// One classifier for every failure Infill can meet on the way to Firefly and back: any HTTP status,
// any documented error body, the `x-access-error` header, network failures and failed jobs. Each
// maps to a category and a sentence that tells an artist what to do; the technical detail is kept.

import { clockTime } from "../clock-time";
import type { ErrorCategory } from "../jobs";
import { headerValue, type HeaderSource } from "./headers";
import { readErrorBody, type JobStatusResponse } from "./responses";
import { parseRetryAfter } from "./retry-after";

export interface ClassifiedError {
  category: ErrorCategory;
  /** Artist-facing: what happened and what to do. */
  message: string;
  /** The service's error code, when it gave one. */
  code?: string;
  /** How long to wait before retrying (rate limits, service pauses). */
  retryAfterMs?: number;
  /** Technical detail for the expandable section: status, code, the service's own message. */
  detail: string;
}

export interface ErrorInput {
  /** HTTP status; 0 for a network failure (no response). */
  status: number;
  body?: unknown;
  headers?: HeaderSource;
  /** For status 0: what the network layer said (e.g. "ECONNREFUSED"). */
  networkError?: string;
  nowMs?: number;
}

/**
 * Error codes the Infill broker itself answers with (besides Firefly's own, which it passes through).
 * Every broker error body is `{ error_code, message, category }`.
 */
export const BROKER_ERROR_CODES = {
  keyMissing: "broker_key_missing",
  keyInvalid: "broker_key_invalid",
  queueFull: "queue_full",
  dailyLimit: "daily_limit_reached",
  needsFirefly: "needs_firefly_credentials",
  imsFailed: "ims_token_failed",
  upstreamUnreachable: "upstream_unreachable",
  storeUnavailable: "store_unavailable",
  notFound: "not_found",
  hostNotAllowed: "host_not_allowed",
  secretInQuery: "secret_in_query",
  originNotAllowed: "origin_not_allowed",
  providerUnavailable: "provider_unavailable",
  outputLinkInvalid: "output_link_invalid",
  outputExpired: "output_expired",
  submitInterrupted: "submit_interrupted",
} as const;

const CONTENT_MESSAGES: Record<string, string> = {
  prompt_unsafe: "Firefly declined the prompt under its content policy. Rephrase the prompt and try again.",
  prompt_entity_denied: "Firefly declined a name or entity in the prompt. Remove it and try again.",
  input_media_unsafe: "Firefly declined the source image under its content policy. Try a different area or image.",
  image_unsafe: "Firefly declined the image under its content policy. Try a different area or image.",
  reference_image_unsafe_error: "Firefly declined the reference image under its content policy. Pick another reference.",
  output_media_unsafe: "Firefly blocked the generated result under its content policy. Change the prompt or the selection and try again.",
  legal_error: "Firefly cannot generate this for legal reasons. Change the prompt or image.",
  cai_assertion_violation_error: "The request failed Firefly's content checks. Change the prompt or image and try again.",
  "10008": "Firefly declined the image under its content policy. Try a different image.",
};

const ACCESS_MESSAGES: Record<string, [ErrorCategory, string]> = {
  quota_exhausted: ["quota", "Your organisation's Firefly generative credits are used up. Ask your admin to add credits, then try again."],
  user_non_entitled: [
    "auth",
    "The broker's Firefly credential is not entitled to the Firefly API. Ask your admin to check the product profile in the Adobe Developer Console.",
  ],
  user_profile_denied: [
    "auth",
    "The broker's Firefly credential was denied by its product profile. Ask your admin to check it in the Adobe Developer Console.",
  ],
  invalid_ims_scope: ["auth", "The broker's Firefly credential lacks a required scope. Ask your admin to add the Firefly scopes to the credential."],
  "10007": ["auth", "The broker's Firefly credential lacks a required scope. Ask your admin to add the Firefly scopes to the credential."],
  "403000": ["auth", "Firefly did not receive an API key from the broker. Ask your admin to check the broker's client id."],
  "403003": ["auth", "Firefly rejected the broker's API key. Ask your admin to check the broker's client id."],
  "403010": ["auth", "Firefly did not receive a token from the broker. Ask your admin to check the broker's credentials."],
};

function fmtDetail(input: ErrorInput, code: string | undefined, message: string | undefined, extra: string[]): string {
  const parts = [input.status === 0 ? `network error${input.networkError ? ` (${input.networkError})` : ""}` : `HTTP ${input.status}`];
  if (code) parts.push(code);
  let line = parts.join(" ");
  if (message) line += `: ${message}`;
  return [line, ...extra].join("; ");
}

export function classifyError(input: ErrorInput): ClassifiedError {
  const facts = readErrorBody(input.body);
  const accessError = headerValue(input.headers, "x-access-error");
  const retryAfterMs = parseRetryAfter(headerValue(input.headers, "retry-after"), input.nowMs);
  const rateLevel = headerValue(input.headers, "x-access-rate-limit-level");
  const code = facts.code;
  const extra: string[] = [];
  if (accessError) extra.push(`x-access-error: ${accessError}`);
  if (rateLevel) extra.push(`rate limit level: ${rateLevel}`);
  for (const v of facts.validationErrors ?? []) extra.push(`${v.loc.join(".")}: ${v.msg}`);
  const detail = fmtDetail(input, code, facts.message, extra);
  const out = (category: ErrorCategory, message: string): ClassifiedError => ({
    category,
    message,
    code,
    retryAfterMs: retryAfterMs,
    detail,
  });

  const s = input.status;
  if (s === 0) {
    return out("network", "Can't reach the Infill broker. Check that it is running and that Settings › Broker URL is right, then try again.");
  }

  // The broker's own answers come first: they say exactly which side is wrong.
  switch (code) {
    case BROKER_ERROR_CODES.keyMissing:
      return out("auth", "No broker key is set. Paste your broker key in Settings (the broker prints it when it starts).");
    case BROKER_ERROR_CODES.keyInvalid:
      return out("auth", "The broker did not accept this broker key. Paste the right key in Settings, or ask your admin for one.");
    case BROKER_ERROR_CODES.queueFull:
      return out("rate_limited", "You already have the maximum number of jobs waiting. Wait for some to finish, or cancel one.");
    case BROKER_ERROR_CODES.dailyLimit: {
      // The broker's retry-after is when its rolling day frees a place.
      const when = retryAfterMs !== undefined ? `at ${clockTime((input.nowMs ?? Date.now()) + retryAfterMs)}` : "later";
      return out("quota", `Your organisation's daily Firefly limit is used up. Run it again ${when}, or ask your admin to raise the limit.`);
    }
    case BROKER_ERROR_CODES.needsFirefly:
      return out("invalid_input", facts.message ?? "This needs Firefly: the broker runs the local engine. Ask your admin to configure Firefly credentials.");
    case BROKER_ERROR_CODES.imsFailed:
      return out(
        "auth",
        `Adobe refused the broker's Firefly credentials${facts.message ? ` (${facts.message})` : ""}. Ask your admin to check the client id and secret.`,
      );
    case BROKER_ERROR_CODES.upstreamUnreachable:
      return out("service_unavailable", "The broker can't reach Firefly right now. Try again in a few minutes.");
    case BROKER_ERROR_CODES.storeUnavailable:
      return out("service_unavailable", "The broker can't reach its job store right now, so it is not accepting jobs. Try again shortly or tell your admin.");
    case BROKER_ERROR_CODES.hostNotAllowed:
      return out("invalid_input", "The broker refused this request's address. Use the broker URL exactly as your admin gave it.");
    case BROKER_ERROR_CODES.secretInQuery:
      return out("invalid_input", "The broker key was sent in the address, which the broker never accepts. Enter it in Settings instead.");
    case BROKER_ERROR_CODES.originNotAllowed:
      return out("auth", "The broker does not accept requests from this page's origin. Ask your admin to add it to the broker's allowed origins.");
    case BROKER_ERROR_CODES.providerUnavailable:
      return out("service_unavailable", `The broker's image service is not available${facts.message ? ` (${facts.message})` : ""}. Tell your admin.`);
    case BROKER_ERROR_CODES.outputLinkInvalid:
      return out("auth", "This result link is not valid for your broker key. Run the job again.");
    case BROKER_ERROR_CODES.outputExpired:
      return out("timeout", "This result has expired (results are kept for one hour). Run the job again.");
  }

  if (code && CONTENT_MESSAGES[code] && (s === 451 || s === 422 || s === 400)) return out("content_policy", CONTENT_MESSAGES[code]);

  if (s === 401) {
    if (code === "invalid_client") return out("auth", "Adobe rejected the broker's client id or secret. Ask your admin to check the Firefly credentials.");
    return out("auth", "Firefly did not accept the broker's sign-in. Ask your admin to check the broker's Firefly credentials.");
  }
  if (s === 403) {
    const key = accessError ?? code;
    if (key && ACCESS_MESSAGES[key]) {
      const [category, message] = ACCESS_MESSAGES[key];
      return out(category, message);
    }
    return out("auth", "Firefly refused access for the broker's credential. Ask your admin to check its entitlements.");
  }
  if (s === 404) return out("not_found", "The job is no longer known to the service (it may have expired). Run it again.");
  if (s === 408) return out("timeout", "Firefly took too long to answer. Try again.");
  if (s === 409) {
    if (code === "job_completed") return out("invalid_input", "The job had already finished, so it could not be cancelled.");
    return out("cancelled", "The job was already cancelled.");
  }
  if (s === 410) return out("timeout", "The job timed out on the service. Run it again.");
  if (s === 413) return out("invalid_input", "The image is too large to send (Firefly accepts at most 15 MB). Use a smaller selection or document.");
  if (s === 415) return out("invalid_input", "The image type is not accepted. Infill sends JPEG and PNG; this is a bug worth reporting.");
  if (s === 422) {
    const first = facts.validationErrors?.[0];
    const why = first ? `${first.loc.filter((l) => l !== "body").join(".")}: ${first.msg}` : facts.message;
    return out("invalid_input", `Firefly rejected a setting${why ? ` (${why})` : ""}. Change it and try again.`);
  }
  if (s === 429) {
    const wait = retryAfterMs !== undefined ? ` Infill will retry in about ${Math.max(1, Math.round(retryAfterMs / 1000))} s.` : " Try again in a minute.";
    return out("rate_limited", `Firefly's rate limit for your organisation is reached.${wait}`);
  }
  if (s === 451) return out("content_policy", "Firefly declined this request under its content policy. Change the prompt or image and try again.");
  if (s === 499) return out("cancelled", "The request was cancelled.");
  if (s >= 500) return out("service_unavailable", "Firefly is having trouble right now. Wait a few minutes and try again.");

  // Upload's numeric codes, whatever status they came with.
  if (code === "10011") return out("rate_limited", "Firefly's rate limit for your organisation is reached. Try again in a minute.");
  if (code === "401013") return out("auth", "Firefly did not accept the broker's sign-in. Ask your admin to check the broker's Firefly credentials.");
  return out("invalid_input", `The request was not accepted${facts.message ? ` (${facts.message})` : ""}. Check the settings and try again.`);
}

const unreadable = (n: number): string => `The service returned ${n === 1 ? "an image" : "images"} that could not be read.`;

/** What an artist is told when the service's result could not be read. */
export const BAD_OUTPUT_MESSAGE = `${unreadable(1)} Run it again; if it happens again, tell your admin.`;

/**
 * Results the service returned that could not be decoded: `count` of `total`. When none could be read
 * the job fails with this; otherwise the readable ones are placed and the message says what was left out.
 */
export function classifyUnreadableOutput(count: number, total: number, detail: string): ClassifiedError {
  if (count >= total) return { category: "bad_output", message: `${unreadable(count)} Run it again; if it happens again, tell your admin.`, detail };
  const placed = total - count;
  return {
    category: "bad_output",
    message: `${unreadable(count)} ${count} of ${total} results ${count === 1 ? "was" : "were"} left out; the other ${placed === 1 ? "one is" : `${placed} are`} placed.`,
    detail,
  };
}

/** A failed job's broker category, for codes without a sentence of their own. */
const FAILED_BY_CATEGORY: Record<string, [ErrorCategory, string]> = {
  quota: ACCESS_MESSAGES.quota_exhausted,
  rate_limited: ["rate_limited", "Firefly's rate limit for your organisation held this job until it could not be sent. Run it again in a minute."],
  auth: ["auth", "Firefly refused access for the broker's credential. Ask your admin to check its entitlements."],
};

/** A job that ended without results (failed, cancelled, timed out, or succeeded with nothing), or null. */
export function classifyJobOutcome(job: JobStatusResponse): ClassifiedError | null {
  const detail = `job ${job.status}${job.error_code ? ` ${job.error_code}` : ""}${job.message ? `: ${job.message}` : ""}`;
  const out = (category: ErrorCategory, message: string): ClassifiedError => ({ category, message, code: job.error_code, detail });
  switch (job.status) {
    case "succeeded":
      if (job.result && job.result.outputs.length > 0) return null;
      return out(
        "content_policy",
        "Firefly returned no images, which usually means its content checks removed them. Change the prompt or selection and try again.",
      );
    case "canceled":
    case "cancelled":
      return out("cancelled", "The job was cancelled.");
    case "timeout":
      return out("timeout", "The job timed out on the service. Run it again.");
    case "failed": {
      const code = job.error_code ?? "";
      if (code === BROKER_ERROR_CODES.needsFirefly) {
        return out("invalid_input", job.message ?? "This needs Firefly: the broker runs the local engine. Ask your admin to configure Firefly credentials.");
      }
      if (code === BROKER_ERROR_CODES.submitInterrupted) {
        return out("service_unavailable", "The broker stopped while sending this job, so it was not run (and not billed). Run it again.");
      }
      if (CONTENT_MESSAGES[code]) return out("content_policy", CONTENT_MESSAGES[code]);
      if (/unsafe|policy|denied/.test(code))
        return out("content_policy", "Firefly declined this under its content policy. Change the prompt or image and try again.");
      if (code === "timeout_error") return out("timeout", "The job timed out on the service. Run it again.");
      // Firefly's 403 at submit, which the broker records with the code of its `x-access-error` and
      // the category it classified it as.
      if (code === "quota_exhausted") return out("quota", ACCESS_MESSAGES.quota_exhausted[1]);
      const byCategory = job.category && FAILED_BY_CATEGORY[job.category];
      if (byCategory) return out(byCategory[0], byCategory[1]);
      if (code === "validation_error" || code === "input_media_indecipherable" || code === "language_not_supported") {
        return out("invalid_input", `Firefly could not use this input${job.message ? ` (${job.message})` : ""}. Change it and try again.`);
      }
      return out("service_unavailable", "The job failed on the service. Try again; if it keeps failing, try a different prompt or area.");
    }
    default:
      return null;
  }
}
