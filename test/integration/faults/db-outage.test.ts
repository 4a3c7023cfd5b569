/**
 * Fault: the MongoDB-wire server is stopped for 30 seconds in the middle of a batch of confirmations, then
 * started again on the same port and data directory. Jobs fail, retry with back-off and complete once it is
 * back; meanwhile commands are still accepted (acknowledging an interaction needs Redis only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { type RunningService, startMongo } from '../../../scripts/services.js';
import { awaitingRecords, confirmCommands, expectSignedOnce, type PendingRecord, sleep, until } from '../../support/confirmations.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const OUTAGE_MS = 30_000;

let w: World;
let mongo: RunningService;
let dir: string;
let records: PendingRecord[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'db-outage-'));
  mongo = await startMongo({ dir, database: 'outage' });
  w = await createWorld('dboutage', { mongoUrl: mongo.url });
  records = await awaitingRecords(w, 20);
}, 300_000);

afterAll(async () => {
  await w?.close();
  await mongo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the DB server stopped for 30 seconds during a batch', () => {
  let queues: Queues;
  afterAll(async () => queues?.close());

  it(
    'commands are still accepted; jobs retry with back-off and complete once, when it returns',
    async () => {
      if (process.env.MONGODB_URI) return; // an external server is not ours to stop
      queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [], logger: createLogger('silent'), concurrency: 4, sweepSeconds: 3600 });
      const commands = confirmCommands('db', records);
      const [early, late] = [commands.slice(0, 16), commands.slice(16)];
      for (const cmd of early) await queues.dispatch(cmd);
      await until('a part of the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= 4, 600, 50);

      await mongo.stop();
      // the interaction is acknowledged: the command lands on the queue while the DB is down
      for (const cmd of late) await queues.dispatch(cmd);
      expect(await queues.commands.getJob(`j-${late[0]?.commandId}`)).toBeTruthy();
      await until(
        'jobs to fail and wait for a retry',
        async () => (await queues.commands.getDelayed()).some((j) => j.attemptsMade >= 1),
        300,
        100,
      );
      await sleep(OUTAGE_MS);
      const waiting = await queues.commands.getJobCounts('completed', 'delayed', 'failed');
      expect(waiting.completed ?? 0).toBeLessThan(commands.length);
      expect(waiting.failed ?? 0).toBe(0);
      const retried = (await queues.commands.getDelayed()).filter((j) => j.attemptsMade >= 1);
      expect(retried.length).toBeGreaterThan(0);
      // exponential back-off: a job that has failed more often waits longer before its next try
      for (const job of retried) expect(job.delay).toBeGreaterThanOrEqual(500 * 2 ** (job.attemptsMade - 1));

      mongo = await startMongo({ port: mongo.port, dir, database: 'outage' });
      await until('the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= commands.length, 900, 200);
      expect(await queues.commands.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')).toMatchObject({ completed: commands.length, failed: 0, active: 0, waiting: 0, delayed: 0 });
      await expectSignedOnce(w, records);
    },
    300_000,
  );
});
