/**
 * The `outlook` queue: each session change (every one is audited, `src/app/effects.ts`) becomes a job that
 * puts the session's Outlook event in step (`syncOutlookEvent`), never in the request path. Jobs are retried
 * with back-off; a job run twice does nothing twice (see `src/app/outlook.ts`).
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { syncOutlookEvent } from '../app/outlook.js';
import type { AppDeps, OutlookCalendar, OutlookSync } from '../app/ports.js';
import { redisConnection } from './redis.js';

export const OUTLOOK_QUEUE = 'outlook';

export interface OutlookQueue extends OutlookSync {
  close(): Promise<void>;
}

export function startOutlookSync(options: { redisUrl: string; prefix: string; deps: AppDeps; calendar: OutlookCalendar; logger: Logger; workers: boolean; concurrency?: number }): OutlookQueue {
  const { deps, calendar, logger } = options;
  const connections: Redis[] = [];
  const conn = () => {
    const c = redisConnection(options.redisUrl);
    c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error (outlook)'));
    connections.push(c);
    return c;
  };
  const queue = new Queue(OUTLOOK_QUEUE, { connection: conn(), prefix: options.prefix });
  const worker = options.workers
    ? new Worker(OUTLOOK_QUEUE, async (job) => syncOutlookEvent(deps, calendar, (job.data as { sessionId: string }).sessionId, logger), {
        connection: conn(),
        prefix: options.prefix,
        concurrency: options.concurrency ?? 4,
      })
    : undefined;
  worker?.on('failed', (job, error) => logger.warn({ sessionId: (job?.data as { sessionId?: string } | undefined)?.sessionId, attempts: job?.attemptsMade, err: error.name }, 'outlook sync failed'));
  const jobOptions = { attempts: 12, backoff: { type: 'exponential' as const, delay: 2_000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
  return {
    async changed(sessionId: string) {
      await queue.add('session', { sessionId }, jobOptions);
    },
    async changedMany(sessionIds: string[]) {
      for (let i = 0; i < sessionIds.length; i += 500) {
        await queue.addBulk(sessionIds.slice(i, i + 500).map((sessionId) => ({ name: 'session', data: { sessionId }, opts: jobOptions })));
      }
    },
    async close() {
      await worker?.close();
      await queue.close();
      for (const c of connections) await c.quit().catch(() => c.disconnect());
    },
  };
}
