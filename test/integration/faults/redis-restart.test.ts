/**
 * Fault: Redis (AOF everysec, noeviction, as the README and docker-compose.yml recommend) is restarted in the
 * middle of a batch of confirmations. No confirmation is lost or doubled, and reminders still fire once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../src/app/ports.js';
import type { Reminder } from '../../../src/domain/types.js';
import { scheduleSession } from '../../../src/app/sessions.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { type RunningService, startRedis } from '../../../scripts/services.js';
import { awaitingRecords, confirmCommands, expectSignedOnce, type PendingRecord, sleep, until } from '../../support/confirmations.js';
import { london } from '../../support/school.js';
import { recordingNotifier } from '../../support/recording-notifier.js';
import { testQueuePrefix } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let redis: RunningService;
let dir: string;
let records: PendingRecord[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'redis-restart-'));
  redis = await startRedis({ dir, persistent: true });
  w = await createWorld('redisrestart');
  records = await awaitingRecords(w, 30);
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  await w?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarted in the middle of a batch', () => {
  let queues: Queues;
  afterAll(async () => queues?.close());

  it(
    'loses and doubles no confirmation, and every due reminder is delivered once',
    async () => {
      const booked = await scheduleSession(w.deps, 'sup', { contractId: 'c-amy', startsAt: london('2025-12-08T15:45') });
      expect(booked.ok).toBe(true);
      // the earliest reminder still to come falls due a few seconds into the run (the clock moves with real time)
      const upcoming = (await w.deps.reminders.pending(w.clock.now()))
        .filter((r) => r.kind === 'notice' || r.kind === 'agenda-prompt' || r.kind === 'day-before')
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
      const first = upcoming[0] as Reminder;
      expect(first).toBeDefined();
      w.clock.set(new Date(first.dueAt.getTime() - 6_000));

      const notifier = recordingNotifier();
      const slow = w.deps.records.replace;
      const deps: AppDeps = { ...w.deps, records: { ...w.deps.records, replace: async (r, at) => (await sleep(150), slow(r, at)) } };
      queues = await startQueues({ redisUrl: redis.url, prefix: testQueuePrefix(), deps, notifiers: [notifier], logger: createLogger('silent'), concurrency: 4, lockDurationMs: 4000, stalledIntervalMs: 1000, sweepSeconds: 3600 });
      await queues.rebuildReminders();
      const commands = confirmCommands('rr', records);
      for (const cmd of commands) await queues.dispatch(cmd);

      await until('a part of the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= 10, 600, 50);
      const doneBefore = (await queues.commands.getJobCounts('completed')).completed ?? 0;
      expect(doneBefore).toBeLessThan(commands.length);
      const pidBefore = redis.process?.pid;
      await redis.stop();
      await sleep(1500);
      redis = await startRedis({ port: redis.port, dir, persistent: true });
      expect(redis.process?.pid).not.toBe(pidBefore);

      await until('the batch to complete', async () => ((await queues.commands.getJobCounts('completed')).completed ?? 0) >= commands.length);
      const counts = await queues.commands.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
      expect(counts).toMatchObject({ completed: commands.length, failed: 0, waiting: 0, active: 0 });
      await expectSignedOnce(w, records);

      // the reminder job survived in the AOF and fired on its own timer after the restart
      await until('the first reminder to fire', async () => (await w.deps.reminders.get(first.id))?.sent === true);
      const due = (await w.store.models.reminders.find({ dueAt: { $lte: w.clock.now() } }).lean<Array<{ _id: string; sent: boolean; recipientIds: string[] }>>());
      expect(due.length).toBeGreaterThan(0);
      expect(await queues.fireDueReminders()).toBe(0);
      await queues.rebuildReminders();
      await queues.flushOutbox();
      const outbox = await w.store.models.outbox.find({}).lean<Array<{ _id: string; status: string }>>();
      await until('every outbox row to be delivered', async () => (await w.store.models.outbox.countDocuments({ status: { $ne: 'delivered' } })) === 0);
      const delivered = notifier.counts();
      for (const reminder of due) {
        expect(reminder.sent, reminder._id).toBe(true);
        const rows = outbox.filter((o) => o._id.startsWith(`${reminder._id}.`));
        for (const row of rows) expect(delivered.get(row._id), row._id).toBe(1);
      }
      expect(outbox.some((o) => o._id.startsWith(`${first.id}.`))).toBe(true);
      expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    },
    300_000,
  );
});
