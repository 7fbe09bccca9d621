// A memory budget shared by the running tasks: `acquire(bytes)` waits (first come, first served)
// until the bytes fit beside what is held, then hands back a release function. A request larger
// than the whole budget runs alone, so nothing waits forever.

export class MemoryBudget {
  private held = 0;
  private peakHeld = 0;
  private readonly waiting: { bytes: number; grant: () => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(readonly totalBytes: number) {}

  acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
    return new Promise((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = {
        bytes,
        signal,
        grant: () => {
          if (entry.onAbort) signal?.removeEventListener("abort", entry.onAbort);
          this.held += bytes;
          this.peakHeld = Math.max(this.peakHeld, this.held);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.held -= bytes;
            this.grantWaiting();
          });
        },
      };
      if (signal) {
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason ?? new Error("aborted"));
          this.grantWaiting();
        };
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
      this.grantWaiting();
    });
  }

  stats(): { heldBytes: number; peakHeldBytes: number; waiting: number } {
    return { heldBytes: this.held, peakHeldBytes: this.peakHeld, waiting: this.waiting.length };
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (this.held > 0 && this.held + next.bytes > this.totalBytes) return;
      this.waiting.shift();
      next.grant();
    }
  }
}
