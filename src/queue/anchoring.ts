/**
 * Signs every organisation's audit chain head at an interval: a BullMQ job scheduler (one schedule however
 * many workers run), whose job anchors each organisation whose head has moved since its last checkpoint.
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { anchorAuditHead } from '../app/evidence/verify.js';
import type { AppDeps } from '../app/ports.js';
import { redisConnection } from './redis.js';

export interface Anchoring {
  /** Anchors every organisation now; the number of checkpoints written or confirmed. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

export async function anchorAll(deps: AppDeps, logger: Logger): Promise<number> {
  let n = 0;
  for (const org of await deps.organisations.list()) {
    const result = await anchorAuditHead(deps, org.id, 'interval');
    if (result.signed) n++;
    // ids and sequence numbers only: a break is serious and is reported by `audit verify` in full
    else if (result.break) logger.error({ organisationId: org.id, seq: result.break.seq, kind: result.break.kind }, 'audit chain not signed: it does not verify');
  }
  return n;
}

export async function startAnchoring(options: { redisUrl: string; prefix: string; deps: AppDeps; logger: Logger; minutes: number }): Promise<Anchoring> {
  const { deps, logger } = options;
  const queueConn = redisConnection(options.redisUrl);
  const workerConn = redisConnection(options.redisUrl);
  for (const c of [queueConn, workerConn]) c.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const queue = new Queue('audit-anchors', { connection: queueConn, prefix: options.prefix });
  await queue.upsertJobScheduler('audit-anchor', { every: options.minutes * 60_000 }, { name: 'anchor', opts: { removeOnComplete: 10, removeOnFail: 50 } });
  const worker = new Worker('audit-anchors', async () => anchorAll(deps, logger), { connection: workerConn, prefix: options.prefix, concurrency: 1 });
  worker.on('failed', (_job, e) => logger.warn({ err: e.message }, 'audit anchoring failed; the next interval retries'));
  return {
    runOnce: () => anchorAll(deps, logger),
    async close() {
      await worker.close();
      await queue.close();
      await Promise.all([queueConn, workerConn].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
