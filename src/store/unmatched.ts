/**
 * People who wrote to the bot but are linked to nobody here: kept in Redis (a hash under the queue prefix, at
 * most 500, each with when it last wrote) for the admin's "link" list. Redis, not MongoDB: writing to the bot
 * never changes the school's data.
 */
import type { Redis } from 'ioredis';
import { redisConnection } from '../queue/redis.js';
import type { Runtime } from '../runtime.js';

export interface UnmatchedSender {
  platform: 'slack' | 'teams';
  /** Slack user id, or the Entra object id for Teams. */
  userId: string;
  /** The display name the platform gave, when it gives one (Teams). */
  name?: string;
  tenantId?: string;
  at: string;
}

export interface UnmatchedSenders {
  record(sender: UnmatchedSender): Promise<void>;
  list(): Promise<UnmatchedSender[]>;
  remove(platform: UnmatchedSender['platform'], userId: string): Promise<void>;
}

export const UNMATCHED_MAX = 500;

const perRuntime = new WeakMap<Runtime, UnmatchedSenders>();

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
  const key = `${runtime.config.QUEUE_PREFIX}:admin:unmatched`;
  const made: UnmatchedSenders = {
    async record(sender) {
      const field = `${sender.platform}:${sender.userId}`;
      const r = client();
      if (!(await r.hexists(key, field)) && (await r.hlen(key)) >= UNMATCHED_MAX) return;
      await r.hset(key, field, JSON.stringify(sender));
    },
    async list() {
      const all = await client().hvals(key);
      return all.map((v) => JSON.parse(v) as UnmatchedSender).sort((a, b) => b.at.localeCompare(a.at));
    },
    async remove(platform, userId) {
      await client().hdel(key, `${platform}:${userId}`);
    },
  };
  perRuntime.set(runtime, made);
  return made;
}
