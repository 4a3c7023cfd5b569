/**
 * Supervision from outside the school (stour §4), through the playground API (the cards Teams gets): Erin's
 * level-3 supervisor, Eve, is not in the school's chat. After the session's time Erin — not Eve — is asked whether
 * it happened; a stranger, Eve herself, the DSL and the admin may not answer for her; an owner who is neither Erin
 * nor Eve is refused at its field and nothing is written; "It happened" with two actions makes the record kept by
 * the external supervisor, signed by Erin alone, the actions open and the session held in the figures; the DSL may
 * read the record, the admin may not; at the next session "It did not happen" rebooks it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import type { Session } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { afterSession, dashboardTotals, EXTERNAL_CONTRACT, expectKeptRecord, moveClockTo, nextExternalSession, seedExternalContract, TWO_ACTIONS } from '../../support/external.js';
import { calendar } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let session: Session;

async function call(path: string, who: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': who };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = (who: string, verb: string, data: Record<string, unknown>) => call('actions', who, { verb, data });
const inbox = async (who: string) => JSON.stringify((await call('inbox', who)).body);

beforeAll(async () => {
  w = await createWorld('external_playground');
  await seedExternalContract(w);
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
  session = await nextExternalSession(w);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('a session with an external supervisor who is not in the school’s chat', () => {
  it('after its time Erin, not Eve, is asked whether it happened', async () => {
    await moveClockTo(w, bot, afterSession(session));
    const asked = await eventually(async () => ((await inbox('erin')).includes('Your session with Eve External was due at') ? inbox('erin') : undefined), 'Erin is asked');
    expect(asked).toContain('Did it happen?');
    expect(asked).toContain('session.kept-form');
    expect(asked).toContain('session.not-held');
    expect(await inbox('eve')).not.toContain('Did the session');
    // Erin's next offers her the answer too
    expect(JSON.stringify((await call('messages', 'erin', { text: 'next' })).body.entry.card)).toContain('session.check');
  });

  it('nobody else may answer it or open its form; an owner who is neither Erin nor Eve is refused at its field, and nothing is written', async () => {
    const day = calendar().localDate(session.startsAt);
    for (const who of ['eve', 'amy', 'dsl', 'admin', 'stranger']) {
      expect((await act(who, 'session.kept-form', { sessionId: session.id })).status, who).toBe(403);
      expect((await act(who, 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(day) })).status, who).toBe(403);
    }
    const refused = await act('erin', 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(day), owner1: 'amy' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('Action 2, by whom: you or Eve External');
    expect(await w.deps.records.bySession(session.id)).toBeNull();
    expect((await w.deps.sessions.get(session.id))?.status).toBe('scheduled');
  });

  it('"It happened" with two actions: kept by the external supervisor, signed by Erin, actions open, held in every figure', async () => {
    const before = await dashboardTotals(bot.url);
    const form = await act('erin', 'session.kept-form', { sessionId: session.id });
    expect(form.status).toBe(200);
    expect(form.body.entry.kind).toBe('kept-form');
    expect(JSON.stringify(form.body.entry.card)).toContain('Eve External keeps the minutes');
    const sent = await act('erin', 'session.kept', { sessionId: session.id, ...TWO_ACTIONS(calendar().localDate(session.startsAt)) });
    expect(sent.status).toBe(200);
    expect(sent.body.entry.kind).toBe('record-sheet');
    expect(JSON.stringify(sent.body.entry.card)).toContain('Kept by the external supervisor Eve External; actions recorded by Erin Early');
    await expectKeptRecord(w, session.id);
    const after = await dashboardTotals(bot.url);
    expect(after.held).toBe(before.held + 1);
    expect(after.signed).toBe(before.signed + 1);
    // /overdue lists neither an overdue session nor a record waiting for Eve
    const overdue = JSON.stringify((await call('messages', 'dsl', { text: '/overdue' })).body.entry.card);
    expect(overdue).not.toContain('Erin Early');
    // Erin's actions list shows hers; the DSL reads the record, the admin may not
    expect(JSON.stringify((await call('messages', 'erin', { text: 'actions' })).body.entry.card)).toContain('Read the agency’s guidance on lone working');
    const recordId = `rec.${session.id}`;
    expect((await act('dsl', 'record.refresh', { recordId })).status).toBe(200);
    expect((await act('admin', 'record.refresh', { recordId })).status).toBe(403);
    // sent again (a second click): the record stays as it was signed
    const again = await act('erin', 'session.kept', { sessionId: session.id, action0: 'Something else entirely', owner0: 'erin', due0: TWO_ACTIONS(calendar().localDate(session.startsAt)).due0 });
    expect(JSON.stringify(again.body)).not.toContain('Something else entirely');
    expect((await w.deps.records.bySession(session.id))?.actions.map((a) => a.text)).toEqual(['Read the agency’s guidance on lone working', 'Send the case summary template']);
  });

  it('the next session did not happen: Erin says so and picks the new time; it is rebooked', async () => {
    const next = await nextExternalSession(w);
    expect(next.id).not.toBe(session.id);
    await moveClockTo(w, bot, afterSession(next));
    await eventually(async () => (await inbox('erin')).includes(`Your session with Eve External was due at`) && (await inbox('erin')).includes(next.id), 'Erin is asked again');
    const cal = calendar();
    const day = cal.nextSchoolDay(cal.localDate(w.clock.now()));
    const res = await act('erin', 'session.not-held', { sessionId: next.id, reason: 'supervisor-absent', date: day, time: '10:00' });
    expect(res.status).toBe(200);
    const missed = await w.deps.sessions.get(next.id);
    expect(missed).toMatchObject({ status: 'missed', notHeldReason: 'supervisor-absent' });
    const rebooked = await w.deps.sessions.get(missed?.replacedBy ?? '');
    expect(rebooked).toMatchObject({ status: 'scheduled', contractId: EXTERNAL_CONTRACT });
    expect(cal.localDate(rebooked!.startsAt)).toBe(day);
  });
});
