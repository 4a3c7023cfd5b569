/**
 * The retention review, once a day (a BullMQ job scheduler: one schedule however many workers run): lists, for
 * every school, the records that have reached the end of their retention period and tells the DSL and deputies
 * of new ones (`reviewRetention`). It never destroys anything: the DSL approves each destruction.
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { AppDeps } from '../app/ports.js';
import { reviewRetention } from '../app/retention.js';
import { redisConnection } from './redis.js';

export interface RetentionReview {
  /** Runs the review now (as the daily job does). */
  runOnce(): Promise<{ organisations: number; due: number; told: number }>;
  close(): Promise<void>;
}

/** 06:30 London time: before the school day, after the night's imports. */
export const RETENTION_REVIEW_PATTERN = '30 6 * * *';

export async function startRetentionReview(options: { redisUrl: string; prefix: string; deps: AppDeps; logger: Logger }): Promise<RetentionReview> {
  const { deps, logger } = options;
  const queueConn = redisConnection(options.redisUrl);
  const workerConn = redisConnection(options.redisUrl);
  for (const c of [queueConn, workerConn]) c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const queue = new Queue('retention-review', { connection: queueConn, prefix: options.prefix });
  await queue.upsertJobScheduler('retention-review', { pattern: RETENTION_REVIEW_PATTERN, tz: 'Europe/London' }, { name: 'review', opts: { removeOnComplete: 10, removeOnFail: 50 } });
  const run = async () => {
    const result = await reviewRetention(deps);
    // counts only
    logger.info(result, 'retention review');
    return result;
  };
  const worker = new Worker('retention-review', run, { connection: workerConn, prefix: options.prefix, concurrency: 1 });
  worker.on('failed', (_job, e) => logger.warn({ err: e.message }, 'retention review failed; it runs again tomorrow'));
  return {
    runOnce: run,
    async close() {
      await worker.close();
      await queue.close();
      await Promise.all([queueConn, workerConn].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
