// Runtime probes: what the UXP runtime gives the plugin's code, and which of Infill's branches runs.

import type { Probe, RuntimeEnv } from "./types";

const has = (env: RuntimeEnv, name: string) => typeof env.globals[name] === "function";

const sameBytes = (a: ArrayLike<number> | null, b: ArrayLike<number>) => !!a && a.length === b.length && Array.from(b).every((v, i) => a[i] === v);

export const runtimeProbes: Probe<RuntimeEnv>[] = [
  {
    id: "runtime.url",
    group: "runtime",
    expected: "URL and URLSearchParams present or not: Infill reads addresses with its own parser",
    async run(env) {
      return {
        verdict: "info",
        observed: `URL ${has(env, "URL") ? "present" : "absent"}, URLSearchParams ${has(env, "URLSearchParams") ? "present" : "absent"}`,
        branch: "own address parser",
      };
    },
  },
  {
    id: "runtime.text-codec",
    group: "runtime",
    expected: "TextEncoder/TextDecoder round-trip UTF-8, or Infill's own UTF-8 code",
    async run(env) {
      if (!has(env, "TextEncoder") || !has(env, "TextDecoder")) return { verdict: "info", observed: "absent", branch: "own UTF-8 code" };
      const Enc = env.globals.TextEncoder as typeof TextEncoder;
      const Dec = env.globals.TextDecoder as typeof TextDecoder;
      const text = "Infill é ✓";
      const back = new Dec().decode(new Enc().encode(text));
      return back === text
        ? { verdict: "pass", observed: "round trip exact", branch: "TextEncoder/TextDecoder" }
        : { verdict: "fail", observed: `round trip gave ${JSON.stringify(back)}` };
    },
  },
  {
    id: "runtime.abort-controller",
    group: "runtime",
    expected: "AbortController present (abort events optional: without them `aborted` is checked every 100 ms)",
    async run(env) {
      if (!has(env, "AbortController")) return { verdict: "fail", observed: "AbortController absent" };
      const c = new (env.globals.AbortController as typeof AbortController)();
      const listens = typeof (c.signal as { addEventListener?: unknown }).addEventListener === "function";
      c.abort();
      if (c.signal.aborted !== true) return { verdict: "fail", observed: "signal.aborted stays false after abort()" };
      return {
        verdict: "pass",
        observed: `aborted works; addEventListener ${listens ? "present" : "absent"}`,
        branch: listens ? "abort events" : "checks `aborted` every 100 ms",
      };
    },
  },
  {
    id: "runtime.fetch-abort",
    group: "runtime",
    expected: "fetch rejects on abort, or ignores it (requests are raced against their signal either way)",
    async run(env) {
      const r = await env.fetchAfterAbort();
      return {
        verdict: "info",
        observed: r === "rejected" ? "fetch honours abort" : r === "answered" ? "fetch ignores abort (answered)" : "fetch ignores abort (no answer)",
        branch: "request raced against its signal",
      };
    },
  },
  {
    id: "runtime.secure-storage",
    group: "runtime",
    expected: "secureStorage gives back the bytes it was given",
    async run(env) {
      const value = new Uint8Array([105, 110, 102, 105, 108, 108, 0, 255, 1]);
      try {
        const back = await env.secureRoundTrip("infill.hostcheck", value);
        return sameBytes(back, value)
          ? { verdict: "pass", observed: "round trip exact" }
          : { verdict: "fail", observed: `read back ${back ? `[${Array.from(back).join(",")}]` : "nothing"}` };
      } catch (e) {
        return { verdict: "fail", observed: `threw: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  },
  {
    id: "runtime.message-shape",
    group: "runtime",
    expected: "the page's messages arrive in `data` or `message`, JSON once or twice (all are read)",
    async run(env) {
      const shapes = env.messageShapes();
      return { verdict: "info", observed: shapes.length ? shapes.join(", ") : "no message seen yet", branch: shapes.length ? shapes.join(", ") : undefined };
    },
  },
];
