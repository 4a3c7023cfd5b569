import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
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
});
