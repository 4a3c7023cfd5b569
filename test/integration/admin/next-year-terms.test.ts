/**
 * Next school year's term dates, on the real Leeds 2025/26 calendar with the clock moved to the summer: from the
 * summer half term on the administrators and the DSL are asked for them in chat (once, then weekly); a session
 * that would fall in 2026/27 is not booked and they are told instead, at most once a week however many contracts
 * wait; once the dates are in, the asking stops and the session is booked.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { contract, london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;

const asks = async (prefix: string) =>
  (await w.store.models.outbox.find({ _id: { $regex: `^${prefix.replace(/\./g, '\\.')}` } }).lean<Array<{ _id: string; recipientId: string; view: { text: string } }>>()).sort((a, b) => a._id.localeCompare(b._id));

beforeAll(async () => {
  w = await createWorld('next_year_terms');
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business' }));
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('next year’s term dates', () => {
  it('are not asked for before the summer half term', async () => {
    w.clock.set(london('2026-03-10T09:00'));
    await bot.runtime.queues.fireDueReminders();
    expect(await asks('term-dates-next.')).toEqual([]);
  });

  it('from the summer half term on, the administrators and the DSL are asked once, then weekly', async () => {
    w.clock.set(london('2026-06-16T09:00'));
    await bot.runtime.queues.fireDueReminders();
    const first = await asks('term-dates-next.org-wl.2026.');
    expect(first.map((a) => [a._id, a.recipientId])).toEqual([
      ['term-dates-next.org-wl.2026.2026-06-15.admin', 'admin'],
      ['term-dates-next.org-wl.2026.2026-06-15.dsl', 'dsl'],
    ]);
    expect(first[0]?.view.text).toMatch(/INSET days for 2026\/27/);
    // the same week: nothing more
    w.clock.set(london('2026-06-19T15:00'));
    await bot.runtime.queues.fireDueReminders();
    expect(await asks('term-dates-next.')).toHaveLength(2);
    // the next week: asked again
    w.clock.set(london('2026-06-22T09:00'));
    await bot.runtime.queues.fireDueReminders();
    expect((await asks('term-dates-next.org-wl.2026.2026-06-22.')).map((a) => a.recipientId).sort()).toEqual(['admin', 'dsl']);
  });

  it('nothing is booked into 2026/27: they are told instead, at most once a week however many contracts wait', async () => {
    w.clock.set(london('2026-07-06T09:00'));
    const org = (await w.deps.organisations.get(w.org.id))!;
    const waiting = [contract({ id: 'c-sept-1', startDate: '2026-09-07', superviseeIds: ['ben'], cadence: { kind: 'termly' } }), contract({ id: 'c-sept-2', startDate: '2026-09-14', superviseeIds: ['amy'], cadence: { kind: 'termly' } })];
    for (const c of waiting) {
      await w.deps.contracts.upsert(c);
      expect(await ensureNextSession(w.deps, org, c)).toBeNull();
      expect(await ensureNextSession(w.deps, org, c)).toBeNull();
      expect(await w.deps.sessions.byContract(c.id)).toEqual([]);
    }
    expect((await asks('term-dates-missing.org-wl.2026.2026-07-06.')).map((a) => a.recipientId).sort()).toEqual(['admin', 'dsl']);
    w.clock.set(london('2026-07-13T09:00'));
    expect(await ensureNextSession(w.deps, org, waiting[0]!)).toBeNull();
    expect((await asks('term-dates-missing.org-wl.2026.')).length).toBe(4);
  });

  it('once the dates are in, the asking stops and the session is booked', async () => {
    const halfTerms = JSON.parse(readFileSync('src/demo/data/demo-term-dates-2026-27.json', 'utf8')).terms;
    const res = await fetch(`${bot.url}/tab/api/admin/terms/2026`, { method: 'PUT', headers: { 'x-playground-person': 'dsl', 'content-type': 'application/json' }, body: JSON.stringify({ halfTerms, insetDays: [] }) });
    expect(res.status).toBe(200);
    const before = (await asks('term-dates-next.')).length;
    w.clock.set(london('2026-07-20T09:00'));
    await bot.runtime.queues.fireDueReminders();
    expect(await asks('term-dates-next.')).toHaveLength(before);
    const org = (await w.deps.organisations.get(w.org.id))!;
    const booked = await ensureNextSession(w.deps, org, (await w.deps.contracts.get('c-sept-1'))!);
    expect(booked?.startsAt.getTime()).toBeGreaterThanOrEqual(london('2026-09-07T00:00').getTime());
  });
});
