import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { jobIdFor } from '../../../src/queue/redis.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

// The start-up rebuild reads in bulk and writes only what changed; it must leave MongoDB as the one-by-one
// path (a command's `remindSession`) would.
let w: World;
let queues: Queues;
const reminders = async () =>
  (await w.store.models.reminders.find({}).sort({ _id: 1 }).lean<Array<Record<string, unknown>>>()).map(({ _id, kind, subjectId, recipientIds, dueAt, sent }) => ({ _id, kind, subjectId, recipientIds, dueAt, sent }));

beforeAll(async () => {
  w = await createWorld('rebuild');
  w.clock.set(london('2025-11-10T09:00'));
  queues = await startQueues({ redisUrl: testRedisUrl(), prefix: testQueuePrefix(), deps: w.deps, notifiers: [], logger: createLogger('silent'), workers: false, sweepSeconds: 3600 });
});
afterAll(async () => {
  await queues?.close();
  await w?.close();
});

describe('rebuilding reminders at start-up', () => {
  it('recreates lost reminders, changes nothing when run again, keeps a fired one fired and follows changed recipients', async () => {
    const arranged = await reminders();
    expect(arranged.length).toBeGreaterThan(0);

    // lost from MongoDB (a restore from an older backup): rebuilt exactly as they were
    await w.store.models.reminders.deleteMany({});
    await queues.rebuildReminders();
    expect(await reminders()).toEqual(arranged);
    await queues.rebuildReminders();
    expect(await reminders()).toEqual(arranged);

    // one fired, one whose recipients are out of date
    const [fired, stale] = arranged as unknown as [Record<string, unknown>, Record<string, unknown>];
    expect(await w.deps.reminders.markSent(String(fired._id), w.clock.now())).toBe(true);
    await w.store.models.reminders.updateOne({ _id: stale._id }, { $set: { recipientIds: ['someone-else'] } });
    await queues.rebuildReminders();
    const after = await reminders();
    expect(after.find((r) => r._id === fired._id)?.sent).toBe(true);
    expect(after.find((r) => r._id === stale._id)?.recipientIds).toEqual(stale.recipientIds);
    expect(after.map(({ sent: _sent, ...r }) => r)).toEqual(arranged.map(({ sent: _sent, ...r }) => r));
  });

  it('puts on their timers only the reminders due within the horizon, and the rest as the sweep comes to them', async () => {
    const prefix = testQueuePrefix();
    const redis = new Redis(testRedisUrl());
    const timed = await startQueues({ redisUrl: testRedisUrl(), prefix, deps: w.deps, notifiers: [], logger: createLogger('silent'), workers: false, sweepSeconds: 3600, timerHorizonHours: 24 });
    const started = w.clock.now();
    try {
      /** The unsent reminders split by whether each has a job (on its timer, or waiting when it came due). */
      const split = async () => {
        const pending = await w.deps.reminders.pending(new Date(0));
        const check = redis.pipeline();
        for (const r of pending) check.exists(`${prefix}:reminders:${jobIdFor(r.id)}`);
        const exists = ((await check.exec()) ?? []).map(([, n]) => n === 1);
        const horizon = w.clock.now().getTime() + 24 * 3_600_000;
        const all = pending.map((r, i) => ({ id: r.id, timed: exists[i] ?? false, within: r.dueAt.getTime() <= horizon }));
        return { within: all.filter((r) => r.within), beyond: all.filter((r) => !r.within) };
      };
      const start = await split();
      expect(start.within.length).toBeGreaterThan(0);
      expect(start.beyond.length).toBeGreaterThan(0);

      expect(await timed.rebuildReminders()).toBe(start.within.length);
      const rebuilt = await split();
      expect(rebuilt.within.filter((r) => !r.timed).map((r) => r.id)).toEqual([]);
      expect(rebuilt.beyond.filter((r) => r.timed).map((r) => r.id)).toEqual([]);

      // ten minutes on, the horizon has not moved far enough to be read again
      w.clock.advance(10 * 60_000);
      await timed.timeComingReminders();
      const soon = await split();
      expect(soon.beyond.filter((r) => r.timed).map((r) => r.id)).toEqual([]);

      // a week on (the playground's clock, or a worker that has run since): whatever the horizon came to is timed
      w.clock.advance(7 * 24 * 3_600_000);
      const week = await split();
      expect(week.within.some((r) => !r.timed)).toBe(true);
      await timed.timeComingReminders();
      const after = await split();
      expect(after.within.filter((r) => !r.timed).map((r) => r.id)).toEqual([]);
      expect(after.beyond.filter((r) => r.timed).map((r) => r.id)).toEqual([]);
    } finally {
      w.clock.set(started);
      await timed.close();
      await redis.quit();
    }
  });
});
