// Adobe IMS `client_credentials` tokens: cached until `expires_in` minus a margin (5 min), one
// shared fetch for any number of concurrent cold callers, dropped on a Firefly 401 so the next
// caller fetches a fresh one. Failures never carry the secret: Adobe's `error_description` only.

import { BROKER_ERROR_CODES, ImsErrorSchema, ImsTokenSchema } from "../../common/firefly";
import { fetchUpstream, jsonBody, NetworkError } from "../http/upstream";
import { redactThenCut } from "../log";
import { ProviderError } from "./provider";

export interface ImsOptions {
  url: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Refresh this long before expiry (default 5 min). */
  marginMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Masks the broker's secrets in IMS text passed on (the client secret is always masked). */
  redact?: (text: string) => string;
  /** Told about every new token so loggers can redact it. */
  onToken?: (token: string) => void;
  /** Retries on IMS 5xx / network errors (default 2), with this base backoff (default 250 ms). */
  retries?: number;
  retryBaseMs?: number;
}

interface Cached {
  token: string;
  expiresAt: number;
}

export class ImsTokens {
  private cached: Cached | undefined;
  private inflight: Promise<string> | undefined;
  /** Number of token requests sent to IMS (for tests and health). */
  fetches = 0;
  private readonly now: () => number;

  constructor(private readonly options: ImsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The cached token while it is valid (no waiting), else undefined: then `get()`. */
  current(): string | undefined {
    const c = this.cached;
    return c && this.now() < c.expiresAt ? c.token : undefined;
  }

  /** A valid token; fetches at most once for any number of concurrent callers. */
  get(): Promise<string> {
    const c = this.cached;
    if (c && this.now() < c.expiresAt) return Promise.resolve(c.token);
    if (!this.inflight) {
      this.inflight = this.fetchWithRetry().finally(() => (this.inflight = undefined));
    }
    return this.inflight;
  }

  /** Forget `token` (Firefly said 401). A newer token fetched meanwhile is kept. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchWithRetry(): Promise<string> {
    const retries = this.options.retries ?? 2;
    const base = this.options.retryBaseMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.fetchOnce();
      } catch (err) {
        const retryable = err instanceof ProviderError && err.status === 503;
        if (!retryable || attempt >= retries) throw err;
        await new Promise((r) => setTimeout(r, base * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }

  private async fetchOnce(): Promise<string> {
    const o = this.options;
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: o.clientId, client_secret: o.clientSecret, scope: o.scopes }).toString();
    this.fetches++;
    let res;
    try {
      res = await fetchUpstream({
        method: "POST",
        url: new URL(o.url),
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", "content-length": String(Buffer.byteLength(form)) },
        body: form,
        timeoutMs: o.timeoutMs ?? 15_000,
        maxResponseBytes: 64 * 1024,
      });
    } catch (err) {
      const code = err instanceof NetworkError ? err.code : "EUNKNOWN";
      throw new ProviderError({
        status: 503,
        notSent: true,
        body: { error_code: BROKER_ERROR_CODES.upstreamUnreachable, message: "The broker could not reach Adobe IMS to sign in." },
        detail: `IMS unreachable (${code})`,
      });
    }
    const body = jsonBody(res.body);
    if (res.status === 200) {
      const parsed = ImsTokenSchema.safeParse(body);
      if (!parsed.success) {
        throw new ProviderError({
          status: 503,
          notSent: true,
          body: { error_code: BROKER_ERROR_CODES.upstreamUnreachable, message: "Adobe IMS answered without a token." },
          detail: "IMS 200 without access_token",
        });
      }
      const margin = o.marginMs ?? 5 * 60_000;
      const lifetime = parsed.data.expires_in * 1000;
      // Never cache past the real expiry; a very short-lived token is used once and refetched.
      this.cached = { token: parsed.data.access_token, expiresAt: this.now() + Math.max(0, lifetime - margin) };
      o.onToken?.(parsed.data.access_token);
      return parsed.data.access_token;
    }
    const err = ImsErrorSchema.safeParse(body);
    const description = err.success ? (err.data.error_description ?? err.data.error) : undefined;
    const imsCode = err.success ? err.data.error : undefined;
    if (res.status >= 500) {
      throw new ProviderError({
        status: 503,
        notSent: true,
        body: { error_code: BROKER_ERROR_CODES.upstreamUnreachable, message: "Adobe IMS is having trouble right now." },
        detail: `IMS ${res.status}`,
      });
    }
    throw new ProviderError({
      status: 502,
      notSent: true,
      body: {
        error_code: BROKER_ERROR_CODES.imsFailed,
        message: description ? `Adobe IMS: ${redactThenCut(description, 300, (t) => scrub(t, o))}` : `Adobe IMS refused the credentials (HTTP ${res.status}).`,
      },
      detail: `IMS ${res.status}${imsCode ? ` ${imsCode}` : ""}`,
    });
  }
}

function scrub(text: string, o: ImsOptions): string {
  const t = o.clientSecret ? text.split(o.clientSecret).join("[redacted]") : text;
  return o.redact ? o.redact(t) : t;
}
