// Deadlines for upstream exchanges. A status poll's exchange takes about a millisecond against a
// 30-second limit, so a timer of its own (a Timeout object in Node's timer lists, armed and
// disarmed in libuv) is work done for nothing nearly every time. Long deadlines instead join a
// set that one coarse sweep looks at, firing at most one sweep late; short ones keep a timer.

export interface Deadline {
  cancel(): void;
}

export interface Deadlines {
  /** Call `fire` once, `ms` from now (or up to one sweep later), unless cancelled first. */
  after(ms: number, fire: () => void): Deadline;
  /** Whether the sweep is running (it stops after a second with nothing to watch). */
  sweeping(): boolean;
}

class Swept implements Deadline {
  constructor(
    readonly at: number,
    readonly fire: () => void,
    private readonly pending: Set<Swept>,
  ) {}

  cancel(): void {
    this.pending.delete(this);
  }
}

/** Deadlines swept every `sweepMs`; those shorter than ten sweeps get a timer of their own. */
export function createDeadlines(sweepMs: number): Deadlines {
  const pending = new Set<Swept>();
  let sweeper: NodeJS.Timeout | undefined;
  let idleSweeps = 0;
  const idleLimit = Math.ceil(1000 / sweepMs);

  const sweep = () => {
    if (pending.size === 0) {
      if (++idleSweeps >= idleLimit) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
      return;
    }
    idleSweeps = 0;
    const now = performance.now();
    for (const d of pending) {
      if (now >= d.at) {
        pending.delete(d);
        d.fire();
      }
    }
  };

  return {
    after(ms, fire) {
      if (ms < 10 * sweepMs) {
        const timer = setTimeout(fire, ms);
        return { cancel: () => clearTimeout(timer) };
      }
      const d = new Swept(performance.now() + ms, fire, pending);
      pending.add(d);
      idleSweeps = 0;
      // Unref'd: an exchange in flight holds its socket, which keeps the process alive.
      sweeper ??= setInterval(sweep, sweepMs).unref();
      return d;
    },
    sweeping: () => sweeper !== undefined,
  };
}

/** The broker's upstream deadlines: swept four times a second (timeouts of 2.5 s and more). */
export const upstreamDeadlines = createDeadlines(250);
