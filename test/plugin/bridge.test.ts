import {
  bufferUntilListened,
  createPagePort,
  createPanelClient,
  createUxpThemeSource,
  createWebviewPort,
  themeFromColor,
  type MessageEventLike,
} from "../../src/plugin/bridge";
import { makeCommand, makeEvent, PROTOCOL_VERSION } from "../../src/common/protocol";

/** An event target that records listeners and dispatches plain event objects. */
class Target {
  id = "infill-ui";
  listeners = new Set<(e: MessageEventLike) => void>();
  posted: unknown[] = [];
  failPost = false;
  addEventListener(_t: "message", l: (e: MessageEventLike) => void) {
    this.listeners.add(l);
  }
  removeEventListener(_t: "message", l: (e: MessageEventLike) => void) {
    this.listeners.delete(l);
  }
  dispatch(e: MessageEventLike) {
    for (const l of [...this.listeners]) l(e);
  }
  postMessage(m: unknown) {
    if (this.failPost) throw new Error("not ready");
    this.posted.push(JSON.parse(JSON.stringify(m))); // the bridge JSON-stringifies and parses
  }
}

describe("UXP side: webview port", () => {
  test("every payload shape: data, message, plain, JSON once or twice; events without payload dropped", () => {
    const webview = new Target();
    const win = new Target();
    const got: unknown[] = [];
    createWebviewPort(webview, win).onMessage((m) => got.push(m));
    const cmd = (id: string) => makeCommand({ type: "jobs.list", id });
    win.dispatch({ data: cmd("d-plain") });
    win.dispatch({ data: JSON.stringify(cmd("d-once")) });
    win.dispatch({ data: JSON.stringify(JSON.stringify(cmd("d-twice"))) });
    webview.dispatch({ message: cmd("m-plain") });
    webview.dispatch({ message: JSON.stringify(cmd("m-once")) });
    webview.dispatch({ message: JSON.stringify(JSON.stringify(cmd("m-twice"))) });
    webview.dispatch({ data: null, message: cmd("m-after-null-data") });
    // Three levels of encoding are not decoded further: a string reaches the decoder, which drops it.
    webview.dispatch({ message: JSON.stringify(JSON.stringify(JSON.stringify(cmd("thrice")))) });
    webview.dispatch({});
    webview.dispatch({ data: undefined, message: undefined });
    win.dispatch({ data: null });
    expect(got).toEqual([
      cmd("d-plain"),
      cmd("d-once"),
      cmd("d-twice"),
      cmd("m-plain"),
      cmd("m-once"),
      cmd("m-twice"),
      cmd("m-after-null-data"),
      JSON.stringify(cmd("thrice")),
    ]);
  });

  test("plugin → page goes through webview.postMessage; a not-ready webview does not throw", () => {
    const webview = new Target();
    const logs: string[] = [];
    const port = createWebviewPort(webview, new Target(), (l) => logs.push(l));
    const ev = makeEvent({ type: "theme", theme: "dark", scheme: "dark" });
    port.post(ev);
    expect(webview.posted).toEqual([ev]);
    webview.failPost = true;
    expect(() => port.post(ev)).not.toThrow();
    expect(logs).toEqual(["webview not ready (Error)"]);
  });

  test("page → plugin arrives as window message events from the webview; handled once; other sources ignored", () => {
    const webview = new Target();
    const win = new Target();
    const port = createWebviewPort(webview, win);
    const got: unknown[] = [];
    const off = port.onMessage((m) => got.push(m));
    const hello = JSON.stringify(makeCommand({ type: "hello", id: "a" }));
    const e = { data: hello, source: webview, origin: "plugin:" };
    win.dispatch(e);
    webview.dispatch(e); // the same event seen on the element too
    win.dispatch({ data: hello, source: webview }); // a second copy of the same command id
    win.dispatch({ data: JSON.stringify(makeCommand({ type: "jobs.list", id: "b" })), source: { id: "another-webview" } }); // plainly another source
    webview.dispatch({ data: JSON.stringify(makeCommand({ type: "jobs.list", id: "c" })) }); // no source given: accepted
    win.dispatch({ data: JSON.stringify(makeCommand({ type: "jobs.list", id: "d" })), source: { tagName: "WEBVIEW" } }); // a wrapper of ours
    expect(got).toEqual([makeCommand({ type: "hello", id: "a" }), makeCommand({ type: "jobs.list", id: "c" }), makeCommand({ type: "jobs.list", id: "d" })]);
    off();
    expect(win.listeners.size + webview.listeners.size).toBe(0);
  });

  test("messages that arrive before the controller listens are replayed to it", () => {
    const webview = new Target();
    const win = new Target();
    const port = bufferUntilListened(createWebviewPort(webview, win));
    win.dispatch({ data: "early-1", source: webview });
    win.dispatch({ data: "early-2", source: webview });
    const got: unknown[] = [];
    port.onMessage((m) => got.push(m));
    win.dispatch({ data: "late", source: webview });
    expect(got).toEqual(["early-1", "early-2", "late"]);
  });
});

describe("page side", () => {
  function pageWindow() {
    const target = new Target();
    const timers: Array<() => void> = [];
    const win = Object.assign(target, {
      uxpHost: undefined as undefined | { postMessage(m: unknown): void },
      setTimeout: (fn: () => void) => void timers.push(fn),
    });
    return { win, timers };
  }

  test("commands wait for window.uxpHost, then go out in order as plain objects", () => {
    const { win, timers } = pageWindow();
    const client = createPanelClient(createPagePort(win));
    const id1 = client.send({ type: "hello" });
    const id2 = client.send({ type: "jobs.list", id: "mine" });
    expect(id2).toBe("mine");
    const sent: unknown[] = [];
    win.uxpHost = { postMessage: (m) => sent.push(m) };
    timers.shift()!();
    expect(sent).toEqual([
      { protocol: "infill", version: PROTOCOL_VERSION, type: "hello", id: id1 },
      { protocol: "infill", version: PROTOCOL_VERSION, type: "jobs.list", id: "mine" },
    ]);
    client.send({ type: "settings.get" });
    expect(sent).toHaveLength(3); // sent at once now
  });

  test("only valid host events reach the panel; foreign messages are dropped quietly", () => {
    const { win } = pageWindow();
    const client = createPanelClient(createPagePort(win));
    const events: unknown[] = [];
    const invalid: string[] = [];
    client.onEvent(
      (e) => events.push(e),
      (r) => invalid.push(r),
    );
    const theme = makeEvent({ type: "theme", theme: "light", scheme: "light" });
    win.dispatch({ data: theme });
    win.dispatch({ data: JSON.stringify(theme) });
    win.dispatch({ data: { source: "react-devtools" } }); // not ours
    win.dispatch({ data: { ...theme, version: 99 } });
    expect(events).toEqual([theme, theme]);
    expect(invalid).toEqual([expect.stringMatching(/^version_mismatch/)]);
  });
});

describe("theme", () => {
  test("from the UXP theme API when present, else from the host background colour", () => {
    expect(createUxpThemeSource({ theme: { getCurrent: () => "lightest" } }).current()).toBe("lightest");
    expect(createUxpThemeSource({ theme: { getCurrent: () => "weird" } }, () => "#f0f0f0").current()).toBe("lightest");
    expect(createUxpThemeSource({}, () => " #323232").current()).toBe("darkest");
    expect(createUxpThemeSource({}, () => "rgb(30, 30, 30)").current()).toBe("darkest");
    expect(createUxpThemeSource({}, () => "").current()).toBe("dark");
    expect(["#323232", "#535353", "#b8b8b8", "#f0f0f0", "nonsense"].map(themeFromColor)).toEqual(["darkest", "dark", "light", "lightest", null]);
  });

  test("theme changes are forwarded when the runtime reports them", () => {
    let fire: (t: unknown) => void = () => undefined;
    const source = createUxpThemeSource({
      theme: { getCurrent: () => "dark", onUpdated: { addListener: (f) => (fire = f), removeListener: () => undefined } },
    });
    const got: string[] = [];
    source.subscribe!((t) => got.push(t));
    fire("light");
    expect(got).toEqual(["light"]);
  });
});
