/**
 * Support and a major incident (loughton "Support", §5), through the playground API on the demo school: the admin
 * edits the support contacts (refused field by field), and they are in `help`, on the agenda prompt and after a
 * risk of harm is flagged. The DSL declares an incident for James's team in chat; each of them is offered extra
 * supervision without the incident's name; Yes asks James to book it within five school days; Not now is asked
 * again once, ten school days on (the clock moved); the DSL sees the uptake as counts.
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
const mongoUrl = testMongoUrl('playground_incident');

async function call(path: string, person: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}${path.startsWith('/') ? path : `/playground/api/${path}`}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const say = (person: string, text: string) => call('messages', person, { text });
const inbox = async (person: string) => JSON.stringify((await call('inbox', person)).body);
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
  clock.set(cal.atLocalTime('2026-11-16', '07:30'));
  const config = loadConfig({ MONGODB_URI: mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
}, 300_000);
afterAll(async () => {
  await bot?.stop();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('support contacts', () => {
  it('the admin edits them: a bad number or name is refused by field and nothing changes; a good list is kept', async () => {
    const before = (await call('/tab/api/admin/organisation', 'priya')).body.supportContacts;
    expect(before.map((c: { name: string; phone: string }) => `${c.name} ${c.phone}`)).toEqual(['Education Support 08000 562 561', 'Samaritans 116 123']);
    const badPhone = await call('/tab/api/admin/organisation', 'priya', { supportContacts: [{ name: 'Samaritans', phone: 'call https://x.example' }] }, 'PATCH');
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error).toContain('supportContacts.0.phone');
    const noName = await call('/tab/api/admin/organisation', 'priya', { supportContacts: [{ name: 'Samaritans', phone: '116 123' }, { name: '', phone: '0800 111' }] }, 'PATCH');
    expect(noName.status).toBe(400);
    expect(noName.body.error).toContain('supportContacts.1.name');
    // a supervisee is no administrator
    expect((await call('/tab/api/admin/organisation', 'chloe', { supportContacts: [] }, 'PATCH')).status).toBe(403);
    expect((await bot.runtime.deps.organisations.get('meadowbank'))?.supportContacts).toHaveLength(2);
    const saved = await call(
      '/tab/api/admin/organisation',
      'priya',
      { supportContacts: [...before, { name: 'Leeds staff wellbeing <@here>', phone: '0113 222 4403', description: 'see https://evil.example' }] },
      'PATCH',
    );
    expect(saved.status).toBe(200);
    expect(saved.body.supportContacts).toHaveLength(3);
  });

  it('they are in help, as text', async () => {
    const help = JSON.stringify((await say('chloe', 'help')).body.entry.card);
    expect(help).toContain('Samaritans — 116 123');
    expect(help).toContain('Education Support — 08000 562 561');
    expect(help).toContain('Leeds staff wellbeing');
    expect(help).not.toContain('<@here>');
    expect(help).not.toContain('https://evil.example');
  });

  it('they are on the agenda prompt', async () => {
    await moveClockTo(cal.atLocalTime('2026-11-24', '09:00'));
    await eventually(async () => (await inbox('chloe')).includes('Supervision agenda'), 'Chloe’s agenda prompt');
    const prompt = await inbox('chloe');
    expect(prompt).toContain('Samaritans — 116 123');
    expect(prompt).toContain('0113 222 4403');
  });

  it('the person who flags a risk of harm is told who has it, with the support contacts', async () => {
    const flagged = await call('actions', 'chloe', { verb: 'agenda.add', data: { text: 'A child told me about things at home that worry me', riskOfHarm: true } });
    expect(flagged.status).toBe(200);
    const card = JSON.stringify(flagged.body.entry.card);
    expect(card).toContain('Support for you');
    expect(card).toContain('Samaritans — 116 123');
    // an item not flagged has none
    const plain = await call('actions', 'chloe', { verb: 'agenda.add', data: { text: 'Workload in December' } });
    expect(JSON.stringify(plain.body.entry.card)).not.toContain('Samaritans');
  });
});

const INCIDENT = 'Fall from the climbing frame on the Year 2 trip';
const offerIdOf = async (person: string) => {
  const id = /"offerId":"([^"]+)"/.exec(await inbox(person))?.[1];
  expect(id).toBeTruthy();
  return id as string;
};
const offersIn = async (person: string) => (await inbox(person)).split('"kind":"incident-offer"').length - 1;

describe('after a major incident', () => {
  it('only the DSL or headteacher declares one; `incident` alone says how', async () => {
    const refused = await say('chloe', 'incident everyone: something happened');
    expect(JSON.stringify(refused.body)).toContain('Only the DSL or the headteacher');
    expect(JSON.stringify((await say('james', 'incident status')).body)).toContain('Only the DSL or the headteacher');
    expect(JSON.stringify((await say('priya', 'incident')).body)).toContain('incident team');
    const nobody = await say('priya', 'incident Nobody Here: x');
    expect(JSON.stringify(nobody.body)).toContain('nobody here is called');
    expect(await bot.runtime.deps.incidents.forOrganisation('meadowbank')).toEqual([]);
  });

  it('the DSL declares one for James’s team: each is offered extra supervision, never told the incident’s name', async () => {
    const declared = await say('priya', `incident team James Whitfield: ${INCIDENT}`);
    expect(declared.status).toBe(200);
    const said = JSON.stringify(declared.body.entry);
    expect(said).toContain('Extra supervision offered to 4 people');
    for (const name of ['Amy Clarke', 'Ben Hughes', 'Chloe Evans', 'Daniel Price']) expect(said).toContain(name);
    await bot.runtime.queues.flushOutbox();
    for (const person of ['amy', 'ben', 'chloe', 'daniel']) {
      await eventually(async () => (await offersIn(person)) === 1, `${person}'s offer`);
      const chat = await inbox(person);
      expect(chat).toContain('After a recent incident');
      expect(chat).toContain('Samaritans — 116 123');
      expect(chat).not.toContain(INCIDENT);
    }
    expect(await offersIn('emma')).toBe(0);
    expect(await inbox('james')).not.toContain(INCIDENT);
  });

  it('a person answers only their own offer', async () => {
    const chloeOffer = await offerIdOf('chloe');
    const refused = await call('actions', 'amy', { verb: 'incident.answer', data: { offerId: chloeOffer, answer: 'yes' } });
    expect(refused.status).toBe(403);
    const bad = await call('actions', 'chloe', { verb: 'incident.answer', data: { offerId: chloeOffer, answer: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('data.answer');
    expect((await bot.runtime.deps.incidents.offer(chloeOffer))?.status).toBe('offered');
  });

  it('Yes asks the supervisor to book a session within five school days; the supervisor is told', async () => {
    const yes = await call('actions', 'chloe', { verb: 'incident.answer', data: { offerId: await offerIdOf('chloe'), answer: 'yes' } });
    expect(yes.status).toBe(200);
    const bookBy = cal.addSchoolDays(cal.localDate(clock.now()), 5);
    expect(JSON.stringify(yes.body.entry)).toContain(`James Whitfield will book a session with you by`);
    const [request] = await bot.runtime.deps.sessionRequests.openForContract('c-chloe');
    expect(request?.bookBy).toBe(bookBy);
    await eventually(async () => (await inbox('james')).includes('Chloe Evans asks for a supervision session'), 'James is asked to book it');
    expect(await inbox('james')).toContain('after a recent incident');
    const booked = await call('actions', 'james', { verb: 'session.book-request', data: { requestId: request?.id, date: cal.nextSchoolDay(cal.localDate(clock.now())), time: '12:30' } });
    expect(booked.status).toBe(200);
    await eventually(async () => (await inbox('chloe')).includes('booked the supervision session you asked for'), 'Chloe is told');
  });

  it('Not now is asked again once, ten school days on, and then not again', async () => {
    const notNow = await call('actions', 'ben', { verb: 'incident.answer', data: { offerId: await offerIdOf('ben'), answer: 'not-now' } });
    expect(notNow.status).toBe(200);
    const again = cal.addSchoolDays(cal.localDate(clock.now()), 10);
    expect(JSON.stringify(notNow.body.entry)).toContain('You will be asked once more on');
    await moveClockTo(cal.atLocalTime(cal.previousSchoolDay(again), '17:00'));
    // the school day before: not asked yet, and the question still waiting for its day
    expect(await inbox('ben')).not.toContain('Asking once more');
    const waiting = await bot.runtime.deps.reminders.pending(new Date(0), new Date(clock.now().getTime() + 86_400_000 * 30));
    expect(waiting.filter((r) => r.kind === 'incident-offer-again').map((r) => cal.localDate(r.dueAt))).toEqual([again]);
    await moveClockTo(cal.atLocalTime(again, '12:00'));
    await eventually(async () => (await inbox('ben')).includes('Asking once more'), 'Ben is asked again');
    const second = await call('actions', 'ben', { verb: 'incident.answer', data: { offerId: await offerIdOf('ben'), answer: 'not-now' } });
    expect(JSON.stringify(second.body.entry)).toContain('You will not be asked again');
    await moveClockTo(cal.atLocalTime(cal.addSchoolDays(again, 12), '12:00'));
    expect((await bot.runtime.deps.reminders.pending(new Date(0), new Date(clock.now().getTime() + 86_400_000 * 60))).filter((r) => r.kind === 'incident-offer-again')).toEqual([]);
    expect((await inbox('ben')).split('Asking once more').length - 1).toBe(1);
  });

  it('the DSL sees the uptake as counts, with the incident’s name; nobody’s reasons; a session recorded counts as held', async () => {
    const status = JSON.stringify((await say('priya', 'incident status')).body.entry);
    expect(status).toContain(INCIDENT);
    expect(status).toContain('offered 4, accepted 1, not now 1, not answered 2, held 0');
    // James records the session Chloe asked for: it was held
    const offer = await bot.runtime.deps.incidents.offer(await offerIdOf('chloe'));
    const request = await bot.runtime.deps.sessionRequests.get(offer?.requestId as string);
    const recorded = await call('actions', 'james', { verb: 'record.submit', data: { sessionId: request?.sessionId, topics: 'impact-on-individual', notes: 'Talked through the trip and what has helped since' } });
    expect(recorded.status).toBe(200);
    expect((await bot.runtime.deps.sessions.get(request?.sessionId as string))?.status).toBe('held');
    expect(JSON.stringify((await say('priya', 'incident status')).body.entry)).toContain('offered 4, accepted 1, not now 1, not answered 2, held 1');
  });
});
