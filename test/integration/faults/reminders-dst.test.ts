/**
 * Fault: Redis flushed entirely around the last Sunday of October 2026 (25 Oct, BST→GMT), reminders rebuilt
 * from MongoDB. Each reminder fires exactly once, at the organisation's reminder time in local time (08:30 in
 * BST before the change, 08:30 in GMT after it), and none comes more than eight days before its session.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleSession } from '../../../src/app/sessions.js';
import type { ReminderView } from '../../../src/app/views.js';
import { demoTermDates } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { type Queues, startQueues } from '../../../src/queue/queues.js';
import { type RunningService, startRedis } from '../../../scripts/services.js';
import { testQueuePrefix } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let redisServer: RunningService;
let redis: Redis;
let queues: Queues;
let prefix: string;

const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const local = (d: Date) => london.format(d);

// Half term is 26–30 Oct 2026; the clocks go back at 02:00 BST on Sunday 25 Oct. A week's notice never comes
// more than eight days ahead (stour App. C), so a session just after half term is announced in its own week.
const EXPECTED: Record<string, string> = {
  'notice:c-ben.2026-10-22': '2026-10-15T07:30:00.000Z', // Thu 15 Oct, 08:30 BST
  'agenda-prompt:c-ben.2026-10-22': '2026-10-15T07:30:00.000Z',
  'day-before:c-ben.2026-10-22': '2026-10-21T07:30:00.000Z', // Wed 21 Oct, 08:30 BST
  'notice:c-amy.2026-11-03': '2026-10-27T08:30:00.000Z', // no school day in its window: Tue 27 Oct, 08:30 GMT
  'agenda-prompt:c-amy.2026-11-03': '2026-10-27T08:30:00.000Z',
  'day-before:c-amy.2026-11-03': '2026-11-02T08:30:00.000Z', // Mon 2 Nov, 08:30 GMT
  'notice:c-ben.2026-11-04': '2026-11-02T08:30:00.000Z', // the first school day after half term, 08:30 GMT
  'agenda-prompt:c-ben.2026-11-04': '2026-11-02T08:30:00.000Z',
  'day-before:c-ben.2026-11-04': '2026-11-03T08:30:00.000Z',
};

const BEFORE = /^(notice|agenda-prompt|day-before):/;
const JOB_BEFORE = /^j-(notice|agenda-prompt|day-before)_/;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  w = await createWorld('dst', { arrange: false });
  await w.deps.organisations.upsert({ ...w.org, termDates: demoTermDates() });
  w.clock.set(new Date('2026-10-09T12:00:00Z'));
  prefix = testQueuePrefix();
  // a month's horizon: every reminder of these weeks goes on its timer when Redis is rebuilt (a day's is the default)
  queues = await startQueues({ redisUrl: redisServer.url, prefix, deps: w.deps, notifiers: [], logger: createLogger('silent'), workers: false, sweepSeconds: 3600, timerHorizonHours: 31 * 24 });
  for (const [contractId, startsAt] of [
    ['c-ben', '2026-10-22T14:45:00Z'],
    ['c-amy', '2026-11-03T15:45:00Z'],
    ['c-ben', '2026-11-04T15:45:00Z'],
  ] as const) {
    const booked = await scheduleSession(w.deps, 'sup', { contractId, startsAt });
    if (!booked.ok) throw new Error(JSON.stringify(booked.error));
  }
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await redis?.quit();
  await redisServer?.stop();
  await w?.close();
});

async function flushAndRebuild(): Promise<void> {
  await redis.flushall();
  expect(await redis.dbsize()).toBe(0);
  await queues.rebuildReminders();
}

describe('reminders across the BST→GMT change, after Redis is flushed', () => {
  it('are computed at 08:30 local time on school days on both sides of the change', async () => {
    const all = await w.deps.reminders.pending(new Date(0));
    const pending = all.filter((r) => BEFORE.test(r.id));
    expect(Object.fromEntries(pending.map((r) => [r.id, r.dueAt.toISOString()]))).toEqual(EXPECTED);
    for (const r of pending) expect(local(r.dueAt)).toMatch(/ 08:30 (BST|GMT)$/);
    // after each session: "did it happen?" at 17:00 that day, again at 08:30 the next school day, and the
    // not-answered check at 08:30, local time on both sides of the change
    const after = all.filter((r) => !BEFORE.test(r.id));
    expect(after.length).toBe(9);
    for (const r of after) expect(local(r.dueAt), r.id).toMatch(r.id.startsWith('did-it-happen:') ? / 17:00 (BST|GMT)$/ : / 08:30 (BST|GMT)$/);
  });

  it('are rebuilt from MongoDB into an empty Redis, one delayed job each', async () => {
    await flushAndRebuild();
    const ours = (ids: string[]) => ids.filter((id) => JOB_BEFORE.test(id)).sort();
    const delayed = await redis.zrange(`${prefix}:reminders:delayed`, '0', '-1');
    expect(ours(delayed)).toEqual(Object.keys(EXPECTED).map((id) => `j-${id.replace(/:/g, '_')}`).sort());
    await queues.rebuildReminders();
    const again = await redis.zrange(`${prefix}:reminders:delayed`, '0', '-1');
    expect(again.length).toBe(delayed.length);
    expect(ours(again)).toEqual(ours(delayed));
  });

  it('each fires exactly once, at its due minute, with Redis flushed again on the night the clocks change', async () => {
    const fired = new Map<string, Date>();
    const dueTimes = [...new Set(Object.values(EXPECTED))].sort();
    const fire = async () => {
      const before = new Set((await w.store.models.reminders.find({ sent: true }).lean<Array<{ _id: string }>>()).map((r) => r._id));
      await queues.fireDueReminders();
      const after = (await w.store.models.reminders.find({ sent: true }).lean<Array<{ _id: string }>>()).map((r) => r._id);
      // the reminders before a session, which this test is about (those after it are checked above)
      const now = after.filter((id) => !before.has(id) && BEFORE.test(id));
      for (const id of now) {
        expect(fired.has(id), `${id} fired twice`).toBe(false);
        fired.set(id, w.clock.now());
      }
      return now.length;
    };
    let changed = false;
    for (const due of dueTimes) {
      const at = new Date(due);
      w.clock.set(new Date(at.getTime() - 60_000));
      expect(await fire()).toBe(0);
      if (due > '2026-10-25' && !changed) {
        changed = true;
        // the night of the change, and Redis lost: rebuilt from MongoDB, nothing fires early or twice
        w.clock.set(new Date('2026-10-25T00:59:00Z'));
        await flushAndRebuild();
        expect(await fire()).toBe(0);
        w.clock.set(new Date('2026-10-25T01:01:00Z'));
        expect(await fire()).toBe(0);
        w.clock.set(new Date(at.getTime() - 60_000));
        expect(await fire()).toBe(0);
      }
      w.clock.set(at);
      const expected = Object.values(EXPECTED).filter((d) => d === due).length;
      expect(await fire()).toBe(expected);
      expect(await fire()).toBe(0);
      await flushAndRebuild();
      expect(await fire()).toBe(0);
    }
    expect([...fired.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [id, at] of fired) {
      expect(at.getTime() - new Date(EXPECTED[id] as string).getTime()).toBeGreaterThanOrEqual(0);
      expect(at.getTime() - new Date(EXPECTED[id] as string).getTime()).toBeLessThan(60_000);
    }
  });

  it('the outbox holds one message per reminder and recipient, written at 08:30 local time, with the session in local time', async () => {
    const rows = await w.store.models.outbox.find({}).lean<Array<{ _id: string; recipientId: string; createdAt: Date; view: ReminderView | { type: string } }>>();
    for (const id of Object.keys(EXPECTED)) {
      const mine = rows.filter((r) => r._id.startsWith(`${id}.`));
      expect(mine.map((r) => r.recipientId).sort(), id).toEqual(id.includes('c-ben') ? ['ben', 'sup'] : ['amy', 'sup']);
      for (const row of mine) expect(local(row.createdAt)).toBe(local(new Date(EXPECTED[id] as string)));
    }
    const dayBefore = rows.find((r) => r._id === 'day-before:c-amy.2026-11-03.amy')?.view as ReminderView;
    expect(dayBefore.lines.join(' ')).toMatch(/15:45/);
    const notice = rows.find((r) => r._id === 'notice:c-ben.2026-11-04.ben')?.view as ReminderView;
    expect(notice.lines.join(' ')).toMatch(/15:45/);
  });
});
