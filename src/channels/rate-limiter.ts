/**
 * Paces sends to a platform's published rate limits so that the bot waits for a free slot instead of being
 * answered 429 — across every worker process of a deployment, not per process. The windows live in Redis:
 * one sorted set per key (a platform's tenant, workspace, method or conversation) holding the instants of the
 * sends reserved in it, and a send's slot is reserved in every key it counts against by one Lua script, so any
 * number of processes together keep each limit and queue in order. Time is Redis's own (`TIME`), so processes
 * on machines whose clocks differ still agree on a window.
 *
 * Sliding windows: each key may have at most `limit` sends in any `windowMs`. A request reaches the platform some
 * milliseconds after its slot, and uneven delays would put one request too many in the platform's window now and
 * then. `take` widens each window by a margin for it (1 % of the window, at least 60 ms); `takeSettled` instead
 * moves each send to the instant its answer came, after it arrived, so no delay can (Teams, whose 429s hold a
 * whole tenant for a second). That instant is read by the sender as the answer comes, in Redis time by the most
 * the two clocks can differ, so a send holds its place for its round trip and no longer.
 *
 * Nothing is held without a time limit: every window's set expires once its newest reservation is older than
 * its longest window, so a worker that dies (kill -9) leaves at most the slots it had reserved, which pass as
 * their instants pass. `pause(key, ms)` — a platform's `Retry-After` — holds that key for every process; a
 * reservation made before the pause is moved past it when its time comes.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** One key a send counts against, with that key's windows. */
export interface PacedKey {
  /** e.g. `teams:tenant:<id>`, `slack:<workspace>:chat.postMessage`, `teams:conversation:<id>`. */
  key: string;
  windows: RateWindow[];
}

/** How late a slot may be used before it is given back. */
const LATE_MS = 50;

/**
 * KEYS: per paced key its window set and its pause key. ARGV: the reservation's member, the lateness allowed,
 * '1' to use (or move) a reservation made before, the number of keys, then per key its window count and each
 * window's limit and length. Returns the milliseconds to wait for the reserved slot (0: send now), the
 * slot's instant and the script's own instant (Redis time, ms).
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = ARGV[1]
local late = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
local windows, longest = {}, {}
local p = 5
for i = 1, n do
  local c = tonumber(ARGV[p]); p = p + 1
  local ws, lg = {}, 0
  for j = 1, c do
    local limit, ms = tonumber(ARGV[p]), tonumber(ARGV[p + 1]); p = p + 2
    ws[j] = { limit, ms }
    if ms > lg then lg = ms end
  end
  windows[i] = ws; longest[i] = lg
end
local paused = 0
for i = 1, n do
  local v = redis.call('GET', KEYS[2 * i])
  if v and tonumber(v) > paused then paused = tonumber(v) end
end
if ARGV[3] == '1' then
  local at = redis.call('ZSCORE', KEYS[1], member)
  if at then
    at = tonumber(at)
    if paused <= at then
      if at > now then return { at - now, at, now } end
      if now - at <= late then return { 0, at, now } end
    end
  end
  for i = 1, n do redis.call('ZREM', KEYS[2 * i - 1], member) end
end
local next = math.max(now, paused)
for i = 1, n do
  local set = KEYS[2 * i - 1]
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now - longest[i])
  local last = redis.call('ZRANGE', set, -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) > next then next = tonumber(last[2]) end
end
local moved = true
while moved do
  moved = false
  for i = 1, n do
    local set = KEYS[2 * i - 1]
    local card = redis.call('ZCARD', set)
    for _, w in ipairs(windows[i]) do
      if card >= w[1] then
        local kth = redis.call('ZRANGE', set, card - w[1], card - w[1], 'WITHSCORES')
        local s = tonumber(kth[2])
        if s > next - w[2] then next = s + w[2]; moved = true end
      end
    end
  end
end
for i = 1, n do
  redis.call('ZADD', KEYS[2 * i - 1], next, member)
  redis.call('PEXPIRE', KEYS[2 * i - 1], next - now + longest[i] + 1000)
end
return { next - now, next, now }
`;

/** KEYS: the pause key. ARGV: milliseconds. Extends a pause, never shortens one. */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local cur = redis.call('GET', KEYS[1])
if (not cur) or tonumber(cur) < now + ms then redis.call('SET', KEYS[1], now + ms, 'PX', ms) end
return ms
`;

/**
 * KEYS: the window sets of a send's keys. ARGV: the reservation's member, the sets' time to live, and the latest
 * the answer can have come in Redis time (the caller's clock at the answer, moved by the most the two clocks can
 * differ). Moves the send to that instant, or to now if earlier, when later than its slot: the platform counted
 * it when it arrived, which was before either.
 */
const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local answered = math.min(now, tonumber(ARGV[3]))
for i = 1, #KEYS do
  local at = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if at and tonumber(at) < answered then
    redis.call('ZADD', KEYS[i], 'XX', answered, ARGV[1])
    if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  end
end
return answered
`;

type PacingCommands = {
  paceTake(numKeys: number, ...args: Array<string | number>): Promise<[number, number, number]>;
  pacePause(key: string, ms: number): Promise<number>;
  paceSettle(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

/** For sends counted from their slot: the window widened by 1 % (at least 60 ms) for the way to the platform. */
const widen = (w: RateWindow): RateWindow => ({ limit: w.limit, windowMs: w.windowMs + Math.max(60, Math.ceil(w.windowMs / 100)) });
/** For sends settled when answered (`takeSettled`): only the millisecond the two clocks may round apart. */
const widenSettled = (w: RateWindow): RateWindow => ({ limit: w.limit, windowMs: w.windowMs + 2 });

export class RateLimiter {
  private readonly redis: Redis & PacingCommands;
  private readonly owner = randomUUID().slice(0, 8);
  private taken = 0;

  /** `redis` is shared with the caller (not closed here); `prefix` keeps deployments on one Redis apart. */
  constructor(redis: Redis, private readonly prefix: string) {
    if (!('paceTake' in redis)) {
      redis.defineCommand('paceTake', { lua: TAKE });
      redis.defineCommand('pacePause', { numberOfKeys: 1, lua: PAUSE });
      redis.defineCommand('paceSettle', { lua: SETTLE });
    }
    this.redis = redis as Redis & PacingCommands;
  }

  private setKey(key: string): string {
    return `${this.prefix}:pace:${key}`;
  }

  private pauseKey(key: string): string {
    return `${this.prefix}:pace-pause:${key}`;
  }

  /**
   * Reserves the next slot free in every key at once and resolves when it comes. A slot that comes round late
   * (a busy event loop) is given back and a new one taken: sends held up together and then let go at once would
   * arrive as a burst the platform counts in one window. A pause set meanwhile moves the slot past it.
   * Resolves with the slot's instant (Redis time, ms since the epoch).
   */
  async take(keys: PacedKey[]): Promise<number> {
    return (await this.reserve(keys, `${this.owner}:${++this.taken}`, widen)).slot;
  }

  /**
   * As `take`, for a send whose answer is awaited: resolves when the slot comes with `settle`, to be called once
   * the platform has answered (or failed), which moves the send in every window from its slot to that instant.
   * The platform counts a request when it arrives, which is after its slot by however long the way took — a
   * busy event loop, a connection being opened — and different for each; counted from their answers instead,
   * no delay can put one request too many in the platform's window, so no margin for it is needed (P7: sends
   * paced from their slots with 60 ms to spare still met 429s, each of which holds a Teams tenant a second).
   */
  async takeSettled(keys: PacedKey[]): Promise<() => Promise<void>> {
    const member = `${this.owner}:${++this.taken}`;
    const { clockAhead } = await this.reserve(keys, member, widenSettled);
    if (keys.length === 0) return async () => undefined;
    const sets = keys.map((k) => this.setKey(k.key));
    const keep = Math.max(...keys.flatMap((k) => k.windows.map((w) => w.windowMs))) + 1000;
    return async () => {
      // the answer's instant is read here, as it comes, not when the settling script runs a round trip (and a
      // busy event loop's wait) later: the send holds its place in the windows only as long as it took (P5)
      const answered = Date.now() + clockAhead;
      await this.redis.paceSettle(sets.length, ...sets, member, keep, answered);
    };
  }

  /**
   * Resolves with the slot's instant and how far Redis's clock can be ahead of this process's at most: the
   * script ran after it was sent, so Redis's instant then, less this process's clock when sending, bounds it.
   */
  private async reserve(keys: PacedKey[], member: string, margin: (w: RateWindow) => RateWindow): Promise<{ slot: number; clockAhead: number }> {
    if (keys.length === 0) return { slot: Date.now(), clockAhead: 0 };
    const redisKeys = keys.flatMap((k) => [this.setKey(k.key), this.pauseKey(k.key)]);
    const windows = keys.flatMap((k) => {
      const ws = k.windows.map(margin);
      return [ws.length, ...ws.flatMap((w) => [w.limit, w.windowMs])];
    });
    let confirm = '0';
    for (;;) {
      const sentAt = Date.now();
      const [wait, slot, now] = await this.redis.paceTake(redisKeys.length, ...redisKeys, member, LATE_MS, confirm, keys.length, ...windows);
      if (wait <= 0) return { slot, clockAhead: now - sentAt };
      await new Promise((r) => setTimeout(r, wait));
      confirm = '1';
    }
  }

  /** Holds `key` for `ms` in every process (a platform's Retry-After). */
  async pause(key: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.redis.pacePause(this.pauseKey(key), Math.ceil(ms));
  }
}
