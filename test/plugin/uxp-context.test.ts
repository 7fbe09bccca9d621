// The BUILT host bundle (dist/plugin/index.js) run in Node's vm inside a context that has only what
// Adobe documents for UXP: no URL constructor, an AbortSignal without addEventListener, a fetch that
// ignores `signal`, the panel's messages delivered on the webview element's event in `.message`,
// timers on a manual clock. `photoshop` and `uxp` are the recording fakes. The bundle is built when
// missing or older than the sources.
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import * as photoshop from "photoshop";
import * as uxp from "uxp";
import { fakeUxp } from "../fakes/uxp";
import { fake } from "../fakes/photoshop";
import { makeCommand, type CommandBody } from "../../src/common/protocol";
import { DataFolderResultStore } from "../../src/plugin/photoshop/uxp-storage";
import { ensureHostBundle } from "../support/host-bundle";

class ManualClock {
  now = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  errors: unknown[] = [];
  setTimeout = (fn: () => void, ms = 0): number => {
    const id = this.next++;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };
  clearTimeout = (id: number): void => {
    this.timers.delete(id);
  };
  /** Runs due timers in order, letting promise chains settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      try {
        due[1].fn();
      } catch (e) {
        this.errors.push(e);
      }
    }
    this.now = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** UXP's AbortSignal as its reference page lists it: `aborted`, `reason`, `onabort`; no listeners. */
class UxpAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((e: unknown) => void) | null = null;
}
class UxpAbortController {
  readonly signal = new UxpAbortSignal();
  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.signal.aborted = true;
    this.signal.reason = reason;
    this.signal.onabort?.({ type: "abort" });
  }
}

class Target {
  listeners = new Map<string, Set<(e: any) => void>>();
  addEventListener(type: string, fn: (e: any) => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: (e: any) => void): void {
    this.listeners.get(type)?.delete(fn);
  }
  dispatch(type: string, e: any): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(e);
  }
}

class FakeWebview extends Target {
  id = "infill-ui";
  style: Record<string, string> = {};
  attributes: Record<string, string> = {};
  parentElement: unknown = null;
  posted: any[] = [];
  setAttribute(k: string, v: string): void {
    this.attributes[k] = v;
  }
  postMessage(m: unknown): void {
    // UXP serialises what the plugin posts.
    this.posted.push(JSON.parse(JSON.stringify(m)));
  }
}

interface FetchCall {
  url: string;
  init: any;
}

type Responder = (url: string, init: any) => Promise<any> | null;

function jsonResponse(status: number, body: unknown): any {
  const text = JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (n: string) => (n.toLowerCase() === "content-type" ? "application/json" : null) },
    text: async () => text,
    arrayBuffer: async () => new TextEncoder().encode(text).buffer,
  };
}

interface Host {
  clock: ManualClock;
  webview: FakeWebview;
  win: Target;
  root: any;
  fetches: FetchCall[];
  /** Module requires and the setup call, in order. */
  order: string[];
  send(body: CommandBody, shape?: "message" | "data" | "twice"): void;
  repliesTo(id: string): any[];
  uncaught: unknown[];
}

const bundlePath = path.join(__dirname, "../../dist/plugin/index.js");

beforeAll(() => {
  ensureHostBundle(bundlePath);
}, 120000);

let host: Host | null = null;
const uncaught: unknown[] = [];
const onUnhandled = (e: unknown) => uncaught.push(e);

beforeEach(async () => {
  fakeUxp.reset();
  fake.reset();
  uncaught.length = 0;
  process.on("unhandledRejection", onUnhandled);
  const manifest = fs.readFileSync(path.join(__dirname, "../../manifest.json"), "utf8");
  const pluginFolder = await uxp.storage.localFileSystem.getPluginFolder();
  await (await pluginFolder.createFile("manifest.json", { overwrite: true })).write(manifest, { format: uxp.storage.formats.utf8 });
});

afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  try {
    fakeUxp.setupCalls[0]?.panels?.infillPanel?.destroy?.();
  } catch {
    // the check below reports it
  }
  host = null;
});

function load(respond: Responder): Host {
  const clock = new ManualClock();
  const webview = new FakeWebview();
  const fetches: FetchCall[] = [];
  const order: string[] = [];
  const uxpModule = { ...uxp, entrypoints: { setup: (c: any) => (order.push("setup"), uxp.entrypoints.setup(c)) } };
  const root: any = {
    style: {},
    children: [] as unknown[],
    appendChild(el: any) {
      this.children.push(el);
      el.parentElement = this;
    },
  };
  const body: any = {
    children: [webview],
    appendChild(el: any) {
      this.children.push(el);
      el.parentElement = this;
    },
  };
  webview.parentElement = body;
  const document = {
    body,
    documentElement: { style: {} },
    getElementById: (id: string) => (id === webview.id ? webview : null),
    createElement: () => {
      throw new Error("the page's webview is in the markup");
    },
  };
  const win = new Target();
  const uxpGlobal: any = Object.assign(win, {
    console: {
      log: (...a: unknown[]) => (process.env.HOST_DEBUG ? process.stderr.write(a.join(" ") + "\n") : undefined),
      warn: () => undefined,
      error: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    },
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    TextEncoder,
    TextDecoder,
    AbortController: UxpAbortController,
    document,
    getComputedStyle: () => ({ getPropertyValue: () => "" }),
    fetch: (url: string, init: any) => {
      fetches.push({ url, init });
      return respond(url, init) ?? new Promise(() => undefined);
    },
    require: (name: string) => {
      order.push(name);
      if (name === "photoshop") return photoshop;
      if (name === "uxp") return uxpModule;
      if (name === "os") return { platform: () => "darwin", release: () => "23.4.0" };
      throw new Error(`no module ${name} in this host`);
    },
  });
  uxpGlobal.window = uxpGlobal;
  uxpGlobal.self = uxpGlobal;
  uxpGlobal.globalThis = uxpGlobal;
  const context = vm.createContext(uxpGlobal);
  vm.runInContext(fs.readFileSync(bundlePath, "utf8"), context, { filename: "index.js" });
  return {
    clock,
    webview,
    win,
    root,
    fetches,
    order,
    uncaught,
    send(cmd, shape = "message") {
      const m = makeCommand(cmd);
      const payload = shape === "twice" ? JSON.stringify(JSON.stringify(m)) : m;
      webview.dispatch("message", shape === "data" ? { data: payload } : { message: payload });
    },
    repliesTo(id) {
      return webview.posted.filter((e) => e.replyTo === id);
    },
  };
}

function openPanel(h: Host): void {
  expect(fakeUxp.setupCalls).toHaveLength(1);
  fakeUxp.setupCalls[0].panels.infillPanel.create(h.root);
}

const noAnswer: Responder = () => null;

describe("the built host bundle in a UXP-like context", () => {
  it("accepts a panel command delivered in the element event's .message", async () => {
    host = load(noAnswer);
    openPanel(host);
    host.send({ type: "settings.get", id: "s1" });
    await host.clock.advance(10);
    const replies = host.repliesTo("s1");
    expect(replies.map((e) => e.type)).toEqual(["settings"]);
    expect(host.clock.errors).toEqual([]);
  });

  it("accepts a command that arrives JSON-encoded twice", async () => {
    host = load(noAnswer);
    openPanel(host);
    host.send({ type: "settings.get", id: "s2" }, "twice");
    await host.clock.advance(10);
    expect(host.repliesTo("s2").map((e) => e.type)).toEqual(["settings"]);
  });

  it("accepts a broker address", async () => {
    host = load(noAnswer);
    openPanel(host);
    host.send({ type: "settings.set", id: "u1", settings: { brokerUrl: "http://127.0.0.1:8765" } });
    await host.clock.advance(10);
    const replies = host.repliesTo("u1");
    expect(replies.map((e) => e.type)).toEqual(["settings"]);
    expect(replies[0].settings.brokerUrl).toBe("http://127.0.0.1:8765");
  });

  it("answers the connection test for an address that never responds", async () => {
    host = load(noAnswer);
    openPanel(host);
    host.send({ type: "connection.test", id: "t1" });
    await host.clock.advance(9000);
    const replies = host.repliesTo("t1");
    expect(replies.map((e) => e.type)).toEqual(["connection.result"]);
    expect(replies[0].result.diagnosis).toBe("unreachable");
    expect(host.fetches.map((f) => f.url)).toEqual(["http://127.0.0.1:8765/health"]);
  });

  it("waits between polls of a resumed job without addEventListener", async () => {
    const store = new DataFolderResultStore();
    await uxp.storage.secureStorage.setItem("infill.brokerKey", "k-123");
    const remoteId = "urn:infill:jobs:00000000-0000-4000-8000-000000000001";
    await store.putJob({
      jobId: "j1",
      updatedAt: 0,
      state: {
        jobId: "j1",
        kind: "generate",
        params: { kind: "generate", prompt: "a cat", variations: 1 } as any,
        docId: 1,
        docTitle: "Doc",
        phase: "running",
        startedAt: 0,
        variations: [],
      },
      request: {
        request: {
          version: 2,
          jobId: "j1",
          kind: "generate",
          params: { kind: "generate", prompt: "a cat", numVariations: 1 },
          docId: 1,
          docTitle: "Doc",
          docSize: { width: 100, height: 100 },
          capturedAt: 0,
          seeds: [1],
          blend: { bandPx: 0, toneMatch: false },
          groupName: "Infill Generate",
          historyName: "Infill: Generate",
          sendSize: { width: 1024, height: 1024 },
          cover: { target: { left: 0, top: 0, right: 100, bottom: 100 }, masked: false },
        },
        remote: { jobId: remoteId, submittedAt: 0 },
      },
    });
    host = load((url) => (url.includes("/v3/status/") ? Promise.resolve(jsonResponse(200, { jobId: remoteId, status: "running", progress: 10 })) : null));
    openPanel(host);
    await host.clock.advance(10000);
    const polls = host.fetches.filter((f) => f.url.includes("/v3/status/"));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(host.clock.errors).toEqual([]);
    expect(uncaught).toEqual([]);
  });

  it("calls entrypoints.setup before loading anything that touches Photoshop", async () => {
    host = load(noAnswer);
    expect(host.order).toEqual(["uxp", "setup"]);
    openPanel(host);
    await host.clock.advance(10);
    expect(host.order).toContain("photoshop");
  });

  it("runs the host check from Settings and saves its report", async () => {
    host = load(noAnswer);
    openPanel(host);
    host.send({ type: "hostcheck.run", id: "hc" });
    await host.clock.advance(4000);
    const replies = host.repliesTo("hc");
    expect(replies.map((e) => e.type)).toEqual(["hostcheck.report"]);
    const report = replies[0].report;
    expect(report.failed).toBe(0);
    expect(report.versions).toEqual({ photoshop: "26.0.0", uxp: "8.0.0", os: "darwin 23.4.0", plugin: "0.1.0" });
    const byId = Object.fromEntries(report.probes.map((p: any) => [p.id, p]));
    // What this context lacks shows as the branch taken.
    expect(byId["runtime.url"].observed).toBe("URL absent, URLSearchParams absent");
    expect(byId["runtime.abort-controller"].branch).toBe("checks `aborted` every 100 ms");
    expect(byId["runtime.fetch-abort"].observed).toBe("fetch ignores abort (no answer)");
    expect(byId["runtime.message-shape"].observed).toBe("message, object");
    expect(replies[0].savedAs).toBe("host-check.json");
    expect(JSON.parse(fakeUxp.readText("host-check.json")!).probes).toHaveLength(report.probes.length);
  });

  it("leaves the webview where the markup puts it", async () => {
    host = load(noAnswer);
    openPanel(host);
    await host.clock.advance(10);
    expect(host.root.children).toEqual([]);
    expect(host.webview.style.height).toBe("100vh");
  });
});
