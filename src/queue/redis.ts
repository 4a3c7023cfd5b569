/** Redis connections for BullMQ: workers need `maxRetriesPerRequest: null` to wait out a Redis restart. */
import { Redis, type RedisOptions } from 'ioredis';

export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** BullMQ job ids: no ':' and nothing that could be read as a number. */
export function jobIdFor(id: string): string {
  return `j-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 250);
}
