/**
 * Moving and cancelling a session through the playground API on the demo school (the same conversation Teams
 * uses): `move` gives the form, the new time is a school day and both parties are told, the reminders move
 * with it; cancelling without a new time is refused with the policy's reason (template "intervals"); a late
 * day needs a reason; a clash with another of the supervisor's sessions is refused with the next free time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { createLogger } from '../../../src/logger.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { eventually } from '../../support/eventually.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());

async function call(path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const say = (person: string, text: string) => call('messages', person, { text });

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('playground_sessions'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
}, 120_000);
afterAll(async () => {
  await bot?.stop();
});

const OLD = 'c-chloe.2026-11-30';
const pending = async (subjectId: string) => (await bot.runtime.deps.reminders.pending(clock.now())).filter((r) => r.subjectId === subjectId).map((r) => r.kind);


describe('moving and cancelling a session from chat', () => {
  it('`move` gives the form for the next session, with date and time inputs that start at its time', async () => {
    const { status, body } = await say('chloe', 'move');
    expect(status).toBe(200);
    expect(body.entry.kind).toBe('move-form');
    const card = JSON.stringify(body.entry.card);
    expect(card).toContain('Input.Date');
    expect(card).toContain('"2026-11-30"');
    expect(card).toContain('"15:45"');
    expect(card).toContain('session.move');
    const next = await say('chloe', 'next');
    expect(JSON.stringify(next.body.entry.card)).toContain('session.move-form');
  });

  it('cancelling without a new time is refused with the policy’s reason, and nothing changes', async () => {
    const refused = await call('actions', 'chloe', { verb: 'session.cancel', data: { sessionId: OLD } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('data.date');
    expect(refused.body.error.message).toContain('never changed or cancelled without a new time');
    expect((await bot.runtime.deps.sessions.get(OLD))?.status).toBe('scheduled');
  });

  it('a day later than the cadence allows needs a reason; a weekend is refused', async () => {
    const late = await call('actions', 'chloe', { verb: 'session.move', data: { sessionId: OLD, date: '2026-12-03', time: '15:45' } });
    expect(late.status).toBe(400);
    expect(late.body.error.field).toBe('data.reason');
    expect(late.body.error.message).toContain('due by Mon 30 Nov 2026');
    const weekend = await call('actions', 'chloe', { verb: 'session.move', data: { sessionId: OLD, date: '2026-11-28', time: '10:00', reason: 'Training day' } });
    expect(weekend.status).toBe(400);
    expect(weekend.body.error.field).toBe('newStartsAt');
    expect((await bot.runtime.deps.sessions.get(OLD))?.status).toBe('scheduled');
  });

  it('a time that clashes with another of the supervisor’s sessions is refused, with the next free time offered', async () => {
    // James sees Ben on Tue 24 Nov at 11:00 for an hour
    const clash = await call('actions', 'chloe', { verb: 'session.move', data: { sessionId: OLD, date: '2026-11-24', time: '11:30' } });
    expect(clash.status).toBe(400);
    expect(clash.body.error.field).toBe('newStartsAt');
    expect(clash.body.error.message).toContain('clashes');
    expect(clash.body.error.message).toContain('The next free time is Tue 24 Nov 2026, 12:00');
    expect((await bot.runtime.deps.sessions.get(OLD))?.status).toBe('scheduled');
  });

  it('moving to a school day: the old session is replaced, its reminders move, both parties are told', async () => {
    expect(await pending(OLD)).toContain('day-before');
    const moved = await call('actions', 'chloe', { verb: 'session.move', data: { sessionId: OLD, date: '2026-11-27', time: '10:30' } });
    expect(moved.status).toBe(200);
    expect(JSON.stringify(moved.body.entry)).toContain('Fri 27 Nov 2026, 10:30');
    const old = await bot.runtime.deps.sessions.get(OLD);
    expect(old).toMatchObject({ status: 'cancelled', replacedBy: 'c-chloe.2026-11-27' });
    const replacement = await bot.runtime.deps.sessions.get('c-chloe.2026-11-27');
    expect(replacement).toMatchObject({ status: 'scheduled', replaces: OLD, startsAt: cal.atLocalTime('2026-11-27', '10:30') });
    expect(await pending(OLD)).toEqual([]);
    expect(await pending('c-chloe.2026-11-27')).toContain('day-before');
    const future = (await bot.runtime.deps.sessions.byContract('c-chloe')).filter((s) => s.status === 'scheduled' && s.startsAt > clock.now());
    expect(future.map((s) => s.id)).toEqual(['c-chloe.2026-11-27']);
    await eventually(async () => JSON.stringify((await call('inbox', 'james')).body).includes('moved the supervision session of Mon 30 Nov 2026, 15:45 to Fri 27 Nov 2026, 10:30'), 'James is told');
    const next = await say('chloe', 'next');
    expect(JSON.stringify(next.body.entry.card)).toContain('Fri 27 Nov 2026, 10:30');
  });

  it('cancel and rebook, by the supervisor, on the same day at another time', async () => {
    const sid = 'c-chloe.2026-11-27';
    const done = await call('actions', 'james', { verb: 'session.cancel', data: { sessionId: sid, date: '2026-11-27', time: '14:00' } });
    expect(done.status).toBe(200);
    expect(JSON.stringify(done.body.entry)).toContain('Cancelled the session of Fri 27 Nov 2026, 10:30 and rebooked it for Fri 27 Nov 2026, 14:00');
    const old = await bot.runtime.deps.sessions.get(sid);
    expect(old?.status).toBe('cancelled');
    const replacement = await bot.runtime.deps.sessions.get(old?.replacedBy ?? '');
    expect(replacement).toMatchObject({ status: 'scheduled', startsAt: cal.atLocalTime('2026-11-27', '14:00') });
    await eventually(async () => JSON.stringify((await call('inbox', 'chloe')).body).includes('James Whitfield cancelled the supervision session'), 'Chloe is told');
  });

  it('a colleague who is not a party or a DSL cannot move it, and nothing changes', async () => {
    const current = (await bot.runtime.deps.sessions.byContract('c-chloe')).find((s) => s.status === 'scheduled' && s.startsAt > clock.now());
    const refused = await call('actions', 'amy', { verb: 'session.move', data: { sessionId: current?.id, date: '2026-11-26', time: '10:00' } });
    expect(refused.status).toBe(403);
    expect((await bot.runtime.deps.sessions.get(current?.id ?? ''))?.status).toBe('scheduled');
  });
});

describe('the next session after a record', () => {
  it('is the one the signed record names, when it is a school-day time ahead; one future session only', async () => {
    const sid = 'c-amy.2026-11-30';
    clock.set(cal.atLocalTime('2026-11-30', '17:00'));
    const submitted = await call('actions', 'james', { verb: 'record.submit', data: { sessionId: sid, topics: 'performance', notes: 'Went through the term', nextDate: '2027-01-12', nextTime: '15:45' } });
    expect(submitted.status).toBe(200);
    const recordId = `rec.${sid}`;
    for (const who of ['james', 'amy']) {
      const confirmed = await call('actions', who, { verb: 'record.confirm', data: { recordId, version: 1 } });
      expect(confirmed.status, who).toBe(200);
    }
    expect((await bot.runtime.deps.records.latest(recordId))?.state).toBe('signed');
    const future = (await bot.runtime.deps.sessions.byContract('c-amy')).filter((s) => s.status === 'scheduled' && s.startsAt > clock.now());
    expect(future.map((s) => s.startsAt.toISOString())).toEqual([cal.atLocalTime('2027-01-12', '15:45').toISOString()]);
    const next = await say('amy', 'next');
    expect(JSON.stringify(next.body.entry.card)).toContain('Tue 12 Jan 2027, 15:45');
  });
});
