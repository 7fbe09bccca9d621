// `infill-broker doctor`: checks the broker's Firefly credentials against Adobe without spending a
// generation — an IMS token, `GET /v3/custom-models`, a tiny storage upload, the answer for an
// unknown job id — and, only with `--generate`, one billed one-variation fill. Each step prints what
// it proved, or exactly what is wrong: credentials rejected, scope missing, organisation not
// entitled, proxy/TLS, clock skew.

import { randomUUID } from "crypto";
import { loadConfig } from "./config";
import { fetchUpstream, jsonBody, NetworkError, type UpstreamRequest, type UpstreamResponse } from "./http/upstream";

export interface DoctorOptions {
  clientId?: string;
  clientSecret?: string;
  imsUrl: string;
  imsScopes: string;
  fireflyUrl: string;
  /** Also run one billed one-variation fill. */
  generate?: boolean;
  /** The upstream client (the broker's own by default). */
  request?: (req: UpstreamRequest) => Promise<UpstreamResponse>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  print?: (line: string) => void;
  timeoutMs?: number;
}

export type StepCode =
  | "ok"
  | "no_credentials"
  | "credentials_rejected"
  | "scope_missing"
  | "not_entitled"
  | "api_key_rejected"
  | "token_rejected"
  | "tls"
  | "unreachable"
  | "clock_skew"
  | "unexpected";

export interface StepResult {
  step: "credentials" | "ims" | "clock" | "custom-models" | "upload" | "unknown-job" | "fill";
  ok: boolean;
  code: StepCode;
  message: string;
}

/** Largest clock difference with Adobe's servers before tokens and signed links misbehave. */
export const MAX_SKEW_MS = 5 * 60_000;

/** A 1×1 PNG: the smallest upload Firefly takes. */
const TINY_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/i;

function networkStep(step: StepResult["step"], what: string, e: unknown): StepResult {
  const code = e instanceof NetworkError ? e.code : e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
  if (TLS_CODES.test(code)) {
    return {
      step,
      ok: false,
      code: "tls",
      message: `${what}: the TLS certificate was not trusted (${code}). A proxy that inspects HTTPS is the usual cause: give Node its root certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`,
    };
  }
  return {
    step,
    ok: false,
    code: "unreachable",
    message: `${what}: no answer (${code}). Check this machine's internet access, DNS and proxy (HTTPS_PROXY is not used by the broker: it needs a direct route or a transparent proxy).`,
  };
}

function text(body: Buffer): string {
  return body.toString("utf8").slice(0, 300);
}

/** What a Firefly 401/403 means, from its error_code and x-access-error header. */
function accessStep(step: StepResult["step"], what: string, res: UpstreamResponse): StepResult {
  const body = jsonBody(res.body) as { error_code?: unknown; message?: unknown } | undefined;
  const code = typeof body?.error_code === "string" ? body.error_code : "";
  const reason = res.headers["x-access-error"] ?? "";
  const said = `${res.status}${code ? ` ${code}` : ""}${reason ? ` (${reason})` : ""}: ${typeof body?.message === "string" ? body.message : text(res.body)}`;
  if (res.status === 401)
    return {
      step,
      ok: false,
      code: "token_rejected",
      message: `${what}: Firefly did not accept the IMS token (${said}). The credential may belong to another project than its API key.`,
    };
  if (code === "403003" || code === "403000")
    return {
      step,
      ok: false,
      code: "api_key_rejected",
      message: `${what}: the API key (the client id) was not accepted (${said}). Add the Firefly Services API to this credential's project in the Adobe Developer Console.`,
    };
  if (reason === "invalid_ims_scope" || code === "10007")
    return {
      step,
      ok: false,
      code: "scope_missing",
      message: `${what}: the token lacks a Firefly scope (${said}). Set INFILL_IMS_SCOPES to the scopes the Developer Console lists for this credential (firefly_api,ff_apis at least).`,
    };
  if (res.status === 403)
    return {
      step,
      ok: false,
      code: "not_entitled",
      message: `${what}: the organisation is not entitled to Firefly Services, or the credential's product profile does not include it (${said}).`,
    };
  return { step, ok: false, code: "unexpected", message: `${what}: unexpected answer ${said}` };
}

export async function runDoctor(o: DoctorOptions): Promise<StepResult[]> {
  const request = o.request ?? fetchUpstream;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const print = o.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = o.timeoutMs ?? 30_000;
  const results: StepResult[] = [];
  const report = (r: StepResult): boolean => {
    results.push(r);
    print(`${r.ok ? "ok  " : "FAIL"} ${r.step}: ${r.message}`);
    return r.ok;
  };

  if (!o.clientId || !o.clientSecret) {
    report({
      step: "credentials",
      ok: false,
      code: "no_credentials",
      message: "FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET must both be set (environment or .env).",
    });
    return results;
  }

  // 1. IMS token.
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: o.clientId, client_secret: o.clientSecret, scope: o.imsScopes }).toString();
  let ims: UpstreamResponse;
  try {
    ims = await request({
      method: "POST",
      url: new URL(o.imsUrl),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form,
      timeoutMs,
      maxResponseBytes: 64 * 1024,
    });
  } catch (e) {
    report(networkStep("ims", `Adobe IMS at ${o.imsUrl}`, e));
    return results;
  }
  const imsBody = jsonBody(ims.body) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
  const description = typeof imsBody?.error_description === "string" ? imsBody.error_description.split(o.clientSecret).join("[redacted]") : "";
  if (ims.status !== 200 || typeof imsBody?.access_token !== "string") {
    const error = typeof imsBody?.error === "string" ? imsBody.error : "";
    if (error === "invalid_scope")
      report({
        step: "ims",
        ok: false,
        code: "scope_missing",
        message: `Adobe IMS refused the scopes "${o.imsScopes}" (${description || error}). Set INFILL_IMS_SCOPES to the scopes the Developer Console lists for this credential.`,
      });
    else if (error === "invalid_client" || ims.status === 400 || ims.status === 401)
      report({
        step: "ims",
        ok: false,
        code: "credentials_rejected",
        message: `Adobe IMS rejected the client id or secret (${ims.status}${error ? ` ${error}` : ""}${description ? `: ${description}` : ""}). Copy both again from the Developer Console (OAuth Server-to-Server credential).`,
      });
    else report({ step: "ims", ok: false, code: "unexpected", message: `Adobe IMS answered ${ims.status}: ${description || text(ims.body)}` });
    return results;
  }
  const token = imsBody.access_token;
  report({
    step: "ims",
    ok: true,
    code: "ok",
    message: `Adobe IMS issued a token for these credentials and scopes (valid ${typeof imsBody.expires_in === "number" ? `${Math.round(imsBody.expires_in / 3600)} h` : "for an unknown time"}).`,
  });

  // 2. Clock: Adobe's Date header against ours.
  const date = Date.parse(ims.headers.date ?? "");
  if (Number.isFinite(date)) {
    const skew = now() - date;
    if (Math.abs(skew) > MAX_SKEW_MS)
      report({
        step: "clock",
        ok: false,
        code: "clock_skew",
        message: `This machine's clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "ahead of" : "behind"} Adobe's. Token lifetimes and signed output links go wrong: turn on network time (NTP).`,
      });
    else report({ step: "clock", ok: true, code: "ok", message: `This machine's clock is within ${Math.round(MAX_SKEW_MS / 60_000)} minutes of Adobe's.` });
  }

  const firefly = (method: UpstreamRequest["method"], path: string, extra: Partial<UpstreamRequest> = {}) =>
    request({
      method,
      url: new URL(path, o.fireflyUrl),
      headers: {
        authorization: `Bearer ${token}`,
        "x-api-key": o.clientId!,
        "x-request-id": randomUUID(),
        accept: "application/json",
        ...(extra.headers ?? {}),
      },
      body: extra.body,
      timeoutMs,
    });

  // 3. An authenticated read that costs nothing.
  let res: UpstreamResponse;
  try {
    res = await firefly("GET", "/v3/custom-models?start=0&limit=1");
  } catch (e) {
    report(networkStep("custom-models", `Firefly at ${o.fireflyUrl}`, e));
    return results;
  }
  if (res.status !== 200) {
    report(accessStep("custom-models", "GET /v3/custom-models", res));
    return results;
  }
  report({ step: "custom-models", ok: true, code: "ok", message: "Firefly accepted the token and the API key (GET /v3/custom-models answered 200)." });

  // 4. A tiny storage upload.
  try {
    res = await firefly("POST", "/v2/storage/image", { headers: { "content-type": "image/png" }, body: TINY_PNG });
  } catch (e) {
    report(networkStep("upload", "POST /v2/storage/image", e));
    return results;
  }
  const up = jsonBody(res.body) as { images?: Array<{ id?: unknown }> } | undefined;
  if (res.status !== 200 || typeof up?.images?.[0]?.id !== "string") {
    report(
      res.status === 401 || res.status === 403
        ? accessStep("upload", "POST /v2/storage/image", res)
        : { step: "upload", ok: false, code: "unexpected", message: `POST /v2/storage/image answered ${res.status}: ${text(res.body)}` },
    );
    return results;
  }
  const uploadId = up.images[0].id as string;
  report({ step: "upload", ok: true, code: "ok", message: `Firefly storage took a ${TINY_PNG.length}-byte PNG (upload id ${uploadId}).` });

  // 5. The answer for a job id nobody submitted.
  try {
    res = await firefly("GET", `/v3/status/${randomUUID()}`);
    if (res.status === 404) report({ step: "unknown-job", ok: true, code: "ok", message: "Firefly answers 404 for an unknown job id, as the broker expects." });
    else if (res.status === 401 || res.status === 403) report(accessStep("unknown-job", "GET /v3/status", res));
    else
      report({
        step: "unknown-job",
        ok: false,
        code: "unexpected",
        message: `GET /v3/status/<unknown id> answered ${res.status} instead of 404: ${text(res.body)}`,
      });
  } catch (e) {
    report(networkStep("unknown-job", "GET /v3/status", e));
  }

  // 6. Billed: one variation of a fill on the uploaded pixel, only when asked.
  if (o.generate) await billedFill(firefly, uploadId, report, sleep);
  return results;
}

async function billedFill(
  firefly: (method: UpstreamRequest["method"], path: string, extra?: Partial<UpstreamRequest>) => Promise<UpstreamResponse>,
  uploadId: string,
  report: (r: StepResult) => boolean,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const body = JSON.stringify({ image: { source: { uploadId } }, mask: { source: { uploadId } }, numVariations: 1 });
  try {
    let res = await firefly("POST", "/v3/images/fill-async", { headers: { "content-type": "application/json" }, body });
    const accepted = jsonBody(res.body) as { jobId?: unknown } | undefined;
    if (res.status !== 202 || typeof accepted?.jobId !== "string") {
      report(
        res.status === 401 || res.status === 403
          ? accessStep("fill", "POST /v3/images/fill-async", res)
          : { step: "fill", ok: false, code: "unexpected", message: `POST /v3/images/fill-async answered ${res.status}: ${text(res.body)}` },
      );
      return;
    }
    for (let i = 0; i < 60; i++) {
      await sleep(2000);
      res = await firefly("GET", `/v3/status/${accepted.jobId}`);
      const s = jsonBody(res.body) as { status?: unknown } | undefined;
      if (s?.status === "succeeded") {
        report({ step: "fill", ok: true, code: "ok", message: `A one-variation fill ran end to end (job ${accepted.jobId}; billed).` });
        return;
      }
      if (res.status !== 200 || (s?.status !== "pending" && s?.status !== "running")) {
        report({ step: "fill", ok: false, code: "unexpected", message: `The fill job ended ${String(s?.status ?? res.status)}: ${text(res.body)}` });
        return;
      }
    }
    report({ step: "fill", ok: false, code: "unexpected", message: `The fill job ${accepted.jobId} did not finish within 2 minutes.` });
  } catch (e) {
    report(networkStep("fill", "POST /v3/images/fill-async", e));
  }
}

const DOCTOR_HELP = `infill-broker doctor [--generate]

Checks the Firefly credentials this broker would use (same environment and .env as the broker):
an IMS token, GET /v3/custom-models, a tiny storage upload and the answer for an unknown job id.
Nothing is generated unless --generate is given: then one one-variation fill runs (billed).
Exit status 0 when every step passed, 1 otherwise.
`;

/** The `doctor` subcommand: the exit status. */
export async function doctorMain(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--generate");
  if (unknown.length) {
    process.stderr.write(`infill-broker doctor: unknown option ${unknown[0]}\n${DOCTOR_HELP}`);
    return 2;
  }
  // Only the Firefly settings matter here: the provider choice is ignored, and a placeholder broker
  // key keeps loadConfig from creating the broker's key file.
  const config = loadConfig({ ...env, INFILL_PROVIDER: undefined, INFILL_KEYS_FILE: undefined, INFILL_API_KEY: "doctor-placeholder" });
  const results = await runDoctor({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    imsUrl: config.imsUrl,
    imsScopes: config.imsScopes,
    fireflyUrl: config.fireflyUrl,
    generate: argv.includes("--generate"),
  });
  return results.every((r) => r.ok) ? 0 : 1;
}
