// The host bundle's entry under the fakes: entrypoints.setup once, the page's webview left in place and
// sized to the viewport, and the panel's hello answered through the webview bridge.
import type { fake as Fake } from "../fakes/photoshop";
import type { fakeUxp as FakeUxp } from "../fakes/uxp";
import { makeCommand, type ProtocolEvent } from "../../src/common/protocol";
import { flush as flushTurns } from "../support/turns";
const flush = () => flushTurns(10);

type Listener = (e: { data: unknown; source?: unknown }) => void;

class El {
  id = "";
  attrs: Record<string, string> = {};
  style: Record<string, string> = {};
  parentElement: El | null = null;
  children: El[] = [];
  listeners = new Set<Listener>();
  posted: unknown[] = [];
  constructor(readonly tagName: string) {}
  setAttribute(k: string, v: string) {
    this.attrs[k] = v;
  }
  appendChild(c: El) {
    if (c.parentElement) c.parentElement.children = c.parentElement.children.filter((x) => x !== c);
    c.parentElement = this;
    this.children.push(c);
    return c;
  }
  addEventListener(_t: string, l: Listener) {
    this.listeners.add(l);
  }
  removeEventListener(_t: string, l: Listener) {
    this.listeners.delete(l);
  }
  dispatch(e: { data: unknown; source?: unknown }) {
    for (const l of [...this.listeners]) l(e);
  }
  postMessage(m: unknown) {
    this.posted.push(JSON.parse(JSON.stringify(m)));
  }
}

function installDom(withWebview: boolean) {
  const body = new El("body");
  const webview = new El("webview");
  webview.id = "infill-ui";
  if (withWebview) body.appendChild(webview);
  const created: El[] = [];
  const g = globalThis as Record<string, unknown>;
  g.document = {
    documentElement: new El("html"),
    getElementById: (id: string) => [webview, ...created].find((e) => e.id === id && (e !== webview || withWebview)) ?? null,
    createElement: (tag: string) => {
      const e = new El(tag);
      created.push(e);
      return e;
    },
  };
  g.window = new El("window");
  g.getComputedStyle = () => ({ getPropertyValue: (n: string) => (n === "--uxp-host-background-color" ? "#535353" : "") });
  return { webview, created, win: g.window as El };
}

const consoleLog = jest.spyOn(console, "log").mockImplementation(() => undefined);

beforeEach(() => {
  consoleLog.mockClear();
});

afterAll(() => {
  const g = globalThis as Record<string, unknown>;
  delete g.document;
  delete g.window;
  delete g.getComputedStyle;
});

/** Loads the entry in a fresh module registry; returns the fakes that registry's entry uses. */
function loadEntry(before?: (f: typeof Fake) => void): { fake: typeof Fake; fakeUxp: typeof FakeUxp } {
  let out!: { fake: typeof Fake; fakeUxp: typeof FakeUxp };
  jest.isolateModules(() => {
    out = { fake: require("../fakes/photoshop").fake, fakeUxp: require("../fakes/uxp").fakeUxp };
    before?.(out.fake);
    require("../../src/plugin/main");
  });
  return out;
}

test("setup registers the manifest's panel once; create leaves the page's webview in place, sized to the viewport", async () => {
  const { webview } = installDom(true);
  const body = webview.parentElement;
  const { fakeUxp } = loadEntry();
  expect(fakeUxp.setupCalls).toHaveLength(1);
  const panels = fakeUxp.setupCalls[0].panels;
  expect(Object.keys(panels)).toEqual(["infillPanel"]); // the manifest's entrypoint id
  const root = new El("div");
  panels.infillPanel.create(root);
  expect(webview.parentElement).toBe(body);
  expect(root.children).toEqual([]);
  expect(webview.style).toMatchObject({ width: "100vw", height: "100vh" });
  await flush();
  panels.infillPanel.destroy(root);
  await flush();
});

test("without a webview in the page, one is created for plugin:/ui/index.html", async () => {
  const { created } = installDom(false);
  const { fakeUxp } = loadEntry();
  const root = new El("div");
  fakeUxp.setupCalls[0].panels.infillPanel.create(root);
  const wv = created.find((e) => e.tagName === "webview")!;
  expect(wv.attrs.src).toBe("plugin:/ui/index.html");
  expect(wv.parentElement).toBe(root);
  await flush();
  fakeUxp.setupCalls[0].panels.infillPanel.destroy(root);
  await flush();
});

test("the panel's hello is answered through the bridge, with the host theme", async () => {
  const { webview, win } = installDom(true);
  const { fakeUxp } = loadEntry((fake) => fake.addDocument({ width: 10, height: 10, title: "x.psd" }));
  const root = new El("div");
  fakeUxp.setupCalls[0].panels.infillPanel.create(root);
  await flush();
  win.dispatch({ data: JSON.stringify(makeCommand({ type: "hello", id: "h" })), source: webview });
  await flush();
  const events = webview.posted as ProtocolEvent[];
  expect(events.map((e) => e.type)).toEqual(["hello", "theme", "settings", "document.state", "documents", "jobs"]);
  expect(events[0]).toMatchObject({ replyTo: "h", hostApp: "photoshop", hostVersion: "26.0.0", pluginVersion: "0.1.0" });
  expect(events[1]).toMatchObject({ theme: "dark", scheme: "dark" });
  expect(events[2]).toMatchObject({ settings: { brokerUrl: "http://127.0.0.1:8765", hasKey: false } });
  // Settings entered in the panel: the key goes to secure storage and never comes back.
  win.dispatch({ data: JSON.stringify(makeCommand({ type: "settings.set", id: "s", settings: { brokerKey: "brk_live_123" } })), source: webview });
  await flush();
  expect(events[events.length - 1]).toMatchObject({ type: "settings", replyTo: "s", settings: { hasKey: true } });
  expect(JSON.stringify(webview.posted)).not.toContain("brk_live_123");
  expect(JSON.stringify(consoleLog.mock.calls)).not.toContain("brk_live_123");
  expect(consoleLog.mock.calls.map((c) => c[0])).toContain("[infill] command settings.set");
  fakeUxp.setupCalls[0].panels.infillPanel.destroy(root);
  await flush();
});
