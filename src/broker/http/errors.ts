// The broker's error answers: always JSON, Firefly-shaped (`error_code`, `message`, and
// `validation_errors` where Firefly has them) plus the `category` every Infill client shows.

import type { ErrorCategory } from "../../common/jobs";
import { classifyError, readErrorBody } from "../../common/firefly";
import { ProviderError } from "../providers/provider";

export interface ErrorBody {
  error_code: string;
  message: string;
  category: ErrorCategory;
  [extra: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = "HttpError";
  }
}

export function httpError(
  status: number,
  error_code: string,
  category: ErrorCategory,
  message: string,
  headers?: Record<string, string>,
  extra?: Record<string, unknown>,
): HttpError {
  return new HttpError(status, { error_code, message, category, ...extra }, headers);
}

/** Firefly's error code for an upstream answer that named none. */
function defaultCode(status: number): string {
  if (status === 413) return "payload_too_large";
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout_error";
  return status >= 500 ? "runtime_error" : "bad_request";
}

/** An upstream (or local engine) failure, passed on in Firefly's shape with a category. */
export function fromProviderError(e: ProviderError): HttpError {
  const status = e.status === 0 ? 502 : e.status;
  const c = classifyError({ status, body: e.body, headers: e.headers });
  const facts = readErrorBody(e.body);
  const body: ErrorBody = {
    error_code: facts.code ?? defaultCode(status),
    message: facts.message ?? c.message,
    category: c.category,
  };
  if (facts.validationErrors) body.validation_errors = facts.validationErrors;
  const headers: Record<string, string> = {};
  for (const h of ["retry-after", "x-access-error", "x-access-rate-limit-level"]) if (e.headers[h]) headers[h] = e.headers[h];
  return new HttpError(status < 400 || status > 599 ? 502 : status, body, headers);
}

/** The body a failed job's status carries when it failed at submit. */
export function jobErrorFields(error: { status: number; body: unknown }): { error_code: string; message: string; category: ErrorCategory } {
  const facts = readErrorBody(error.body);
  const c = classifyError({ status: error.status || 502, body: error.body });
  const stored = (error.body as { category?: unknown } | null)?.category;
  return {
    error_code: facts.code ?? "runtime_error",
    message: facts.message ?? c.message,
    category: typeof stored === "string" ? (stored as ErrorCategory) : c.category,
  };
}
