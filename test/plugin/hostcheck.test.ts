// The host check's probe suite against the recording fake (every probe passes or reports its
// branch) and against fakes broken one way each (the matching probe fails): a probe that cannot
// fail would show here.
import { fake, type BrokenWays } from "../fakes/photoshop";
import { fakeUxp } from "../fakes/uxp";
import { runHostCheck, ALL_PROBE_IDS, type HostCheckReport, type RuntimeEnv } from "../../src/plugin/hostcheck";
import { createHostCheckHost, createRuntimeEnv } from "../../src/plugin/photoshop/hostcheck-host";

function runtime(over: Partial<RuntimeEnv> = {}): RuntimeEnv {
  const globals: Record<string, unknown> = {
    TextEncoder,
    TextDecoder,
    AbortController,
    fetch: async (_u: string, init: { signal: AbortSignal }) => {
      if (init.signal.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
      return {};
    },
  };
  return { ...createRuntimeEnv(globals, () => ["message, JSON once"], "http://127.0.0.1:8765/health"), ...over };
}

async function check(env: RuntimeEnv = runtime()): Promise<HostCheckReport> {
  return runHostCheck(
    createHostCheckHost(() => "test-os"),
    env,
  );
}

const verdict = (r: HostCheckReport, id: string) => r.probes.find((p) => p.id === id);

beforeEach(() => {
  fake.reset();
  fakeUxp.reset();
});

test("every probe passes (or reports its branch) against the recording fake, on scratch documents that are closed", async () => {
  const artist = fake.addDocument({ width: 100, height: 80, title: "art.psd" });
  const before = fake.picture(artist.id);
  const r = await check();
  expect(r.probes.map((p) => p.id)).toEqual(ALL_PROBE_IDS);
  expect(r.probes.filter((p) => p.verdict === "fail")).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.passed).toBe(r.probes.filter((p) => p.verdict === "pass").length);
  expect(r.versions).toEqual({ photoshop: "26.0.0", uxp: "8.0.0", os: "test-os", plugin: "0.1.0" });
  // Only the artist's document is left, unchanged.
  expect(fake.docs.map((d) => d.id)).toEqual([artist.id]);
  expect(fake.picture(artist.id)).toBe(before);
  // Three scratch documents, one per depth.
  expect(fake.calls.filter((c) => c.op === "documents.add").map((c) => c.args.depth)).toEqual([8, 16, 32]);
  expect(verdict(r, "imaging.selection-none")).toMatchObject({ verdict: "info", branch: "no selection: caught error" });
  expect(verdict(r, "runtime.abort-controller")).toMatchObject({ verdict: "pass", branch: "abort events" });
  expect(verdict(r, "runtime.fetch-abort")).toMatchObject({ observed: "fetch honours abort" });
  expect(verdict(r, "runtime.message-shape")).toMatchObject({ branch: "message, JSON once" });
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
});

test.each<[keyof BrokenWays, string]>([
  ["sixteenBitScale", "imaging.16.pixels-round-trip"],
  ["premultiplied", "imaging.alpha"],
  ["rollbackKeepsHistory", "documents.history-rollback"],
  ["moveIgnored", "documents.move-into-group"],
  ["placeBeforeToTop", "documents.move-above-in-group"],
  ["maskIgnoresTargetBounds", "imaging.8.layer-mask-rect"],
  ["ellipseAsRect", "imaging.selection-ellipse"],
])("a host where %s fails %s", async (way, id) => {
  fake.broken = { [way]: true };
  const r = await check();
  expect(verdict(r, id)?.verdict).toBe("fail");
  expect(fake.docs).toEqual([]);
});

test("a canvas resize that misses its size fails the anchors probe", async () => {
  fake.resizeSkew = 1;
  expect(verdict(await check(), "documents.resize-anchors")?.verdict).toBe("fail");
});

test("a host where every modal call is busy fails each imaging and document probe with the reason", async () => {
  fake.busy = 1;
  const r = await check();
  expect(verdict(r, "imaging.8.pixels-round-trip")).toMatchObject({ verdict: "fail", observed: expect.stringContaining("host is in a modal state") });
  expect(verdict(r, "imaging.16.pixels-round-trip")?.verdict).toBe("pass");
});

test("the fallbacks' branches are named: an empty mask without selection, no abort events, fetch ignoring abort", async () => {
  fake.getSelectionThrowsWithoutSelection = false;
  class BareController {
    signal = { aborted: false };
    abort() {
      this.signal.aborted = true;
    }
  }
  const env = runtime();
  env.globals = { ...env.globals, AbortController: BareController, fetch: () => new Promise(() => undefined) };
  const r = await runHostCheck(createHostCheckHost(), { ...createRuntimeEnv(env.globals, () => [], "http://127.0.0.1:8765/health", 10) });
  expect(verdict(r, "imaging.selection-none")).toMatchObject({ verdict: "info", branch: "no selection: empty mask" });
  expect(verdict(r, "runtime.abort-controller")).toMatchObject({ verdict: "pass", branch: "checks `aborted` every 100 ms" });
  expect(verdict(r, "runtime.fetch-abort")).toMatchObject({ observed: "fetch ignores abort (no answer)" });
});

test("secure storage that gives back other bytes, or no AbortController, fails the runtime probe", async () => {
  const r = await check(runtime({ secureRoundTrip: async () => new Uint8Array([1]) }));
  expect(verdict(r, "runtime.secure-storage")?.verdict).toBe("fail");
  const env = runtime();
  delete env.globals.AbortController;
  expect(verdict(await check(env), "runtime.abort-controller")?.verdict).toBe("fail");
});
