// The file store's queue index: each owner's queued jobs in seq order, and the round-robin
// dispatch order computed from it without simulating the queue — claim, position and counts cost
// O(owners + log jobs), not a rebuild of the whole order. Same rule and formula as the Redis
// store's scripts (redis/scripts.ts).

/** One owner's queued jobs, ascending by seq (their dispatch order within the owner). */
type Line = { seq: number; id: string }[];

/** Index of the first entry with seq >= `seq`. */
function lowerBound(line: Line, seq: number): number {
  let lo = 0;
  let hi = line.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (line[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface QueuedJob {
  id: string;
  owner: string;
  seq: number;
}

export class QueueLines {
  /** Owners with at least one queued job. */
  private readonly lines = new Map<string, Line>();

  /** `served(owner)`: the serve number of the owner's last claim (0: never served). */
  constructor(private readonly served: (owner: string) => number) {}

  add(job: QueuedJob): void {
    let line = this.lines.get(job.owner);
    if (!line) this.lines.set(job.owner, (line = []));
    // New jobs have the highest seq (an append); a requeued one goes back to its place.
    if (!line.length || line[line.length - 1].seq < job.seq) line.push({ seq: job.seq, id: job.id });
    else line.splice(lowerBound(line, job.seq), 0, { seq: job.seq, id: job.id });
  }

  remove(job: QueuedJob): void {
    const line = this.lines.get(job.owner);
    if (!line) return;
    const i = lowerBound(line, job.seq);
    if (line[i]?.id === job.id) line.splice(i, 1);
    if (!line.length) this.lines.delete(job.owner);
  }

  count(owner: string): number {
    return this.lines.get(owner)?.length ?? 0;
  }

  byOwner(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [owner, line] of this.lines) out[owner] = line.length;
    return out;
  }

  /** The job round-robin sends next: the first of the owner served least recently (ties: the oldest head). */
  next(): string | undefined {
    let id: string | undefined;
    let bestServed = 0;
    let bestHead = 0;
    for (const [owner, line] of this.lines) {
      const s = this.served(owner);
      if (id === undefined || s < bestServed || (s === bestServed && line[0].seq < bestHead)) {
        id = line[0].id;
        bestServed = s;
        bestHead = line[0].seq;
      }
    }
    return id;
  }

  /**
   * 1-based place of a queued job in dispatch order. Owners are served in the order (last served,
   * head seq); once served an owner goes to the back, so the order is a fixed cycle: a job at rank
   * r of its owner's line comes after min(count, r) jobs of every other owner, plus one more job
   * of each owner ahead of its owner in the cycle that still has a job at rank r.
   */
  position(job: QueuedJob): number | undefined {
    const line = this.lines.get(job.owner);
    if (!line) return undefined;
    const rank = lowerBound(line, job.seq);
    if (line[rank]?.id !== job.id) return undefined;
    const myServed = this.served(job.owner);
    const myHead = line[0].seq;
    let pos = 1 + rank;
    for (const [owner, other] of this.lines) {
      if (owner === job.owner) continue;
      if (other.length > rank) {
        pos += rank;
        const s = this.served(owner);
        if (s < myServed || (s === myServed && other[0].seq < myHead)) pos++;
      } else {
        pos += other.length;
      }
    }
    return pos;
  }
}
