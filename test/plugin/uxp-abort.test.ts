// Cancelling with UXP's AbortSignal (no addEventListener) and a fetch that ignores `signal`.
import { abortableSleep, withRetry } from "../../src/plugin/workflows/retry";
import { ABORT_CHECK_MS, raceAbort, withDeadline } from "../../src/plugin/broker-client/abort";
import { BrokerError, createBrokerClient } from "../../src/plugin/broker-client";
import { testConnection } from "../../src/plugin/settings";

/** An AbortController whose signal has only `aborted` (as UXP's reference page lists it). */
function bareController() {
  const signal = { aborted: false };
  return { signal: signal as unknown as AbortSignal, abort: () => void (signal.aborted = true) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe("waits", () => {
  it("abortableSleep resolves after its time with a signal that has no addEventListener", async () => {
    const c = bareController();
    let done = false;
    void abortableSleep(1000, c.signal).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("abortableSleep rejects soon after such a signal aborts", async () => {
    const c = bareController();
    const p = abortableSleep(60000, c.signal);
    const seen = p.then(
      () => "resolved",
      (e: Error) => e.message,
    );
    await jest.advanceTimersByTimeAsync(500);
    c.abort();
    await jest.advanceTimersByTimeAsync(ABORT_CHECK_MS);
    expect(await seen).toBe("aborted");
    expect(jest.getTimerCount()).toBe(0);
  });

  it("withRetry sleeps between attempts without abort events", async () => {
    const c = bareController();
    let calls = 0;
    const p = withRetry(
      async () => {
        if (++calls < 2) throw new BrokerError("network", "down", "", 0);
        return "ok";
      },
      c.signal,
      abortableSleep,
    );
    await jest.advanceTimersByTimeAsync(5000);
    expect(await p).toBe("ok");
    expect(calls).toBe(2);
  });
});

describe("requests", () => {
  const never = () => new Promise<Response>(() => undefined);

  it("raceAbort drops a late answer once the signal aborts", async () => {
    const c = bareController();
    let answer!: (v: string) => void;
    const p = raceAbort(new Promise<string>((r) => (answer = r)), c.signal);
    const seen = p.then(
      (v) => v,
      (e: Error) => `rejected ${e.name}`,
    );
    c.abort();
    await jest.advanceTimersByTimeAsync(ABORT_CHECK_MS);
    answer("late");
    expect(await seen).toBe("rejected AbortError");
  });

  it("withDeadline answers when the work ignores its signal", async () => {
    const p = withDeadline(8000, () => new Promise(() => undefined));
    const seen = p.then(
      () => "answered",
      (e: Error) => e.message,
    );
    await jest.advanceTimersByTimeAsync(8000);
    expect(await seen).toBe("no answer within 8 s");
  });

  it("the broker client's status and download are cancelled though fetch ignores the signal", async () => {
    const client = createBrokerClient({ baseUrl: "http://127.0.0.1:8765", key: "k", fetch: never as unknown as typeof fetch });
    const c = bareController();
    const status = client.status("j", c.signal).then(
      () => "answered",
      (e: BrokerError) => e.category,
    );
    const download = client.download("http://127.0.0.1:8765/v1/outputs/j/0?sig=x", c.signal).then(
      () => "answered",
      (e: BrokerError) => e.category,
    );
    c.abort();
    await jest.advanceTimersByTimeAsync(ABORT_CHECK_MS);
    expect(await status).toBe("cancelled");
    expect(await download).toBe("cancelled");
  });
});

describe("connection test", () => {
  it("a broker that answers /health and then never answers the key check: stopped answering, after the limit", async () => {
    const fetchFn = (async (url: string) => {
      if (url.endsWith("/health"))
        return { ok: true, status: 200, headers: { get: () => "application/json" }, text: async () => JSON.stringify({ mode: "firefly" }) };
      return new Promise(() => undefined);
    }) as unknown as typeof fetch;
    let result: unknown = null;
    void testConnection({ url: "http://127.0.0.1:8765", key: "k", fetch: fetchFn, timeoutMs: 8000 }).then((r) => (result = r));
    await jest.advanceTimersByTimeAsync(7999);
    expect(result).toBeNull();
    await jest.advanceTimersByTimeAsync(1);
    expect(result).toMatchObject({
      ok: false,
      diagnosis: "unreachable",
      message: "The broker at http://127.0.0.1:8765 stopped answering.",
      detail: "no answer within 8 s",
    });
  });
});
