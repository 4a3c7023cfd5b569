/**
 * One and only one future session per contract, at every moment (issue 12, template "intervals"), through the
 * playground API (the conversation Teams uses too) and the start-up booking pass: a session that passed with no
 * record, the start-up pass run while it awaits "did it happen?", then each answer — it did not happen (rebooked),
 * Record it (with and without a next session named) — and a move, a session asked for and booked (extra, on
 * request), and a record naming the next session while that extra one is booked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { calendar, london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
/** Ben's session of Tue 11 Nov, moved to 11:00 that day. */
let benSession = '';
const cal = calendar();

async function call(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = (person: string, verb: string, data: Record<string, unknown>) => call('actions', person, { verb, data });
const say = (person: string, text: string) => call('messages', person, { text });

/** The contract's sessions still to come: the cadence's (exactly one, always) and any booked on request. */
async function ahead(contractId: string) {
  const now = w.clock.now();
  const future = (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled' && s.startsAt > now);
  return { cadence: future.filter((s) => !s.onRequest), onRequest: future.filter((s) => s.onRequest) };
}
async function expectOneFuture(contractId: string, at?: Date) {
  const { cadence } = await ahead(contractId);
  expect(cadence.map((s) => s.id)).toHaveLength(1);
  if (at) expect(cadence[0]?.startsAt.toISOString()).toBe(at.toISOString());
  return cadence[0]!;
}
/** Time passes to a moment; what falls due by then fires. */
async function passTo(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}
/** The bot restarts: its start-up pass books every contract's next session and puts the reminders back. */
const startUpPass = () => bot.runtime.queues.rebuildReminders();

beforeAll(async () => {
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45; Ben is moved off that time so the two never clash
  w = await createWorld('pg_one_future');
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  w.clock.set(london('2025-11-10T09:00'));
  const moved = await act('sup', 'session.move', { sessionId: 'c-ben.2025-11-11', date: '2025-11-11', time: '11:00', reason: 'Sam teaches at 15:45 on Tuesdays' });
  expect(moved.status).toBe(200);
  await expectOneFuture('c-amy', london('2025-11-11T15:45'));
  benSession = (await expectOneFuture('c-ben', london('2025-11-11T11:00'))).id;
});
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('a session passed with no record, and the start-up pass', () => {
  it('while it awaits "did it happen?", the start-up pass books the one next session — run twice, still one', async () => {
    await passTo(london('2025-11-11T17:15'));
    expect((await w.deps.sessions.get('c-amy.2025-11-11'))?.status).toBe('scheduled');
    await startUpPass();
    const booked = await expectOneFuture('c-amy');
    await startUpPass();
    expect((await expectOneFuture('c-amy')).id).toBe(booked.id);
    await expectOneFuture('c-ben');
  });

  it('a move of the passed session is refused (it is answered, not moved); nothing changes', async () => {
    const before = await expectOneFuture('c-amy');
    const refused = await act('amy', 'session.move', { sessionId: 'c-amy.2025-11-11', date: '2025-11-20', time: '10:00' });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('say whether it happened');
    expect((await w.deps.sessions.get('c-amy.2025-11-11'))?.status).toBe('scheduled');
    expect((await expectOneFuture('c-amy')).id).toBe(before.id);
  });

  it('"it did not happen" → rebooked: the session booked meanwhile is replaced, one future session stays; a restart adds none', async () => {
    const meanwhile = await expectOneFuture('c-amy');
    const done = await act('sup', 'session.not-held', { sessionId: 'c-amy.2025-11-11', reason: 'supervisee-absent', date: '2025-11-14', time: '10:00' });
    expect(done.status).toBe(200);
    expect((await w.deps.sessions.get('c-amy.2025-11-11'))?.status).toBe('missed');
    expect((await w.deps.sessions.get(meanwhile.id))?.status).toBe('cancelled');
    await expectOneFuture('c-amy', london('2025-11-14T10:00'));
    await startUpPass();
    await expectOneFuture('c-amy', london('2025-11-14T10:00'));
  });

  it('Record it, with no next session named: the next is the cadence’s from the session held, not the one booked meanwhile', async () => {
    // Ben's session of 11 Nov passed too, and the start-up pass booked his next at once (he was due)
    const meanwhile = await expectOneFuture('c-ben');
    expect(cal.localDate(meanwhile.startsAt) < '2025-11-20').toBe(true);
    const submitted = await act('sup', 'record.submit', { sessionId: benSession, topics: 'performance', notes: 'Talked the term through' });
    expect(submitted.status).toBe(200);
    expect((await w.deps.sessions.get(benSession))?.status).toBe('held');
    // four weeks from Tue 11 Nov: Tue 9 Dec, at the contract's time
    const next = await expectOneFuture('c-ben', london('2025-12-09T15:45'));
    expect(next.id).not.toBe(meanwhile.id);
    expect((await w.deps.sessions.get(meanwhile.id))?.status).toBe('cancelled');
    for (const who of ['sup', 'ben']) expect((await act(who, 'record.confirm', { recordId: `rec.${benSession}`, version: 1 })).status, who).toBe(200);
    await expectOneFuture('c-ben', london('2025-12-09T15:45'));
    await eventually(async () => {
      await bot.runtime.queues.flushOutbox();
      return JSON.stringify((await call('inbox', 'ben')).body).includes('Your next supervision session is now Tue 9 Dec 2025, 15:45');
    }, 'Ben is told the next session');
    await startUpPass();
    await expectOneFuture('c-ben', london('2025-12-09T15:45'));
  });
});

describe('moves, requests and the record’s next session', () => {
  it('a move keeps one future session', async () => {
    const current = await expectOneFuture('c-amy', london('2025-11-14T10:00'));
    w.clock.set(london('2025-11-12T09:00'));
    expect((await act('amy', 'session.move', { sessionId: current.id, date: '2025-11-17', time: '10:00', reason: 'A course on Friday' })).status).toBe(200);
    await expectOneFuture('c-amy', london('2025-11-17T10:00'));
  });

  it('request → booked: an extra session on request, and still one cadence session', async () => {
    expect((await say('amy', 'request')).status).toBe(200);
    const [request] = await w.deps.sessionRequests.openForContract('c-amy');
    expect(request).toBeTruthy();
    const booked = await act('sup', 'session.book-request', { requestId: request?.id, date: '2025-11-13', time: '12:30' });
    expect(booked.status).toBe(200);
    const { cadence, onRequest } = await ahead('c-amy');
    expect(cadence.map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-17T10:00').toISOString()]);
    expect(onRequest.map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-13T12:30').toISOString()]);
    await startUpPass();
    expect((await ahead('c-amy')).cadence).toHaveLength(1);
  });

  it('a record naming the next session, signed while the extra session is booked, moves the cadence’s session, not the extra one', async () => {
    // the extra session is held and recorded; the record names the next for Mon 8 Dec
    await passTo(london('2025-11-13T14:00'));
    const extra = (await w.deps.sessions.byContract('c-amy')).find((s) => s.onRequest) as { id: string };
    const submitted = await act('sup', 'record.submit', { sessionId: extra.id, topics: 'impact-on-individual', notes: 'Talked through the worry', nextDate: '2025-12-08', nextTime: '15:45' });
    expect(submitted.status).toBe(200);
    for (const who of ['sup', 'amy']) expect((await act(who, 'record.confirm', { recordId: `rec.${extra.id}`, version: 1 })).status, who).toBe(200);
    const { cadence, onRequest } = await ahead('c-amy');
    expect(cadence.map((s) => s.startsAt.toISOString())).toEqual([london('2025-12-08T15:45').toISOString()]);
    expect(onRequest).toEqual([]);
    expect((await w.deps.sessions.get(extra.id))?.status).toBe('held');
  });

  it('a record naming the next session, signed: that is the one future session', async () => {
    const current = await expectOneFuture('c-ben', london('2025-12-09T15:45'));
    await passTo(london('2025-12-09T17:00'));
    const submitted = await act('sup', 'record.submit', { sessionId: current.id, topics: 'organisational', notes: 'Planning for January', nextDate: '2026-01-13', nextTime: '11:00' });
    expect(submitted.status).toBe(200);
    await expectOneFuture('c-ben', london('2026-01-13T11:00'));
    for (const who of ['sup', 'ben']) expect((await act(who, 'record.confirm', { recordId: `rec.${current.id}`, version: 1 })).status, who).toBe(200);
    await expectOneFuture('c-ben', london('2026-01-13T11:00'));
    await startUpPass();
    await expectOneFuture('c-ben', london('2026-01-13T11:00'));
  });

  it('a record naming a time the supervisor already has with someone else is refused, offering the next free time; that time is then booked', async () => {
    const ben = await expectOneFuture('c-ben', london('2026-01-13T11:00'));
    const current = await expectOneFuture('c-amy');
    await passTo(new Date(current.startsAt.getTime() + 2 * 3600_000));
    const form = { sessionId: current.id, topics: 'organisational', notes: 'Planning for January', nextDate: '2026-01-13' };
    const clash = await act('sup', 'record.submit', { ...form, nextTime: '11:00' });
    expect(clash.status).toBe(400);
    expect(clash.body.error.field).toBe('nextSessionAt');
    // the first quarter hour at or after Ben's session ends, on the same day
    const free = new Date(Math.ceil((ben.startsAt.getTime() + ben.durationMinutes * 60_000) / 900_000) * 900_000);
    const freeText = free.toISOString().slice(11, 16); // London is on GMT in January
    expect(clash.body.error.message).toMatch(new RegExp(`^Next session: that time clashes with another supervision session the supervisor has at Tue 13 Jan 2026, 11:00\\. The next free time is Tue 13 Jan 2026, ${freeText}\\.$`));
    // nothing was written: the session still awaits its record
    expect(await w.deps.records.latest(`rec.${current.id}`)).toBeNull();
    expect((await w.deps.sessions.get(current.id))?.status).toBe('scheduled');

    expect((await act('sup', 'record.submit', { ...form, nextTime: freeText })).status).toBe(200);
    for (const who of ['sup', 'amy']) expect((await act(who, 'record.confirm', { recordId: `rec.${current.id}`, version: 1 })).status, who).toBe(200);
    await expectOneFuture('c-amy', free);
    await expectOneFuture('c-ben', london('2026-01-13T11:00'));
  });
});
