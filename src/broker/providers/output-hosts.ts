// Which output URLs the broker will follow: the pre-signed output host Adobe documents (https, that
// exact host: any bucket name can be registered by anyone), the host of the configured Firefly URL
// (so a test or enterprise upstream works), and hosts listed in INFILL_OUTPUT_HOSTS (a bare host
// name means https; a full origin allows its own scheme/port).

/** The output hosts Adobe documents for Firefly v3 results. */
const ADOBE_OUTPUT_HOSTS = new Set(["pre-signed-firefly-prod.s3-accelerate.amazonaws.com"]);

export class OutputHostPolicy {
  private readonly origins = new Set<string>();
  private readonly httpsHosts = new Set<string>();

  constructor(fireflyUrl: string, extra: string[]) {
    this.origins.add(new URL(fireflyUrl).origin);
    for (const entry of extra) {
      const e = entry.trim().toLowerCase();
      if (!e) continue;
      if (/^https?:\/\//.test(e)) this.origins.add(new URL(e).origin);
      else this.httpsHosts.add(e);
    }
  }

  /** The URL to fetch, or undefined when it is not allowed. */
  check(raw: string): URL | undefined {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return undefined;
    }
    if (u.username || u.password) return undefined;
    if (this.origins.has(u.origin)) return u;
    if (u.protocol !== "https:" || (u.port !== "" && u.port !== "443")) return undefined;
    const host = u.hostname.toLowerCase();
    if (ADOBE_OUTPUT_HOSTS.has(host) || this.httpsHosts.has(host)) return u;
    return undefined;
  }
}
