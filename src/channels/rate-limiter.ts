/**
 * Paces sends to a platform's published rate limits so that the bot waits for a free slot instead of being
 * answered 429. Sliding windows: each key (a conversation, a tenant, a workspace) may have at most `limit`
 * sends in any `windowMs`. A send's slot is reserved before it waits, so concurrent senders queue in order.
 *
 * Each window is widened by a small margin (1 % of the window, at least 60 ms): a request reaches the
 * platform a few milliseconds after it leaves, and uneven delays would otherwise put one request too many in
 * the platform's window now and then.
 */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** How late a slot may be used before it is given back. */
const LATE_MS = 50;

export class RateLimiter {
  private readonly events = new Map<string, number[]>();
  private readonly windows: RateWindow[];
  private readonly longest: number;
  private takes = 0;

  constructor(windows: RateWindow[]) {
    this.windows = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs + Math.max(60, Math.ceil(w.windowMs / 100)) }));
    this.longest = Math.max(0, ...this.windows.map((w) => w.windowMs));
  }

  /**
   * The earliest time at or after `at` (and after every slot reserved already, so sends keep their order)
   * at which every window has room for one more send.
   */
  private nextSlot(times: number[], at: number): number {
    let next = Math.max(at, times.at(-1) ?? at);
    for (let moved = true; moved; ) {
      moved = false;
      for (const w of this.windows) {
        // every reserved time is at or before `next`: the window is full when the limit-th latest is inside it
        const kth = times[times.length - w.limit];
        if (kth !== undefined && kth > next - w.windowMs) {
          next = kth + w.windowMs;
          moved = true;
        }
      }
    }
    return next;
  }

  /**
   * Reserves the next free slot for `key`; resolves when it comes. A slot that comes round late (a busy event
   * loop) is given back and a new one taken: sends held up together and then let go at once would arrive as a
   * burst the platform counts in one window.
   */
  async take(key: string): Promise<void> {
    if (++this.takes % 1_000 === 0) this.forgetIdle(Date.now());
    for (;;) {
      const now = Date.now();
      const times = this.events.get(key) ?? [];
      let drop = 0;
      while (drop < times.length && (times[drop] as number) <= now - this.longest) drop++;
      if (drop > 0) times.splice(0, drop);
      const at = this.nextSlot(times, now);
      times.push(at);
      this.events.set(key, times);
      if (at <= now) return;
      await new Promise((r) => setTimeout(r, at - now));
      if (Date.now() - at <= LATE_MS) return;
      const mine = times.lastIndexOf(at);
      if (mine >= 0) times.splice(mine, 1);
    }
  }

  /** Drops keys (conversations, people) with nothing in any window, so a large school's keys do not pile up. */
  private forgetIdle(now: number): void {
    for (const [key, times] of this.events) if ((times.at(-1) ?? 0) <= now - this.longest) this.events.delete(key);
  }
}
