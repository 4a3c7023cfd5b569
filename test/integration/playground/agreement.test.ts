/**
 * The supervision agreement signed in chat (white-laith B, template "supervision agreement"), through the real
 * endpoints on the demo school: the dashboard's contracts API creates a contract, both parties get the agreement
 * card in the playground (the Teams cards), a question goes to the supervisor, `/overdue` lists the contract as
 * waiting for signatures, nothing is booked until the last Agree books the first session; a change of terms asks
 * again and an Agree on the old card is refused; the DSL starts a contract early with a reason (others refused);
 * the contracts screen shows who signed and when.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { createLogger } from '../../../src/logger.js';
import type { ContractsView, ContractView } from '../../../src/web/tab/api-types.js';
import { eventually } from '../../support/eventually.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

let bot: Bot;
let conn: mongoose.Connection;
const clock = new AdjustableClock();
const cal = new SchoolCalendar(demoOrganisation());
const mongoUrl = testMongoUrl('playground_agreement');

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
type Json = Record<string, any>;
async function http(method: string, path: string, person: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
const call = (path: string, person: string, body?: unknown) => http(body === undefined ? 'GET' : 'POST', `/playground/api/${path}`, person, body);
const act = (person: string, verb: string, data: Record<string, unknown>) => call('actions', person, { verb, data });
const inbox = async (person: string) => JSON.stringify((await call('inbox', person)).body);
/** The outbox is delivered by the notification workers: the chat once it holds `text`. */
const chatWith = async (person: string, text: string) => {
  await bot.runtime.queues.flushOutbox();
  return eventually(async () => {
    const chat = await inbox(person);
    return chat.includes(text) ? chat : undefined;
  }, `${person} sees ${text}`);
};
const termsIn = (text: string) => /\\?"terms\\?":\\?"([0-9a-f]{16})/.exec(text)?.[1];
const audited = (action: string, subject: string) => conn.collection('audit').countDocuments({ action, 'subject.id': subject });

const TERMS = { kind: 'one-to-one', supervisorId: 'james', superviseeIds: ['emma'], cadence: 'monthly', durationMinutes: 60, location: 'Room 12', level: 1, disputeRoute: 'line-manager', startDate: '2026-11-23' };

beforeAll(async () => {
  clock.set(cal.atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({ MONGODB_URI: mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock, prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)) });
  conn = await mongoose.createConnection(mongoUrl).asPromise();
}, 300_000);
afterAll(async () => {
  await bot?.stop();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('the supervision agreement', () => {
  let contract: ContractView;
  let terms: string;

  it('a new contract waits for signatures: nothing booked, the agreement card to both parties', async () => {
    const created = await http('POST', '/tab/api/admin/contracts', 'priya', { ...TERMS, reference: 'agree-one' });
    expect(created.status).toBe(201);
    contract = created.body as ContractView;
    expect(contract.agreement).toMatchObject({ waiting: true, signed: [], waitingNames: ['James Whitfield', 'Emma Wood'], startedEarly: false });
    expect(await bot.runtime.deps.sessions.byContract(contract.id)).toEqual([]);
    for (const person of ['james', 'emma']) {
      const chat = await chatWith(person, 'Supervision agreement');
      expect(chat).toContain('Every month');
      expect(chat).toContain('at risk of significant harm');
      expect(chat).toContain('agreement.agree');
      terms = termsIn(chat) as string;
    }
    expect(terms).toMatch(/^[0-9a-f]{16}$/);
    expect(await audited('contract.agreement-requested', contract.id)).toBe(1);
  });

  it('a question goes to the supervisor as a message; a blank one is named and sends nothing', async () => {
    const blank = await act('emma', 'agreement.ask', { contractId: contract.id, question: '  ' });
    expect(blank.status).toBe(400);
    expect(JSON.stringify(blank.body)).toContain('question');
    const asked = await act('emma', 'agreement.ask', { contractId: contract.id, question: 'Could we meet in the library on Thursdays instead?' });
    expect(asked.status).toBe(200);
    const chat = await chatWith('james', 'A question about the supervision agreement');
    expect(chat).toContain('Could we meet in the library on Thursdays instead?');
    // someone not party to it is refused, and nothing is sent
    expect((await act('farah', 'agreement.ask', { contractId: contract.id, question: 'What is this contract about, please?' })).status).not.toBe(200);
  });

  it('/overdue lists it as waiting for signatures, naming who has not agreed', async () => {
    const card = JSON.stringify((await call('messages', 'priya', { text: '/overdue signatures' })).body);
    expect(card).toContain('Waiting for signatures');
    expect(card).toContain('not yet agreed by James Whitfield, Emma Wood');
  });

  it('only a party signs; the first Agree books nothing, the last books the first session at once', async () => {
    expect((await act('farah', 'agreement.agree', { contractId: contract.id, terms })).status).not.toBe(200);
    const emma = await act('emma', 'agreement.agree', { contractId: contract.id, terms });
    expect(emma.status).toBe(200);
    expect(JSON.stringify(emma.body)).toContain('You agreed on Mon 23 Nov 2026');
    expect(await bot.runtime.deps.sessions.byContract(contract.id)).toEqual([]);
    // twice is once
    expect((await act('emma', 'agreement.agree', { contractId: contract.id, terms })).status).toBe(200);
    expect((await act('james', 'agreement.agree', { contractId: contract.id, terms })).status).toBe(200);
    const sessions = await bot.runtime.deps.sessions.byContract(contract.id);
    expect(sessions.map((s) => s.status)).toEqual(['scheduled']);
    expect(await audited('contract.agreed', contract.id)).toBe(2);
    await chatWith('emma', 'Everyone has agreed to the supervision agreement');
    const overdue = JSON.stringify((await call('messages', 'priya', { text: '/overdue signatures' })).body);
    expect(overdue).not.toContain('not yet agreed by James Whitfield, Emma Wood');
  });

  it('the contracts screen shows who signed and when', async () => {
    const list = (await http('GET', '/tab/api/admin/contracts', 'priya')).body as ContractsView;
    const shown = list.contracts.find((c) => c.id === contract.id);
    expect(shown?.agreement.waiting).toBe(false);
    expect(shown?.agreement.signed.map((s) => s.name).sort()).toEqual(['Emma Wood', 'James Whitfield']);
    expect(shown?.agreement.signed[0]?.signedText).toContain('Mon 23 Nov 2026');
  });

  it('a change of terms asks everyone again; an Agree on the old card is refused', async () => {
    const edited = await http('PUT', `/tab/api/admin/contracts/${contract.id}`, 'priya', { ...TERMS, location: 'Library office' });
    expect(edited.status).toBe(200);
    expect((edited.body as ContractView).agreement).toMatchObject({ waiting: true, signed: [] });
    const stale = await act('emma', 'agreement.agree', { contractId: contract.id, terms });
    expect(stale.status).not.toBe(200);
    expect(JSON.stringify(stale.body)).toContain('have changed since this card was sent');
    const fresh = termsIn(await chatWith('emma', 'Library office'));
    expect(fresh).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh).not.toBe(terms);
  });

  it('the DSL starts a contract before everyone has agreed, with a reason; nobody else may', async () => {
    const second = (await http('POST', '/tab/api/admin/contracts', 'priya', { ...TERMS, supervisorId: 'aisha', superviseeIds: ['farah'], reference: 'agree-two' })).body as ContractView;
    expect(await bot.runtime.deps.sessions.byContract(second.id)).toEqual([]);
    expect((await http('POST', `/tab/api/contracts/${second.id}/start`, 'aisha', { reason: 'Farah starts in a new role this week' })).status).toBe(403);
    const blank = await http('POST', `/tab/api/contracts/${second.id}/start`, 'priya', { reason: '' });
    expect(blank).toMatchObject({ status: 400, body: { field: 'body.reason' } });
    const extra = await http('POST', `/tab/api/contracts/${second.id}/start`, 'priya', { reason: 'x', why: 'y' });
    expect(extra).toMatchObject({ status: 400, body: { field: 'body.why' } });
    expect(await bot.runtime.deps.sessions.byContract(second.id)).toEqual([]);
    const started = await http('POST', `/tab/api/contracts/${second.id}/start`, 'priya', { reason: 'Farah starts in a new role this week' });
    expect(started.status).toBe(200);
    expect(started.body.text).toContain('Started before everyone has agreed');
    expect((await bot.runtime.deps.sessions.byContract(second.id)).map((s) => s.status)).toEqual(['scheduled']);
    expect(await audited('contract.started-early', second.id)).toBe(1);
    const list = (await http('GET', '/tab/api/admin/contracts', 'priya')).body as ContractsView;
    expect(list.contracts.find((c) => c.id === second.id)?.agreement).toMatchObject({ waiting: true, startedEarly: true });
  });
});

describe('start <name>: <reason> typed in chat', () => {
  it('the DSL starts a waiting contract by typing; anyone else is refused in words and nothing is booked', async () => {
    const third = (await http('POST', '/tab/api/admin/contracts', 'priya', { ...TERMS, supervisorId: 'aisha', superviseeIds: ['george'], reference: 'agree-three' })).body as ContractView;
    const refused = JSON.stringify((await call('messages', 'james', { text: `start ${third.id}: George moves to the pastoral team` })).body);
    expect(refused).toContain('Only the DSL or a deputy starts a contract');
    expect(JSON.stringify((await call('messages', 'priya', { text: `start ${third.id}` })).body)).toContain('reason: say why after a colon');
    expect(await bot.runtime.deps.sessions.byContract(third.id)).toEqual([]);
    const started = JSON.stringify((await call('messages', 'priya', { text: `start ${third.id}: George moves to the pastoral team` })).body);
    expect(started).toContain('Started before everyone has agreed');
    expect((await bot.runtime.deps.sessions.byContract(third.id)).map((s) => s.status)).toEqual(['scheduled']);
    expect(await audited('contract.started-early', third.id)).toBe(1);
  });
});

describe('the annual review', () => {
  it('a month before the review date the supervisor gets the review card; keeping it sets the next review a year on and asks everyone again', async () => {
    const created = (await http('POST', '/tab/api/admin/contracts', 'priya', { ...TERMS, superviseeIds: ['george'], supervisorId: 'james', reference: 'agree-review', reviewDueDate: '2026-12-10' })).body as ContractView;
    const first = (await bot.runtime.deps.contracts.get(created.id))?.agreement?.terms as string;
    for (const party of ['george', 'james']) expect((await act(party, 'agreement.agree', { contractId: created.id, terms: first })).status).toBe(200);
    await bot.runtime.queues.fireDueReminders();
    const card = await chatWith('james', 'Annual review: your supervision contract with George Lee');
    expect(card).toContain('contract.review');
    // only its supervisor reviews it
    expect((await act('george', 'contract.review', { contractId: created.id, keep: true })).status).not.toBe(200);
    const kept = await act('james', 'contract.review', { contractId: created.id, keep: true });
    expect(kept.status).toBe(200);
    expect(JSON.stringify(kept.body)).toContain('the next review is Tue 23 Nov 2027');
    const after = await bot.runtime.deps.contracts.get(created.id);
    expect(after).toMatchObject({ reviewDueDate: '2027-11-23', awaitingSignatures: true, supervisorIds: ['james'], location: 'Room 12' });
    expect(after?.agreement?.terms).not.toBe(first);
    await chatWith('george', 'Tue 23 Nov 2027');
    expect(await audited('contract.reviewed', created.id)).toBe(1);
  });

  it('a change of terms at the review: refused in words when wrong, else saved and sent to everyone to agree', async () => {
    const bad = await act('aisha', 'contract.review', { contractId: 'c-george', keep: false, durationMinutes: '200' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('at most 120 minutes');
    const changed = await act('aisha', 'contract.review', { contractId: 'c-george', keep: false, cadence: 'termly', durationMinutes: '45', location: 'Quiet room', level: '1', supervisorId: 'james' });
    expect(changed.status).toBe(200);
    expect(await bot.runtime.deps.contracts.get('c-george')).toMatchObject({ supervisorIds: ['james'], cadence: { kind: 'termly' }, durationMinutes: 45, location: 'Quiet room', reviewDueDate: '2027-11-23', awaitingSignatures: true });
    const chat = await chatWith('george', 'Quiet room');
    expect(chat).toContain('Every term');
  });

  it('a review past its date is on /overdue until the supervisor reviews it', async () => {
    const before = JSON.stringify((await call('messages', 'priya', { text: '/overdue reviews' })).body);
    expect(before).toContain('Hannah Moss');
    expect((await act('aisha', 'contract.review', { contractId: 'c-hannah', keep: true })).status).toBe(200);
    const after = JSON.stringify((await call('messages', 'priya', { text: '/overdue reviews' })).body);
    expect(after).not.toContain('Hannah Moss');
  });
});
