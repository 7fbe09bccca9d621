// Pairing the playground with the broker that serves it.
//   - Key: `#key=<broker key>` in the page address (a fragment never reaches any server). The page
//     stores it in its settings and removes it from the address bar at once.
//   - Engine: GET /health on the same origin (no key needed) says whether the broker runs Firefly or
//     its local engine, so the page can be honest about what prompts do.

export function takeKeyFromFragment(loc: Location = window.location, hist: History = window.history): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const key = params.get("key");
  if (!key) return null;
  params.delete("key");
  const rest = params.toString();
  hist.replaceState(null, "", loc.pathname + loc.search + (rest ? `#${rest}` : ""));
  return key.trim() || null;
}

export interface EngineInfo {
  mode: "firefly" | "local" | "unknown";
  label: string;
  notice: string | null;
}

export async function readEngine(origin: string = window.location.origin, f: typeof fetch = fetch): Promise<EngineInfo> {
  try {
    const res = await f(`${origin}/health`, { headers: { accept: "application/json" } });
    const body = (await res.json()) as { mode?: string; status?: string };
    if (body.mode === "local") {
      return {
        mode: "local",
        label: "Engine: local (no Firefly)",
        notice:
          "This broker runs its local engine: Fill and Expand continue the surroundings and ignore prompts; Generate is unavailable. Start the broker with Firefly credentials for prompts.",
      };
    }
    if (body.mode === "firefly") return { mode: "firefly", label: "Engine: Firefly", notice: null };
  } catch {
    /* not served by a broker */
  }
  return {
    mode: "unknown",
    label: "Engine: no broker",
    notice: "This page is not served by an Infill broker, so jobs cannot run. Start it with `npm start` and open the address it prints.",
  };
}
