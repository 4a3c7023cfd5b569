/**
 * Sliding-window rate limits as a platform enforces them: each key may have at most `limit` accepted requests
 * in any `windowMs`. The rate-limited stand-ins for Slack and Teams use it to answer 429 with `Retry-After`.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

export class SlidingWindows {
  private readonly events = new Map<string, number[]>();
  private readonly longest: number;

  constructor(readonly windows: Window[]) {
    this.longest = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  /** Milliseconds until `key` may make a request (0: now). */
  wait(key: string, now = Date.now()): number {
    const times = this.events.get(key);
    if (!times) return 0;
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= now - this.longest) drop++;
    if (drop > 0) times.splice(0, drop);
    let wait = 0;
    for (const w of this.windows) {
      if (times.length < w.limit) continue;
      const oldest = times[times.length - w.limit] as number;
      if (oldest > now - w.windowMs) wait = Math.max(wait, oldest + w.windowMs - now);
    }
    return wait;
  }

  record(key: string, now = Date.now()): void {
    const times = this.events.get(key) ?? [];
    times.push(now);
    this.events.set(key, times);
  }
}

/** `Retry-After` in whole seconds, as both platforms send it (at least 1). */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

/**
 * Holds a stand-in's incoming requests for a moment: while held, requests are parked unanswered; on release each
 * is handled as if it had arrived when it did (`res.locals.at`), unless its sender has gone meanwhile (its
 * connection closed: the request never reached the platform). A test kills a worker while the stand-ins hold,
 * so that the kill lands between two sends and not between a platform's answer and the bot's delivered mark.
 */
export interface Hold {
  middleware(req: { socket: { destroyed: boolean; readableEnded: boolean } }, res: { locals: Record<string, unknown> }, next: () => void): void;
  hold(): void;
  release(): number;
  /** Requests whose sender went away while they were parked. */
  readonly dropped: number;
}

export function createHold(): Hold {
  let held = false;
  let dropped = 0;
  const parked: Array<{ req: { socket: { destroyed: boolean; readableEnded: boolean } }; next: () => void }> = [];
  return {
    middleware(req, res, next) {
      res.locals.at = Date.now();
      if (held) parked.push({ req, next });
      else next();
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      let handled = 0;
      for (const p of parked.splice(0)) {
        // gone: closed, or its sender's end of the connection shut (a killed process's socket, not yet destroyed here)
        if (p.req.socket.destroyed || p.req.socket.readableEnded) dropped++;
        else {
          handled++;
          p.next();
        }
      }
      return handled;
    },
    get dropped() {
      return dropped;
    },
  };
}
