/**
 * The contracts and people screens' API (issue 13) through the bot's real endpoints, as the dashboard calls it
 * (`/tab/api/admin/contracts`, `/tab/api/admin/people`), on the real database:
 *   - a contract created, listed, searched and filtered, edited (supervisor included) and ended; its next session
 *     follows each change; every change is audited; ending keeps its sessions, records and agenda;
 *   - every refusal names the field and writes nothing: a length out of 30–120, a level out of 1–3, a cadence the
 *     core does not know, nobody here, a field the form does not have, a group of seven supervised from outside
 *     (stour §4), an ended contract edited;
 *   - people listed with their roles, identities and contracts, filtered by not linked / no contract / leavers;
 *     no supervision content in any answer;
 *   - supervisors, supervisees and auditors are refused every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import type { ContractsView, ContractView, PeopleView } from '../../../src/web/tab/api-types.js';
import { london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;

const api = (path: string, as: string, init: RequestInit = {}) =>
  fetch(`${bot.url}/tab/api/admin${path}`, {
    ...init,
    headers: { 'x-playground-person': as, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
  });
const post = (path: string, as: string, body: unknown) => api(path, as, { method: 'POST', body: JSON.stringify(body) });
const put = (path: string, as: string, body: unknown) => api(path, as, { method: 'PUT', body: JSON.stringify(body) });

const GROUP = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'];
const terms = {
  kind: 'one-to-one',
  supervisorId: 'sup2',
  superviseeIds: ['g1'],
  cadence: 'every 3 weeks',
  durationMinutes: 60,
  location: 'Library office',
  level: 1,
  disputeRoute: 'line-manager',
  startDate: '2025-11-17',
};

/** Every document of the collections a contract change touches, to show a refusal wrote nothing. */
async function snapshot(): Promise<string> {
  const m = w.store.models;
  const parts = await Promise.all([m.contracts, m.sessions, m.audit, m.reminders, m.compliance].map((model) => (model as typeof m.contracts).find({}).sort({ _id: 1 }).lean()));
  return JSON.stringify(parts);
}

beforeAll(async () => {
  w = await createWorld('admin_contracts');
  for (const id of GROUP) await w.deps.people.upsert(person(id, ['supervisee'], { name: `Grace ${id.toUpperCase()}` }));
  await w.deps.people.upsert(person('ext', ['supervisor'], { name: 'Olu Outside', identities: { slackUserId: 'UEXT' } }));
  await w.deps.people.upsert(person('left', ['supervisee'], { name: 'Lee Leaver', active: false, leftAt: london('2025-10-01T12:00') }));
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business' }));
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
    { clock: w.clock },
  );
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

describe('contracts: create, list, edit, end', () => {
  let created: ContractView;

  it('the admin creates a one-to-one contract: its review a year on, audited; its first session booked once both agree', async () => {
    const res = await post('/contracts', 'admin', terms);
    expect(res.status).toBe(201);
    created = (await res.json()) as ContractView;
    expect(created).toMatchObject({
      status: 'waiting',
      kind: 'one-to-one',
      supervisor: { id: 'sup2', name: 'Sue Other' },
      supervisees: [{ id: 'g1', name: 'Grace G1' }],
      cadence: 'every 3 weeks',
      durationMinutes: 60,
      location: 'Library office',
      level: 1,
      external: false,
      disputeRoute: 'line-manager',
      agendaTemplate: 'general',
      startDate: '2025-11-17',
      reviewDueDate: '2026-11-17',
      sessionsHeld: 0,
      agreement: { waiting: true, signed: [], waitingNames: ['Sue Other', 'Grace G1'] },
    });
    // white-laith B: nothing is booked until both parties have agreed to the supervision agreement in chat
    expect(created.nextSessionAt).toBeUndefined();
    expect(await w.deps.sessions.byContract(created.id)).toEqual([]);
    const agreedTerms = (await w.deps.contracts.get(created.id))?.agreement?.terms;
    for (const party of ['g1', 'sup2']) {
      const agreed = await fetch(`${bot.url}/playground/api/actions`, {
        method: 'POST',
        headers: { 'x-playground-person': party, 'content-type': 'application/json' },
        body: JSON.stringify({ verb: 'agreement.agree', data: { contractId: created.id, terms: agreedTerms } }),
      });
      expect(agreed.status).toBe(200);
    }
    const sessions = await w.deps.sessions.byContract(created.id);
    expect(sessions.filter((s) => s.status === 'scheduled')).toHaveLength(1);
    const signed = ((await (await api('/contracts', 'dsl')).json()) as ContractsView).contracts.find((c) => c.id === created.id);
    expect(signed?.nextSessionAt).toBeDefined();
    expect(signed?.agreement).toMatchObject({ waiting: false, waitingNames: [] });
    expect(signed?.agreement.signed.map((x) => x.name).sort()).toEqual(['Grace G1', 'Sue Other']);
    const audit = await w.store.models.audit.find({ action: 'contract.created' }).lean();
    expect(audit.map((a) => (a as unknown as { subject: { id: string } }).subject.id)).toContain(created.id);
    // the same parties again: named, not a second contract
    const again = await post('/contracts', 'admin', terms);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ field: 'superviseeIds', error: expect.stringMatching(/exists already/) });
  });

  it('lists contracts with names; searches and filters by active, waiting and ended', async () => {
    const all = (await (await api('/contracts', 'dsl')).json()) as ContractsView;
    expect(all.contracts.map((c) => c.id).sort()).toEqual(['c-amy', 'c-ben', created.id].sort());
    expect(all.counts).toEqual({ active: 0, waiting: 3, ended: 0 });
    expect(all.people.map((p) => p.id)).not.toContain('left');
    expect(all.people.map((p) => p.id)).toContain('g7');
    const found = (await (await api('/contracts?q=grace', 'head')).json()) as ContractsView;
    expect(found.contracts.map((c) => c.id)).toEqual([created.id]);
    const byLocation = (await (await api('/contracts?q=LIBRARY', 'head')).json()) as ContractsView;
    expect(byLocation.contracts.map((c) => c.id)).toEqual([created.id]);
    expect(((await (await api('/contracts?status=ended', 'dsl')).json()) as ContractsView).contracts).toEqual([]);
    expect(((await (await api('/contracts?status=waiting', 'dsl')).json()) as ContractsView).contracts).toHaveLength(3);
    const bad = await api('/contracts?status=lapsed', 'dsl');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'query.status', error: expect.stringMatching(/active, waiting or ended/) });
    const unknown = await api('/contracts?sort=name', 'dsl');
    expect(await unknown.json()).toMatchObject({ field: 'query.sort' });
  });

  it('a contract with a session held is active', async () => {
    const session = (await w.deps.sessions.byContract('c-amy')).find((s) => s.status === 'scheduled');
    expect(session).toBeDefined();
    await w.deps.sessions.transition(session!.id, 'scheduled', 'held', { statusChangedAt: w.clock.now() });
    const { refreshCompliance } = await import('../../../src/app/effects.js');
    await refreshCompliance(w.deps, w.org, (await w.deps.contracts.get('c-amy'))!);
    const active = (await (await api('/contracts?status=active', 'dsl')).json()) as ContractsView;
    expect(active.contracts.map((c) => c.id)).toEqual(['c-amy']);
    expect(active.contracts[0]).toMatchObject({ status: 'active', sessionsHeld: 1, supervisor: { name: 'Sam Supervisor' }, supervisees: [{ name: 'Amy Teacher' }] });
  });

  it('edits every term, the supervisor included, through the same rules; audited', async () => {
    const res = await put(`/contracts/${created.id}`, 'dsl', { ...terms, supervisorId: 'ext', cadence: 'termly', durationMinutes: 90, location: 'Room 4', level: 2, format: 'video', disputeRoute: 'safeguarding-governor', agendaTemplate: 'dsl', reviewDueDate: '2026-07-01', preferredTime: '08:30' });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as ContractView;
    expect(edited).toMatchObject({ id: created.id, supervisor: { id: 'ext', name: 'Olu Outside' }, cadence: 'termly', durationMinutes: 90, location: 'Room 4', level: 2, format: 'video', disputeRoute: 'safeguarding-governor', agendaTemplate: 'dsl', reviewDueDate: '2026-07-01', preferredTime: '08:30' });
    const stored = await w.deps.contracts.get(created.id);
    expect(stored).toMatchObject({ supervisorIds: ['ext'], cadence: { kind: 'termly' }, durationMinutes: 90, active: true });
    const edits = await w.store.models.audit.find({ action: 'contract.edited' }).lean();
    expect(edits).toHaveLength(1);
    expect((edits[0] as unknown as { detail: { fields: string } }).detail.fields.split(',').sort()).toEqual(['agendaTemplate', 'cadence', 'disputeRoute', 'durationMinutes', 'format', 'level', 'location', 'preferredTime', 'reviewDueDate', 'supervisorIds']);
    // still one booked session; the new terms go to both parties to agree again
    expect((await w.deps.sessions.byContract(created.id)).filter((s) => s.status === 'scheduled')).toHaveLength(1);
    expect(edited.agreement).toMatchObject({ waiting: true, signed: [], waitingNames: ['Olu Outside', 'Grace G1'] });
  });

  it('every refusal names the field in words and writes nothing', async () => {
    const before = await snapshot();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...terms, superviseeIds: ['g2'], durationMinutes: 20 }, 'durationMinutes', /at least 30 minutes/],
      [{ ...terms, superviseeIds: ['g2'], durationMinutes: 150 }, 'durationMinutes', /at most 120 minutes/],
      [{ ...terms, superviseeIds: ['g2'], level: 4 }, 'level', /1, 2 or 3/],
      [{ ...terms, superviseeIds: ['g2'], cadence: 'now and then' }, 'cadence', /weekly, every N weeks/],
      [{ ...terms, superviseeIds: ['g2'], disputeRoute: 'the head' }, 'disputeRoute', /line-manager or safeguarding-governor/],
      [{ ...terms, superviseeIds: ['nobody-here'] }, 'superviseeIds.0', /nobody here/],
      [{ ...terms, superviseeIds: ['left'] }, 'superviseeIds.0', /nobody here \(or someone who has left\)/],
      [{ ...terms, supervisorId: 'x' }, 'supervisorId', /nobody here/],
      [{ ...terms, superviseeIds: ['sup2'] }, 'superviseeIds', /own supervisor/],
      [{ ...terms, superviseeIds: ['g2', 'g3'] }, 'superviseeIds', /one-to-one/],
      [{ ...terms, superviseeIds: ['g2'], startDate: '17/11/2025' }, 'startDate', /YYYY-MM-DD/],
      [{ ...terms, superviseeIds: ['g2'], reviewDueDate: '2025-01-01' }, 'reviewDueDate', /after the start date/],
      [{ ...terms, superviseeIds: ['g2'], location: '   ' }, 'location', /empty/],
      [{ ...terms, superviseeIds: ['g2'], colour: 'blue' }, 'colour', /./],
      // stour §4: a group supervised from outside has at most six
      [{ ...terms, kind: 'group', supervisorId: 'ext', external: true, level: 3, superviseeIds: GROUP }, 'superviseeIds', /names 7 people: a group supervised from outside has at most 6 \(stour §4\)/],
    ];
    for (const [body, field, message] of cases) {
      const res = await post('/contracts', 'admin', body);
      const answer = (await res.json()) as { error: string; field: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.field, JSON.stringify(body)).toBe(field);
      expect(answer.error, JSON.stringify(body)).toMatch(message);
      expect(answer.error.startsWith(`${field}: `), answer.error).toBe(true);
    }
    const notJson = await api('/contracts', 'admin', { method: 'POST', body: '{"kind":', headers: { 'content-type': 'application/json' } });
    expect(await notJson.json()).toMatchObject({ field: 'body' });
    const badId = await put('/contracts/a%20b', 'admin', terms);
    expect(await badId.json()).toMatchObject({ field: 'params.id' });
    const noSuch = await put('/contracts/c-nothing', 'admin', terms);
    expect(noSuch.status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it('a group of six supervised from outside is allowed', async () => {
    const res = await post('/contracts', 'dsl', { ...terms, kind: 'group', supervisorId: 'ext', external: true, level: 3, superviseeIds: GROUP.slice(1), cadence: 'monthly', disputeRoute: 'safeguarding-governor' });
    expect(res.status).toBe(201);
    expect(((await res.json()) as ContractView).supervisees.map((s) => s.name)).toEqual(['Grace G2', 'Grace G3', 'Grace G4', 'Grace G5', 'Grace G6', 'Grace G7']);
  });

  it('ending keeps the history: held sessions, records and agenda stay; booked sessions are cancelled; audited', async () => {
    await w.deps.agenda.add({ id: 'item.contracts.kept', organisationId: 'org-wl', contractId: 'c-amy', authorId: 'amy', text: 'Contract history item', category: 'case-discussion', riskOfHarm: false, parked: false, createdAt: w.clock.now() });
    const sessionsBefore = await w.deps.sessions.byContract('c-amy');
    expect(sessionsBefore.some((s) => s.status === 'held')).toBe(true);
    const res = await post('/contracts/c-amy/end', 'head', {});
    expect(res.status).toBe(200);
    const ended = (await res.json()) as ContractView;
    expect(ended).toMatchObject({ id: 'c-amy', status: 'ended', endedOn: '2025-11-10', sessionsHeld: 1 });
    expect(ended.nextSessionAt).toBeUndefined();
    const after = await w.deps.sessions.byContract('c-amy');
    expect(after).toHaveLength(sessionsBefore.length);
    expect(after.filter((s) => s.status === 'held')).toHaveLength(1);
    expect(after.filter((s) => s.status === 'scheduled')).toEqual([]);
    expect(await w.store.models.agendaItems.countDocuments({ _id: 'item.contracts.kept' })).toBe(1);
    expect(await w.deps.contracts.get('c-amy')).toMatchObject({ active: false, endedOn: '2025-11-10' });
    expect(await w.store.models.audit.countDocuments({ action: 'contract.ended', 'subject.id': 'c-amy' })).toBe(1);
    // ending twice is once; an ended contract is not edited
    expect((await post('/contracts/c-amy/end', 'head', {})).status).toBe(200);
    expect(await w.store.models.audit.countDocuments({ action: 'contract.ended', 'subject.id': 'c-amy' })).toBe(1);
    const edit = await put('/contracts/c-amy', 'head', { ...terms, supervisorId: 'sup', superviseeIds: ['amy'] });
    expect(edit.status).toBe(403);
    expect(await edit.json()).toMatchObject({ error: expect.stringMatching(/has ended; its history is kept/) });
    const list = (await (await api('/contracts?status=ended', 'dsl')).json()) as ContractsView;
    expect(list.contracts.map((c) => c.id)).toEqual(['c-amy']);
    // what the admin reads of contracts holds no supervision content
    expect(JSON.stringify(await (await api('/contracts', 'admin')).json())).not.toMatch(/Contract history item/);
  });
});

describe('people', () => {
  const list = async (query = '', as = 'admin') => (await (await api(`/people${query}`, as)).json()) as PeopleView;

  it('lists everyone here with roles, identities and contracts; leavers only under their filter', async () => {
    const v = await list();
    const ids = v.people.map((p) => p.id);
    expect(ids).toContain('amy');
    expect(ids).not.toContain('left');
    const ben = v.people.find((p) => p.id === 'ben');
    expect(ben).toMatchObject({ name: 'Ben Pastoral', email: 'ben@school.example', roles: ['supervisee'], chat: 'linked', slackUserId: 'UBEN', teamsLinked: true, lineManager: { id: 'sup', name: 'Sam Supervisor' }, contracts: [{ id: 'c-ben', role: 'supervisee', withNames: ['Sam Supervisor'] }] });
    const sam = v.people.find((p) => p.id === 'sup');
    // Amy's contract has ended: Sam supervises Ben only
    expect(sam?.contracts).toEqual([{ id: 'c-ben', role: 'supervisor', withNames: ['Ben Pastoral'] }]);
    expect(v.people.find((p) => p.id === 'ext')).toMatchObject({ chat: 'partly', slackUserId: 'UEXT', teamsLinked: false });
    expect(JSON.stringify(v)).not.toMatch(/Contract history item/);
  });

  it('filters: not linked, no contract, leavers; a search by name or email', async () => {
    const unlinked = await list('?filter=unlinked');
    expect(unlinked.people.map((p) => p.id).sort()).toEqual(['admin', 'auditor', 'deputy', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'governor', 'sup2'].sort());
    // nobody supervises Amy now; the DSL, the head and the supervisors are not supervised here; an admin,
    // a governor and an auditor are not expected to be
    const none = await list('?filter=no-contract');
    expect(none.people.map((p) => p.id).sort()).toEqual(['amy', 'deputy', 'dsl', 'ext', 'head', 'stranger', 'sup', 'sup2'].sort());
    const leavers = await list('?filter=leavers');
    expect(leavers.people.map((p) => p.id)).toEqual(['left']);
    expect(leavers.people[0]).toMatchObject({ chat: 'left', leftAt: '2025-10-01T11:00:00.000Z' });
    expect(leavers.counts).toMatchObject({ leavers: 1, unlinked: 12, 'no-contract': 8 });
    expect((await list('?q=grace%20g')).people).toHaveLength(7);
    expect((await list('?q=AMY@SCHOOL')).people.map((p) => p.id)).toEqual(['amy']);
    expect((await list('?q=grace&filter=no-contract')).people).toEqual([]);
    expect((await list('?q=sue&filter=no-contract')).people.map((p) => p.id)).toEqual(['sup2']);
    const bad = await api('/people?filter=everyone', 'admin');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'query.filter', error: expect.stringMatching(/no-contract, leavers/) });
  });
});

describe('who may', () => {
  it('supervisors, supervisees and auditors are refused every route, and nothing is written', async () => {
    const before = await snapshot();
    for (const who of ['sup', 'amy', 'auditor', 'governor', 'deputy']) {
      for (const res of [
        await api('/contracts', who),
        await post('/contracts', who, { ...terms, superviseeIds: ['g7'] }),
        await put('/contracts/c-ben', who, { ...terms, supervisorId: 'sup', superviseeIds: ['ben'] }),
        await post('/contracts/c-ben/end', who, {}),
        await api('/people', who),
      ]) {
        expect(res.status, `${who} ${res.url}`).toBe(403);
        expect(await res.text()).not.toMatch(/Ben Pastoral|Grace|Sam Supervisor/);
      }
    }
    expect(await snapshot()).toBe(before);
    expect((await w.deps.contracts.get('c-ben'))?.active).toBe(true);
  });
});
