// Checks every request passes before any route: the Host header names this broker (DNS
// rebinding), no secret travels in the query string, browser origins are allowed ones (CORS,
// preflights answered here), and — for the API — a valid broker key.

import type { IncomingMessage, ServerResponse } from "http";
import { isIPv4, isIPv6 } from "net";
import { BROKER_ERROR_CODES } from "../../common/firefly";
import { CROP_HEADER, OUTPUT_SIZE_HEADER } from "../../common/imaging/crop";
import type { KeyEntry, KeyRing } from "../keys";
import type { BrokerParts, RequestContext, Target } from "./context";
import { httpError } from "./errors";
import { REQUEST_ID_HEADER } from "./request-id";

/** Answer headers a browser page may read: Firefly's rate-limit ones, the request id and where a cropped output lies. */
const EXPOSED_HEADERS = ["retry-after", "x-access-error", "x-access-rate-limit-level", REQUEST_ID_HEADER, CROP_HEADER, OUTPUT_SIZE_HEADER].join(", ");

const SECRET_QUERY = /^(key|api[_-]?key|apikey|access[_-]?token|id[_-]?token|token|client[_-]?secret|secret|authorization|auth|password|bearer)$/i;
const API_PATH = /^\/v[0-9]+(\/|$)/;

/** A Host header's parts: the name (lower case; an IPv6 literal without its brackets) and port. */
export interface ParsedHost {
  name: string;
  port?: number;
}

const HOST_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
const PORT = /^[0-9]{1,5}$/;
const NUMERIC_LABEL = /^(0x[0-9a-f]*|[0-9]+)$/;

/** A Host header read strictly as `name[:port]` or `[ipv6][:port]`; undefined when it is anything else. */
export function parseHost(raw: string | undefined): ParsedHost | undefined {
  if (!raw) return undefined;
  const h = raw.trim().toLowerCase();
  let name: string;
  let rest: string;
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    if (end < 0) return undefined;
    name = h.slice(1, end);
    if (!isIPv6(name)) return undefined;
    rest = h.slice(end + 1);
  } else {
    const colon = h.indexOf(":");
    name = colon < 0 ? h : h.slice(0, colon);
    if (!HOST_NAME.test(name)) return undefined;
    // A name ending in a number is read by URL parsers as an IPv4 address ("8765" is 0.0.34.61):
    // only a plain dotted quad may do that.
    if (NUMERIC_LABEL.test(name.slice(name.lastIndexOf(".") + 1)) && !isIPv4(name)) return undefined;
    rest = colon < 0 ? "" : h.slice(colon);
  }
  if (rest === "") return { name };
  if (!rest.startsWith(":") || !PORT.test(rest.slice(1))) return undefined;
  const port = Number(rest.slice(1));
  return port >= 1 && port <= 65535 ? { name, port } : undefined;
}

/** `http://host[:port]` from parsed parts (IPv6 literals bracketed). */
export function originOf(host: ParsedHost): string {
  const name = host.name.includes(":") ? `[${host.name}]` : host.name;
  return `http://${name}${host.port !== undefined ? `:${host.port}` : ""}`;
}

export function isApiPath(pathname: string): boolean {
  return API_PATH.test(pathname);
}

/** The Host and query checks; throws the refusal. */
export function checkHostAndQuery(req: IncomingMessage, target: Target, ctx: RequestContext, parts: BrokerParts): void {
  const host = parseHost(req.headers.host);
  if (!host || !parts.allowedHosts.has(host.name)) {
    ctx.route = "host_check";
    throw httpError(421, BROKER_ERROR_CODES.hostNotAllowed, "invalid_input", "This broker does not answer to that host name.");
  }
  ctx.host = host;
  for (const name of target.query.keys()) {
    if (SECRET_QUERY.test(name)) {
      ctx.route = "query_check";
      throw httpError(400, "secret_in_query", "invalid_input", "Keys and tokens are never accepted in the URL; send Authorization: Bearer <key>.");
    }
  }
}

/**
 * CORS: an allowed origin gets the CORS headers; any other origin is refused on the API and on
 * preflights. Returns true when it answered the request (a preflight).
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, target: Target, ctx: RequestContext, parts: BrokerParts): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (parts.corsOrigins.has(origin) || parts.selfOrigins.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
      res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    } else if (isApiPath(target.pathname) || target.method === "OPTIONS") {
      ctx.route = "cors_check";
      throw httpError(403, "origin_not_allowed", "auth", "This web origin may not call the broker (add it to INFILL_CORS_ORIGINS).");
    }
  }
  if (target.method !== "OPTIONS") return false;
  ctx.route = "preflight";
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, PUT, OPTIONS",
    "access-control-allow-headers": "authorization, content-type, x-model-version, x-request-id",
    "access-control-max-age": "600",
  });
  res.end();
  return true;
}

/** The key presented as `Authorization: Bearer <key>`, or a 401. */
export function authenticate(req: IncomingMessage, ctx: RequestContext, keys: KeyRing): KeyEntry {
  const h = req.headers.authorization;
  if (!h)
    throw httpError(401, BROKER_ERROR_CODES.keyMissing, "auth", "This broker needs a broker key: send Authorization: Bearer <key>.", {
      "www-authenticate": "Bearer",
    });
  const m = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(h);
  const key = m ? keys.find(m[1]) : undefined;
  if (!key) throw httpError(401, BROKER_ERROR_CODES.keyInvalid, "auth", "The broker key is not valid.", { "www-authenticate": "Bearer" });
  ctx.key = key;
  return key;
}
