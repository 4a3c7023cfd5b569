/**
 * A queue worker in its own process, so a test can kill -9 it mid-job. Writes to the real store are
 * slowed by WRITE_DELAY_MS so that the kill lands while a job is in flight.
 */
import { randomUUID } from 'node:crypto';
import { AdjustableClock } from '../../src/app/clock.js';
import type { AppDeps } from '../../src/app/ports.js';
import { createLogger } from '../../src/logger.js';
import { startQueues } from '../../src/queue/queues.js';
import { connectStore } from '../../src/store/connection.js';

const env = process.env as Record<string, string>;
const store = await connectStore(env.MONGO_URL as string);
const clock = new AdjustableClock();
clock.set(new Date(env.CLOCK_AT as string));
const delay = Number(env.WRITE_DELAY_MS ?? '0');
const slow = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A) => {
  await new Promise((r) => setTimeout(r, delay));
  return fn(...a);
};
const records = { ...store.stores.records, replace: slow(store.stores.records.replace) };
const deps: AppDeps = { ...store.stores, records, clock, newId: () => randomUUID() };
await startQueues({
  redisUrl: env.REDIS_URL as string,
  prefix: env.PREFIX as string,
  deps,
  notifiers: [],
  logger: createLogger('silent'),
  concurrency: Number(env.CONCURRENCY ?? '5'),
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  sweepSeconds: 3600,
});
process.stdout.write('ready\n');
