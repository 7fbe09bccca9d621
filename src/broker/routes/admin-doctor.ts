// `GET /v1/admin/doctor` (admin keys only): the checks of `infill-broker doctor`, without `--generate`,
// run by the broker on its own Firefly credentials, so an admin can run them from the panel. Never
// spends a generation; the answer holds each step's verdict and nothing secret (the doctor redacts
// the client secret and never reports the token).

import type { ServerResponse } from "http";
import { runDoctor, type StepResult } from "../doctor";
import type { BrokerParts, RequestContext } from "../http/context";
import { httpError } from "../http/errors";
import type { KeyEntry } from "../keys";

export const ADMIN_DOCTOR_PATH = "/v1/admin/doctor";

export interface DoctorAnswer {
  mode: "firefly" | "local";
  /** Every step run, in order; none in local mode. */
  steps: StepResult[];
  /** What could not be checked, and why (local mode). */
  note?: string;
}

/** What local mode cannot check: the steps that need Firefly credentials. */
export const LOCAL_MODE_NOTE =
  "This broker runs the local engine: it holds no Firefly credentials, so the IMS token, Firefly's custom models, a storage upload and Firefly's answer for an unknown job cannot be checked. Set FIREFLY_SERVICES_CLIENT_ID and FIREFLY_SERVICES_CLIENT_SECRET and restart the broker to check them.";

/** One run at a time per broker: a request while one runs gets that run's answer. */
const running = new WeakMap<BrokerParts, Promise<DoctorAnswer>>();

async function check(parts: BrokerParts): Promise<DoctorAnswer> {
  const { config, log } = parts;
  if (config.mode === "local") return { mode: "local", steps: [], note: LOCAL_MODE_NOTE };
  const steps = await runDoctor({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    imsUrl: config.imsUrl,
    imsScopes: config.imsScopes,
    fireflyUrl: config.fireflyUrl,
    generate: false,
    print: (line) => log.log({ msg: "doctor", line }),
    timeoutMs: 10_000,
  });
  return { mode: "firefly", steps };
}

export async function adminDoctor(res: ServerResponse, ctx: RequestContext, parts: BrokerParts, key: KeyEntry): Promise<void> {
  ctx.route = `GET ${ADMIN_DOCTOR_PATH}`;
  if (!key.admin) throw httpError(403, "forbidden", "auth", "The broker's doctor is for admin keys only.");
  let run = running.get(parts);
  if (!run) {
    run = check(parts).finally(() => running.delete(parts));
    running.set(parts, run);
  }
  parts.respond.sendJson(res, 200, await run);
}
