// A small parser for http(s)-style web addresses. UXP documents no `URL` constructor, so code that
// runs in the plugin (and the shared contract it bundles) reads addresses with this instead.
// It accepts what browsers accept for plain ASCII addresses: scheme://[user[:pass]@]host[:port][/path][?query][#fragment],
// with the scheme and host lower-cased, the default port dropped and an empty path read as "/".

export interface WebAddress {
  /** e.g. "https:" */
  protocol: string;
  username: string;
  password: string;
  /** Lower-cased; an IPv6 address keeps its brackets. */
  hostname: string;
  /** "" for the scheme's default port. */
  port: string;
  /** Starts with "/". */
  pathname: string;
  /** "" or "?…" */
  search: string;
  /** "" or "#…" */
  hash: string;
  /** protocol//hostname[:port] */
  origin: string;
}

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };
const SHAPE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#\\]*)([^?#]*)(\?[^#]*)?(#.*)?$/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-_]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-_]*[a-z0-9])?)*\.?$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** The parts of `text`, or null when it is not an absolute address with a host. */
export function parseWebAddress(text: string): WebAddress | null {
  const m = SHAPE.exec(text.trim());
  if (!m) return null;
  const protocol = `${m[1].toLowerCase()}:`;
  const authority = m[2];
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : "";
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const colon = userinfo.indexOf(":");
  const username = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
  const password = colon >= 0 ? userinfo.slice(colon + 1) : "";
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!hp) return null;
  const hostname = hp[1].toLowerCase();
  if (!hostname || !(IPV6.test(hostname) || HOST_NAME.test(hostname))) return null;
  let port = hp[2] ?? "";
  if (port !== "") {
    const n = Number(port);
    if (!Number.isInteger(n) || n > 65535) return null;
    port = String(n);
    if (DEFAULT_PORTS[protocol] === port) port = "";
  }
  if (/\s/.test(m[3])) return null;
  const pathname = m[3] === "" ? "/" : m[3];
  const origin = `${protocol}//${hostname}${port ? `:${port}` : ""}`;
  return { protocol, username, password, hostname, port, pathname, search: m[4] && m[4] !== "?" ? m[4] : "", hash: m[5] && m[5] !== "#" ? m[5] : "", origin };
}
