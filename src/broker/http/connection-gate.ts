// Which new client connections to keep: the caps per client address and in total, the pace of new
// connections per address and in total (token buckets), and, at the total cap, which idle
// connection gives way to a newcomer. Plain bookkeeping on a clock it is given; the sockets are
// opaque values (http/connections.ts wires it to a server).

/** Why a connection was closed by the gate. */
export type RefusedWhy = "per_address" | "total" | "rate" | "total_rate" | "evicted";

export interface GateLimits {
  /** Open connections from one client address. */
  perAddress: number;
  /** Open connections in all. */
  total: number;
  /** New connections one client address may open per second, on average, and at once above that. */
  newPerAddressPerSecond: number;
  newPerAddressBurst: number;
  /** New connections all addresses together may open per second, on average, and at once above that. */
  newTotalPerSecond: number;
  newTotalBurst: number;
}

/**
 * An address that carried keyed traffic this recently is known: its new connections are not
 * charged to the total pace (a flood from many addresses cannot lock out the people using the
 * broker), and its state is kept that long.
 */
export const KNOWN_FOR_MS = 10 * 60_000;

/** A token bucket: `tokens` as of `at` (ms). */
interface Bucket {
  tokens: number;
  at: number;
}

/** Bring `b` up to time `t` at `perSecond`, at most `burst`; whether a whole token is there. */
function refill(b: Bucket, t: number, perSecond: number, burst: number): boolean {
  if (t > b.at) {
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) * perSecond) / 1000);
    b.at = t;
  }
  return b.tokens >= 1;
}

/** One open connection. */
export interface Conn<S> {
  socket: S;
  address: AddressState<S>;
  /** Requests being answered on it now (it is making progress). */
  busy: number;
  /** It has carried a request with a valid broker key. */
  keyed: boolean;
  /** Since when it has been idle (ms): its opening, or the end of its last request. */
  idleSince: number;
}

/** One client address: its open connections (in the order they opened) and its allowance of new ones. */
export interface AddressState<S> {
  key: string;
  conns: Set<Conn<S>>;
  bucket: Bucket;
  /** When it last carried keyed traffic (ms), or -Infinity. */
  keyedAt: number;
}

export type Admission<S> = { admitted: true; evict?: Conn<S> } | { admitted: false; why: RefusedWhy };

export class ConnectionGate<S> {
  private readonly byAddress = new Map<string, AddressState<S>>();
  private readonly total: Bucket;
  private open = 0;
  private sweptAt: number;
  /** How long an empty allowance takes to fill (a second when pacing is off: Infinity / Infinity). */
  private readonly refillMs: number;

  constructor(
    private readonly l: GateLimits,
    private readonly now: () => number,
  ) {
    const t = now();
    this.sweptAt = t;
    this.total = { tokens: l.newTotalBurst, at: t };
    this.refillMs = Math.max((l.newPerAddressBurst / l.newPerAddressPerSecond) * 1000 || 1_000, (l.newTotalBurst / l.newTotalPerSecond) * 1000 || 1_000);
  }

  /** Connections open now. */
  get openCount(): number {
    return this.open;
  }

  /** Addresses remembered now (open connections, an allowance still filling, or known). */
  get addressCount(): number {
    return this.byAddress.size;
  }

  /**
   * Whether a new connection from client address `key` is kept, and if so, which idle connection
   * (if any) must be closed to make room for it. Call `add` for a kept one.
   */
  admit(key: string): Admission<S> {
    const t = this.now();
    this.sweep(t);
    let a = this.byAddress.get(key);
    if (!a) this.byAddress.set(key, (a = { key, conns: new Set(), bucket: { tokens: this.l.newPerAddressBurst, at: t }, keyedAt: -Infinity }));
    if (a.conns.size >= this.l.perAddress) return { admitted: false, why: "per_address" };
    if (!refill(a.bucket, t, this.l.newPerAddressPerSecond, this.l.newPerAddressBurst)) return { admitted: false, why: "rate" };
    const known = t - a.keyedAt < KNOWN_FOR_MS;
    if (!refill(this.total, t, this.l.newTotalPerSecond, this.l.newTotalBurst) && !known) return { admitted: false, why: "total_rate" };
    let evict: Conn<S> | undefined;
    if (this.open >= this.l.total) {
      evict = this.victimFor(a);
      if (!evict) return { admitted: false, why: "total" };
    }
    a.bucket.tokens -= 1;
    if (!known) this.total.tokens -= 1;
    return { admitted: true, evict };
  }

  /** Register a connection `admit` kept. */
  add(key: string, socket: S): Conn<S> {
    const a = this.byAddress.get(key)!;
    const c: Conn<S> = { socket, address: a, busy: 0, keyed: false, idleSince: this.now() };
    a.conns.add(c);
    this.open++;
    return c;
  }

  /** The connection has closed. */
  remove(c: Conn<S>): void {
    if (!c.address.conns.delete(c)) return;
    this.open--;
  }

  /** A request started on `c`. */
  requestStarted(c: Conn<S>): void {
    c.busy++;
  }

  /** A request on `c` has ended; `keyed` when it carried a valid broker key. */
  requestEnded(c: Conn<S>, keyed: boolean): void {
    const t = this.now();
    c.busy = Math.max(0, c.busy - 1);
    c.idleSince = t;
    if (keyed) {
      c.keyed = true;
      c.address.keyedAt = t;
    }
  }

  /**
   * The connection that gives way to a newcomer from `a` at the total cap: the one idle longest
   * (no request in progress, never keyed) of the address holding the most connections, when that
   * address holds more than `a` does. Keyed connections and ones making progress are kept.
   */
  private victimFor(a: AddressState<S>): Conn<S> | undefined {
    let most: AddressState<S> | undefined;
    for (const b of this.byAddress.values()) if (b.conns.size > (most?.conns.size ?? a.conns.size) && this.idleOf(b)) most = b;
    return most && this.idleOf(most);
  }

  /** The connection of `b` idle longest, if any is idle and unkeyed. */
  private idleOf(b: AddressState<S>): Conn<S> | undefined {
    let oldest: Conn<S> | undefined;
    for (const c of b.conns) if (c.busy === 0 && !c.keyed && (!oldest || c.idleSince < oldest.idleSince)) oldest = c;
    return oldest;
  }

  /** Forget addresses with nothing open, a full allowance and no recent keyed traffic (at most once per refill time). */
  private sweep(t: number): void {
    if (t - this.sweptAt < this.refillMs) return;
    this.sweptAt = t;
    for (const [key, a] of this.byAddress)
      if (a.conns.size === 0 && t - a.bucket.at >= this.refillMs && t - a.keyedAt >= KNOWN_FOR_MS) this.byAddress.delete(key);
  }
}
