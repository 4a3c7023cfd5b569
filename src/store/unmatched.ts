/**
 * People who wrote to the bot (Slack or Teams) but are linked to nobody here, for the admin's "Wrote to the
 * bot, not matched" list: kept in Redis under the queue prefix, so the process that took the message (a web
 * process for Teams, a worker for Slack) and the one serving the admin's list see the same entries. A hash holds
 * each sender (platform, user id, the name and email the platform gives, when they last wrote — never what they
 * wrote), at most 500; a sorted set scores each by when it last wrote (real time), and an entry not refreshed
 * for `UNMATCHED_TTL_MS` is dropped. Redis, not MongoDB: writing to the bot never changes the school's data.
 */
import type { Redis } from 'ioredis';
import { redisConnection } from '../queue/redis.js';
import type { Runtime } from '../runtime.js';

export interface UnmatchedSender {
  platform: 'slack' | 'teams';
  /** Slack user id, or the Entra object id for Teams. */
  userId: string;
  /** The display name the platform gave (Teams: on the activity; Slack: `users.info`). */
  name?: string;
  /** The email the platform gave (Slack's profile), to match them by eye. */
  email?: string;
  tenantId?: string;
  /** The Slack workspace they wrote from, where workspaces are installed: only its organisation's admin sees them. */
  teamId?: string;
  at: string;
}

export interface UnmatchedSenders {
  record(sender: UnmatchedSender): Promise<void>;
  /** Whether this sender is listed already (so a platform lookup for their name is made once). */
  has(platform: UnmatchedSender['platform'], userId: string): Promise<boolean>;
  list(): Promise<UnmatchedSender[]>;
  remove(platform: UnmatchedSender['platform'], userId: string): Promise<void>;
}

export const UNMATCHED_MAX = 500;
/** Thirty days since the sender last wrote. */
export const UNMATCHED_TTL_MS = 30 * 24 * 3600 * 1000;

const perRuntime = new WeakMap<Runtime, UnmatchedSenders>();

export function unmatchedKeys(prefix: string) {
  return { senders: `${prefix}:admin:unmatched`, seen: `${prefix}:admin:unmatched:seen` };
}

export function unmatchedSenders(runtime: Runtime): UnmatchedSenders {
  const known = perRuntime.get(runtime);
  if (known) return known;
  let redis: Redis | undefined;
  const client = () => {
    if (!redis) {
      redis = redisConnection(runtime.config.REDIS_URL ?? '');
      redis.on('error', (e) => runtime.logger.warn({ err: e.message }, 'redis connection error'));
      const r = redis;
      runtime.closers.push(async () => {
        await r.quit().catch(() => r.disconnect());
      });
    }
    return redis;
  };
  const { senders: key, seen } = unmatchedKeys(runtime.config.QUEUE_PREFIX);
  const ttlSeconds = Math.ceil(UNMATCHED_TTL_MS / 1000);
  /** Drops everyone who has not written for the time to live. */
  const prune = async (r: Redis) => {
    const old = await r.zrangebyscore(seen, '-inf', Date.now() - UNMATCHED_TTL_MS);
    if (old.length === 0) return;
    await r.multi().hdel(key, ...old).zrem(seen, ...old).exec();
  };
  const made: UnmatchedSenders = {
    async record(sender) {
      const field = `${sender.platform}:${sender.userId}`;
      const r = client();
      await prune(r);
      if (!(await r.hexists(key, field)) && (await r.hlen(key)) >= UNMATCHED_MAX) return;
      await r.multi().hset(key, field, JSON.stringify(sender)).zadd(seen, Date.now(), field).expire(key, ttlSeconds).expire(seen, ttlSeconds).exec();
    },
    async has(platform, userId) {
      const r = client();
      await prune(r);
      return (await r.hexists(key, `${platform}:${userId}`)) === 1;
    },
    async list() {
      const r = client();
      await prune(r);
      const all = await r.hvals(key);
      return all.map((v) => JSON.parse(v) as UnmatchedSender).sort((a, b) => b.at.localeCompare(a.at));
    },
    async remove(platform, userId) {
      const field = `${platform}:${userId}`;
      await client().multi().hdel(key, field).zrem(seen, field).exec();
    },
  };
  perRuntime.set(runtime, made);
  return made;
}
