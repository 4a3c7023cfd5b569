/**
 * After a session's time, through the playground API on the demo school (the conversation Teams uses too):
 * "did it happen?" reaches the supervisor the same afternoon; "it did not happen" books the new time in the
 * same card (template "intervals") and shows as such in `next` and the history; two in a row reach the line
 * manager and the DSL and list the person as not engaging (template line manager (j)); a supervisee asks for
 * a session and the supervisor books it (stour App. C); a room cannot hold two sessions at once.
 */

import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());
const mongoUrl = testMongoUrl('playground_session_outcomes');

async function call(path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const say = (person: string, text: string) => call('messages', person, { text });
const inbox = async (person: string) => JSON.stringify((await call('inbox', person)).body);
/** Time passes to a moment, reminder by reminder, as the playground's clock does it. */
const moveClockTo = async (at: Date) => {
  const { deps, queues } = bot.runtime;
  for (let i = 0; i < 1000; i++) {
    const [next] = await deps.reminders.pending(new Date(0), new Date(at.getTime() + 1));
    if (!next) break;
    if (next.dueAt.getTime() > clock.now().getTime()) clock.set(next.dueAt);
    if ((await queues.fireDueReminders()) === 0) break;
  }
  clock.set(at);
  await queues.fireDueReminders();
  await queues.flushOutbox();
};

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({
    MONGODB_URI: mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), {
    clock,
    prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)),
  });
}, 300_000);
afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

const CHLOE = 'c-chloe.2026-11-30';

describe('rooms', () => {
  it('a room cannot hold two sessions at once: the booking is refused with the next free time', async () => {
    // Aisha moves George's session to Friday morning in the family room; James then tries the same room
    const moved = await call('actions', 'aisha', {
      verb: 'session.move',
      data: { sessionId: 'c-george.2026-11-30', date: '2026-11-27', time: '10:00' },
    });
    expect(moved.status).toBe(200);
    const clash = await call('actions', 'james', {
      verb: 'session.move',
      data: { sessionId: 'c-daniel.2026-11-30', date: '2026-11-27', time: '10:30' },
    });
    expect(clash.status).toBe(400);
    expect(clash.body.error.field).toBe('newStartsAt');
    expect(clash.body.error.message).toContain(
      'clashes with another supervision session in Family room at Fri 27 Nov 2026, 10:00',
    );
    expect(clash.body.error.message).toContain('The next free time is Fri 27 Nov 2026, 11:00');
    expect((await bot.runtime.deps.sessions.get('c-daniel.2026-11-30'))?.status).toBe('scheduled');
    const free = await call('actions', 'james', {
      verb: 'session.move',
      data: { sessionId: 'c-daniel.2026-11-30', date: '2026-11-27', time: '11:00' },
    });
    expect(free.status).toBe(200);
  });
});

describe('did it happen?', () => {
  it('the supervisor is asked the same afternoon when the time passed with no record; the supervisee’s next says so', async () => {
    await moveClockTo(cal.atLocalTime('2026-11-30', '17:15'));
    await eventually(
      async () => (await inbox('james')).includes('Did the session of Mon 30 Nov 2026, 15:45 happen?'),
      'James is asked',
    );
    const james = await inbox('james');
    expect(james).toContain('session.not-held');
    expect(james).toContain('Record it');
    const next = await say('chloe', 'next');
    const card = JSON.stringify(next.body.entry.card);
    expect(card).toContain('has passed without a record');
    expect(card).not.toContain('You have no supervision session booked');
  });

  it('"it did not happen" without a new time is refused with the policy’s reason; nothing changes', async () => {
    const refused = await call('actions', 'james', {
      verb: 'session.not-held',
      data: { sessionId: CHLOE, reason: 'supervisee-absent' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('never changed or cancelled without a new time');
    const noReason = await call('actions', 'james', {
      verb: 'session.not-held',
      data: { sessionId: CHLOE, date: '2026-12-02', time: '15:45' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('data.reason');
    expect((await bot.runtime.deps.sessions.get(CHLOE))?.status).toBe('scheduled');
  });

  it('a supervisee cannot answer for the supervisor', async () => {
    const refused = await call('actions', 'chloe', {
      verb: 'session.not-held',
      data: { sessionId: CHLOE, reason: 'supervisee-absent', date: '2026-12-02', time: '15:45' },
    });
    expect(refused.status).toBe(403);
  });

  it('"it did not happen" marks it so and books the new time at once; both see it; one future session stays', async () => {
    const done = await call('actions', 'james', {
      verb: 'session.not-held',
      data: { sessionId: CHLOE, reason: 'supervisee-absent', date: '2026-12-02', time: '15:45' },
    });
    expect(done.status).toBe(200);
    expect(JSON.stringify(done.body.entry)).toContain('The new session is on Wed 2 Dec 2026, 15:45');
    expect(await bot.runtime.deps.sessions.get(CHLOE)).toMatchObject({
      status: 'missed',
      notHeldReason: 'supervisee-absent',
    });
    const future = (await bot.runtime.deps.sessions.byContract('c-chloe')).filter(
      (s) => s.status === 'scheduled' && s.startsAt > clock.now(),
    );
    expect(future.map((s) => s.startsAt.toISOString())).toEqual([
      cal.atLocalTime('2026-12-02', '15:45').toISOString(),
    ]);
    await eventually(
      async () =>
        (await inbox('chloe')).includes(
          'says the supervision session of Mon 30 Nov 2026, 15:45 did not happen',
        ),
      'Chloe is told',
    );
    const next = JSON.stringify((await say('chloe', 'next')).body.entry.card);
    expect(next).toContain('Wed 2 Dec 2026, 15:45');
    expect(next).toContain('Did not happen: Mon 30 Nov 2026, 15:45');
    // the history (the dashboard's person view) shows it as did not happen, never "Booked"
    const res = await fetch(`${bot.url}/tab/api/people/chloe`, {
      headers: { 'x-playground-person': 'priya' },
    });
    const history = (await res.json()) as { sessions: Array<{ id: string; statusLabel: string }> };
    expect(history.sessions.find((s) => s.id === CHLOE)?.statusLabel).toBe('Did not happen');
  });

  it('answering twice is refused; the first answer stands', async () => {
    const again = await call('actions', 'james', {
      verb: 'session.not-held',
      data: { sessionId: CHLOE, reason: 'other', date: '2026-12-03', time: '15:45' },
    });
    expect(again.status).toBe(403);
    expect(JSON.stringify(again.body)).toContain('already marked as not held');
  });
});

describe('not engaging', () => {
  it('two sessions in a row that did not happen reach the line manager and the DSL, and /overdue lists the person', async () => {
    const second = (await bot.runtime.deps.sessions.byContract('c-chloe')).find(
      (s) => s.status === 'scheduled' && s.startsAt > clock.now(),
    );
    await moveClockTo(cal.atLocalTime('2026-12-02', '17:15'));
    const done = await call('actions', 'james', {
      verb: 'session.not-held',
      data: { sessionId: second?.id, reason: 'supervisee-absent', date: '2026-12-07', time: '15:45' },
    });
    expect(done.status).toBe(200);
    // Chloe's line manager is James himself (a party); the DSL and deputy are told
    await eventually(
      async () => (await inbox('priya')).includes('Not engaging with supervision: Chloe Evans'),
      'the DSL is told',
    );
    const overdue = await say('priya', '/overdue not-engaging');
    const card = JSON.stringify(overdue.body.entry.card);
    expect(card).toContain('Not engaging');
    expect(card).toContain('Chloe Evans');
    expect(card).toContain('did not happen');
    const all = (await say('priya', '/overdue')).body.entry.card;
    const facts = JSON.stringify(all);
    expect(facts).toMatch(/"title":"Not engaging","value":"[1-9]/);
  });

  it('holding the next session takes them off the list', async () => {
    const third = (await bot.runtime.deps.sessions.byContract('c-chloe')).find(
      (s) => s.status === 'scheduled' && s.startsAt > clock.now(),
    );
    clock.set(cal.atLocalTime('2026-12-07', '17:00'));
    const submitted = await call('actions', 'james', {
      verb: 'record.submit',
      data: { sessionId: third?.id, topics: 'performance', notes: 'Back on track after two missed' },
    });
    expect(submitted.status).toBe(200);
    const card = JSON.stringify((await say('priya', '/overdue not-engaging')).body.entry.card);
    expect(card).not.toContain('Chloe Evans');
  });

  it('a supervisor who has not answered for five school days is reported to their line manager and the DSL', async () => {
    const emma = (await bot.runtime.deps.sessions.byContract('c-emma')).find((s) => s.status === 'scheduled');
    expect(emma).toBeTruthy();
    const from = cal.atLocalTime(cal.addSchoolDays(cal.localDate(emma?.startsAt as Date), 5), '08:00');
    await moveClockTo(new Date(from.getTime() + 3_600_000 * 3));
    await eventually(
      async () => (await inbox('helen')).includes('Not engaging with supervision: Aisha Begum'),
      'Aisha’s line manager is told',
    );
    const card = JSON.stringify((await say('priya', '/overdue not-engaging')).body.entry.card);
    expect(card).toContain('Aisha Begum');
    expect(card).toContain('has not said whether the session');
  });
});

describe('sessions on request (stour App. C)', () => {
  it('`request` reaches the supervisor with a card to book it; the booking is an extra session, both told', async () => {
    const asked = await say('amy', 'request a worry about a family I want to talk through');
    expect(asked.status).toBe(200);
    expect(JSON.stringify(asked.body.entry)).toContain('James Whitfield will book a session with you by');
    await eventually(
      async () => (await inbox('james')).includes('Amy Clarke asks for a supervision session'),
      'James gets the card',
    );
    const [request] = await bot.runtime.deps.sessionRequests.openForContract('c-amy');
    expect(request).toBeTruthy();
    const cadenceBefore = (await bot.runtime.deps.sessions.byContract('c-amy')).filter(
      (s) => s.status === 'scheduled' && !s.onRequest && s.startsAt > clock.now(),
    );
    const day = cal.nextSchoolDay(cal.localDate(clock.now()));
    const booked = await call('actions', 'james', {
      verb: 'session.book-request',
      data: { requestId: request?.id, date: day, time: '12:30' },
    });
    expect(booked.status).toBe(200);
    expect(JSON.stringify(booked.body.entry)).toContain('an extra session, on request');
    const sessions = await bot.runtime.deps.sessions.byContract('c-amy');
    const extra = sessions.find((s) => s.onRequest && s.requestId === request?.id);
    expect(extra).toMatchObject({ status: 'scheduled', startsAt: cal.atLocalTime(day, '12:30') });
    // the cadence's one future session is unchanged
    expect(
      sessions
        .filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt > clock.now())
        .map((s) => s.id),
    ).toEqual(cadenceBefore.map((s) => s.id));
    expect((await bot.runtime.deps.sessionRequests.get(request?.id as string))?.status).toBe('booked');
    await eventually(
      async () => (await inbox('amy')).includes('booked the supervision session you asked for'),
      'Amy is told',
    );
    const again = await call('actions', 'james', {
      verb: 'session.book-request',
      data: { requestId: request?.id, date: day, time: '13:30' },
    });
    expect(again.status).toBe(403);
  });

  it('an unanswered request reaches the DSL after five school days', async () => {
    const asked = await say('ben', 'request');
    expect(asked.status).toBe(200);
    const [request] = await bot.runtime.deps.sessionRequests.openForContract('c-ben');
    await moveClockTo(cal.atLocalTime(cal.nextSchoolDay(request?.bookBy as string), '12:00'));
    await eventually(
      async () => (await inbox('priya')).includes('A session asked for is not booked: Ben Hughes'),
      'the DSL is told',
    );
  });
});
