// The attacks of the abuse bench (bench/abuse/run.ts), each run until `stop()` says so, against
// the broker at `url`, from 127.0.0.2 (the many-address flood from 127.0.1.1–64). Run in a process of their own (attacker.ts), so the
// honest client's measured polls do not share an event loop with the attack's work.

import * as net from "net";

export const ATTACKER = "ifk_bench_attacker_0123456789abcdefghijk";
const ATTACK_FROM = "127.0.0.2";
/** The first bytes of a PNG: enough for the broker's magic-number check. */
const PNG_START = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

interface Target {
  url: URL;
  /** Connections opened so far (the attack's intensity, reported with the figures). */
  opened: number;
}

/** A raw connection from the attackers' address (or `from`), errors ignored. */
function rawSocket(t: Target, from = ATTACK_FROM): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: t.url.hostname, port: Number(t.url.port), localAddress: from });
    s.on("error", () => resolve(undefined));
    s.once("connect", () => {
      t.opened++;
      resolve(s);
    });
  });
}

const uploadHead = (t: Target, length: number) =>
  `POST /v2/storage/image HTTP/1.1\r\nhost: ${t.url.host}\r\nauthorization: Bearer ${ATTACKER}\r\ncontent-type: image/png\r\ncontent-length: ${length}\r\n\r\n`;

/** Run `open` in `n` loops until `stop` says so: each opens one hostile connection and waits for it to end. */
async function loops(n: number, stop: () => boolean, open: () => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (!stop()) await open();
    }),
  );
}

/**
 * Start `open` `perSecond` times a second, whatever the broker answers (so two brokers meet the
 * same offered load), with at most `maxOpen` unfinished at once (an attempt due beyond that is
 * skipped), until `stop` says so; resolves once every one has ended.
 */
async function atRate(perSecond: number, maxOpen: number, stop: () => boolean, open: () => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  const t0 = performance.now();
  let started = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (stop()) {
        clearInterval(tick);
        resolve();
        return;
      }
      const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
      for (; started < due; started++) {
        if (running.size >= maxOpen) continue;
        const one: Promise<void> = open().finally(() => running.delete(one));
        running.add(one);
      }
    }, 10);
  });
  await Promise.all(running);
}

/** Resolves when the socket closes, or when the attack stops (then the socket is destroyed). */
function closedOrStopped(s: net.Socket, stopped: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    s.once("close", () => resolve());
    void stopped.then(() => {
      s.destroy();
      resolve();
    });
  });
}

/** An attack: `run` goes on until `stop()` says so (also told by `stopped` resolving) and resolves once every loop has ended. */
export type Attack = { name: string; run: (t: Target, stop: () => boolean, stopped: Promise<void>) => Promise<void> };

export const ATTACKS: Attack[] = [
  {
    name: "aborted uploads",
    run: (t, stop) =>
      atRate(2000, 256, stop, async () => {
        const s = await rawSocket(t);
        if (!s) return;
        s.write(uploadHead(t, 1 << 20));
        s.write(PNG_START);
        await new Promise((r) => setTimeout(r, 5));
        s.destroy();
      }),
  },
  {
    name: "slow uploads",
    run: (t, stop, stopped) =>
      loops(64, stop, async () => {
        const s = await rawSocket(t);
        if (!s) return;
        s.write(uploadHead(t, 15 * 1024 * 1024));
        s.write(PNG_START);
        const drip = setInterval(() => s.writable && s.write(Buffer.alloc(1024, 1)), 200);
        await closedOrStopped(s, stopped);
        clearInterval(drip);
        // A refused one (429, 413) comes back after a short wait, as a persistent client would.
        await new Promise((r) => setTimeout(r, 50));
      }),
  },
  {
    name: "/health trickle",
    run: (t, stop, stopped) =>
      atRate(1000, 500, stop, async () => {
        const s = await rawSocket(t);
        if (!s) return;
        s.write(`GET /health HTTP/1.1\r\nhost: ${t.url.host}\r\ncontent-length: 1000000000000\r\n\r\nx`);
        const drip = setInterval(() => s.writable && s.write("x"), 1000);
        await closedOrStopped(s, stopped);
        clearInterval(drip);
      }),
  },
  {
    name: "idle connections",
    run: async (t, _stop, stopped) => {
      const socks = (await Promise.all(Array.from({ length: 2000 }, () => rawSocket(t)))).filter((s): s is net.Socket => !!s);
      await Promise.all(socks.map((s) => closedOrStopped(s, stopped)));
    },
  },
  {
    name: "many-address flood",
    run: async (t, _stop, stopped) => {
      const socks = (await Promise.all(Array.from({ length: 3000 }, (_, i) => rawSocket(t, `127.0.1.${1 + (i % 64)}`)))).filter((s): s is net.Socket => !!s);
      await Promise.all(socks.map((s) => closedOrStopped(s, stopped)));
    },
  },
];
