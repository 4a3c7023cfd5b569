/**
 * Handover when a contract's supervisor changes, through the playground (the card Teams gets) and the dashboard's
 * contracts API: Amy's supervisor changes from Sam to Sue; Sam gets the handover form with each open action; a
 * close without a note is refused in words and writes nothing; written, the kept actions are Sue's to chase, the
 * closed one is closed with its note (audited), the case decision passes to Sue, Sue receives the handover and
 * Amy is told who her supervisor is now and when her next session is. The DSL sees it pending in `/overdue`
 * until then; neither the admin nor Amy can open it. A supervisor who has left: the DSL writes it.
 */
import type { PersonFile } from '../../../src/app/evidence/person-file.js';
import type { PersonHistoryView } from '../../../src/web/tab/api-types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { changeSupervisor, expectNothingLost, seedOpenWork } from '../../support/handover.js';
import { contract, london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let work: Awaited<ReturnType<typeof seedOpenWork>>;

async function call(path: string, who: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-playground-person': who };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON is read loosely here, as in api.test.ts
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const act = (who: string, entryId: string, verb: string, data: Record<string, unknown>) => call('actions', who, { ...(entryId ? { entryId } : {}), verb, data });
// biome-ignore lint/suspicious/noExplicitAny: as above
const inboxEntry = (who: string, kind: string) => eventually(async () => ((await call('inbox', who)).body.entries as Array<Record<string, any>>).find((e) => e.kind === kind), `${who}: ${kind}`);

beforeAll(async () => {
  w = await createWorld('handover_playground');
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business' }));
  await w.deps.people.upsert(person('old', ['supervisor'], { name: 'Olive Oldham' }));
  await w.deps.people.upsert(person('cara', ['supervisee'], { name: 'Cara Carer' }));
  await w.deps.contracts.upsert(contract({ id: 'c-cara', supervisorIds: ['old'], superviseeIds: ['cara'] }));
  work = await seedOpenWork(w, 'c-amy', 'sup', 'amy');
  w.clock.set(london('2025-11-17T09:00'));
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('handover in the playground', () => {
  let form = '';
  let handoverId = '';

  it('the supervisor is changed in the dashboard: Sam gets the handover form with the open actions; the DSL sees it pending', async () => {
    expect((await changeSupervisor(bot.url, 'c-amy', 'sup2', ['amy'])).status).toBe(200);
    const [pending] = await w.deps.handovers.pendingForContract('c-amy');
    expect(pending).toMatchObject({ fromId: 'sup', toId: 'sup2', superviseeIds: ['amy'], state: 'pending' });
    handoverId = pending!.id;
    const entry = await inboxEntry('sup', 'handover-form');
    form = entry.id;
    const card = JSON.stringify(entry.card);
    for (const t of ['Read the updated attendance protocol', 'Ask the head about cover for the training day', 'Book the phonics observation with Year 1', 'handover.submit', 'Sue Other']) expect(card).toContain(t);
    const overdue = await call('messages', 'dsl', { text: '/overdue' });
    expect(JSON.stringify(overdue.body.entry.card)).toContain('Handover not written: Amy Teacher’s supervision passes to Sue Other');
  });

  it('the admin and the supervisee cannot open it; Sue may not write it', async () => {
    for (const who of ['admin', 'amy', 'stranger']) expect((await act(who, '', 'handover.open', { handoverId })).status).toBe(403);
    expect((await act('sup2', '', 'handover.submit', { handoverId, themes: 'Forged themes for the handover' })).status).toBe(403);
  });

  it('an action closed without a note is refused in words, and nothing is written', async () => {
    const before = JSON.stringify(await w.deps.actions.openForContract('c-amy'));
    const ids = [work.keep, work.mine, work.close].join(',');
    const refused = await act('sup', form, 'handover.submit', { handoverId, actionIds: ids, outcome0: 'keep', outcome1: 'keep', outcome2: 'close', themes: 'Workload and the new attendance duties' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('a note is needed to close it');
    expect(JSON.stringify(await w.deps.actions.openForContract('c-amy'))).toBe(before);
    expect((await w.deps.handovers.get(handoverId))?.state).toBe('pending');
  });

  it('written: kept actions are Sue’s, the closed one has its note, Sue receives it, Amy is told; nothing open is lost', async () => {
    const ids = [work.keep, work.mine, work.close].join(',');
    const { status, body } = await act('sup', form, 'handover.submit', {
      handoverId,
      actionIds: ids,
      outcome0: 'keep',
      outcome1: 'keep',
      outcome2: 'close',
      note2: 'The observation happened at the Year 1 review instead',
      themes: 'Workload and the new attendance duties',
      note: 'Amy is settling well into the pastoral role; check in on the parents’ evening',
    });
    expect(status).toBe(200);
    expect(body.entry.kind).toBe('handover');
    expect(JSON.stringify(body.entry.card)).toContain('Handover sent to Sue Other');
    expect(await w.deps.actions.get(work.keep)).toMatchObject({ status: 'open', ownerId: 'amy', supervisorId: 'sup2', handedOverFrom: 'sup' });
    expect(await w.deps.actions.get(work.mine)).toMatchObject({ status: 'open', ownerId: 'sup2', supervisorId: 'sup2' });
    expect(await w.deps.actions.get(work.close)).toMatchObject({ status: 'not-needed', closedById: 'sup', notNeeded: { reason: 'The observation happened at the Year 1 review instead' } });
    expect((await w.deps.caseDecisions.get('rec-c-amy', 'd1'))?.followUpById).toBe('sup2');
    await expectNothingLost(w, 'c-amy', [work.keep, work.mine, work.close], 'sup2', 'sup');
    // the late action's reminder now goes to its new owner
    expect((await w.deps.reminders.get(`action-late:${work.mine}`))?.recipientIds).toEqual(['sup2']);
    const entries = await w.deps.audit.entries(w.org.id);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['handover.started', 'handover.written', 'action.not-needed']));
    const received = JSON.stringify((await inboxEntry('sup2', 'handover')).card);
    for (const t of ['Workload and the new attendance duties', 'Amy is settling well', 'Read the updated attendance protocol', 'The observation happened at the Year 1 review instead', 'JB']) expect(received).toContain(t);
    const told = await eventually(async () => ((await call('inbox', 'amy')).body.entries as Array<{ message?: string }>).find((e) => e.message?.startsWith('Your supervisor is now Sue Other')), 'Amy told');
    expect(told.message).toMatch(/Your next session is (Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2} 2025, \d{2}:\d{2} \(Meeting room 2\)|not booked yet/);
    // read again by those who may: Sue and the DSL; still never the admin
    expect((await act('sup2', '', 'handover.open', { handoverId })).body.entry.kind).toBe('handover');
    expect((await act('dsl', '', 'handover.open', { handoverId })).body.entry.kind).toBe('handover');
    expect((await act('admin', '', 'handover.open', { handoverId })).status).toBe(403);
    expect(JSON.stringify((await call('messages', 'dsl', { text: '/overdue' })).body.entry.card)).not.toContain('Amy Teacher’s supervision passes to');
  });

  it('Amy’s history on the dashboard and her supervision file show it: who wrote it, when, what was carried over; its words only to Sue and the DSL', async () => {
    const history = async (who: string, personId = 'amy') => {
      const res = await fetch(`${bot.url}/tab/api/people/${personId}`, { headers: { 'x-playground-person': who } });
      expect(res.status, who).toBe(200);
      return ((await res.json()) as PersonHistoryView).handovers;
    };
    const NOTE = 'Amy is settling well into the pastoral role';
    const THEMES = 'Workload and the new attendance duties';
    // the DSL reads Amy's history; Sue her own, where the contract she took over shows
    for (const [who, personId] of [['dsl', 'amy'], ['sup2', 'sup2']] as const) {
      const [row] = await history(who, personId);
      expect(row, who).toMatchObject({ fromName: 'Sam Supervisor', toName: 'Sue Other', stateText: expect.stringMatching(/^Written by Sam Supervisor on Mon 17 Nov 2025, \d{2}:\d{2}$/) });
      expect(row?.carriedOverText, who).toBe('2 open actions carried over to Sue Other, 1 closed with a note; themes for the next sessions; a note for the incoming supervisor');
      expect(row?.note, who).toContain(NOTE);
      expect(row?.themes, who).toBe(THEMES);
    }
    // Amy reads her own history, and the headteacher hers: that it happened, by whom and what was carried over,
    // not the words written for Sue
    for (const who of ['amy', 'head']) {
      const [row] = await history(who);
      expect(row?.carriedOverText, who).toContain('2 open actions carried over to Sue Other');
      expect(JSON.stringify(row), who).not.toContain(NOTE);
      expect(JSON.stringify(row), who).not.toContain(THEMES);
    }
    const file = await fetch(`${bot.url}/tab/api/people/amy/file.json`, { headers: { 'x-playground-person': 'dsl' } });
    expect(file.status).toBe(200);
    const handovers = ((await file.json()) as PersonFile).handovers;
    expect(handovers).toHaveLength(1);
    expect(handovers[0]).toMatchObject({ fromName: 'Sam Supervisor', toName: 'Sue Other', note: expect.stringContaining(NOTE), carriedOverText: expect.stringContaining('1 closed with a note') });
  });

  it('a supervisor who has left: the DSL gets the form and writes it', async () => {
    const old = await w.deps.people.get('old');
    await w.deps.people.upsert({ ...old!, active: false, leftAt: london('2025-11-14T16:00') });
    expect((await changeSupervisor(bot.url, 'c-cara', 'sup2', ['cara'])).status).toBe(200);
    const entry = await inboxEntry('dsl', 'handover-form');
    expect(JSON.stringify(entry.card)).toContain('Olive Oldham has left');
    const [pending] = await w.deps.handovers.pendingForContract('c-cara');
    const written = await act('dsl', entry.id, 'handover.submit', { handoverId: pending!.id, themes: 'Cara is new to the role this term' });
    expect(written.status).toBe(200);
    expect(await w.deps.handovers.get(pending!.id)).toMatchObject({ state: 'written', writtenById: 'dsl', toId: 'sup2' });
    await inboxEntry('cara', 'text');
  });

  it('supervisors trained: the admin sets training dates on the People page API; /overdue lists the lapsed and the lapsing', async () => {
    const training = (id: string, who: string, body: unknown) =>
      fetch(`${bot.url}/tab/api/admin/people/${id}/training`, { method: 'PUT', headers: { 'x-playground-person': who, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const lapsed = await training('sup', 'admin', { date: '2023-10-01' });
    expect(lapsed.status).toBe(200);
    expect(await lapsed.json()).toEqual({ date: '2023-10-01', renewalMonths: 24, lapsesOn: '2025-10-01' });
    expect((await training('sup2', 'admin', { date: '2025-01-20', renewalMonths: 12 })).status).toBe(200);
    expect((await training('dsl', 'admin', { date: '2025-06-01' })).status).toBe(200);
    expect((await training('sup', 'sup', { date: '2025-10-01' })).status).toBe(403);
    const bad = await training('sup', 'admin', { date: '2025-02-30' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'date' });
    expect((await w.deps.people.get('sup'))?.supervisionTrainingDate).toBe('2023-10-01');
    const card = JSON.stringify((await call('messages', 'dsl', { text: '/overdue' })).body.entry.card);
    expect(card).toContain('Supervision training lapsed or lapsing');
    expect(card).toMatch(/Sam Supervisor.*supervision training lapsed Wed 1 Oct 2025/);
    expect(card).toMatch(/Sue Other.*supervision training lapses Tue 20 Jan 2026/);
    expect(card).not.toMatch(/Dee Lead[^"]*supervision training/);
  });
});
