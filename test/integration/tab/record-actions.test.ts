/**
 * The record finished in the dashboard (issue 15, "content stays in the school"): through the tab API, as the
 * record page sends them, the supervisor saves an edit of a draft that already holds words (a new draft version,
 * sent to confirm), the supervisee asks for a change with a reason and then confirms the edited version, and the
 * supervisor confirms it: signed. A stranger, the admin and the DSL are refused (403) and nothing is written; a
 * bad body names the field and nothing is written; a version no longer the record's is refused.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftRecord } from '../../../src/app/records.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { london, person } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let bot: Bot;
let recordId = '';

beforeAll(async () => {
  w = await createWorld('tab_record_actions');
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business' }));
  await w.deps.organisations.upsert({ ...w.org, keepContentOutOfChat: true });
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // a session held last week, and its record written in chat but not yet sent: a draft that holds words
  const sessionId = 'c-amy.2025-11-03';
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-03T15:45'), durationMinutes: 60, status: 'scheduled' });
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['performance'],
    notes: 'Talked through the marking load before half term',
    concerns: [{ text: 'A Year 4 child arriving hungry most mornings', riskOfHarm: false }],
    actions: [{ text: 'Ask the office about breakfast club places', ownerId: 'amy', dueDate: '2025-11-14' }],
  });
  expect(drafted, JSON.stringify(drafted)).toMatchObject({ ok: true });
  recordId = (drafted as { view: RecordSheetView }).view.recordId;
}, 120_000);
afterAll(async () => {
  await bot?.stop();
  await w?.close();
});

async function post(path: string, person: string, body: unknown, raw = false) {
  const res = await fetch(`${bot.url}/tab/api${path}`, {
    method: 'POST',
    headers: { 'x-playground-person': person, 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function view(person: string): Promise<RecordSheetView> {
  const res = await fetch(`${bot.url}/tab/api/records/${recordId}`, { headers: { 'x-playground-person': person } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { record: RecordSheetView }).record;
}
/** Every revision of the record, digested: a refused request must leave them as they were. */
async function records(): Promise<string> {
  const docs = await w.store.connection.db!.collection('records').find({}, { sort: { _id: 1 } }).toArray();
  return createHash('sha256').update(JSON.stringify(docs)).digest('hex');
}

const edit = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  notes: 'Talked through the marking load before half term, and a plan to share it with the Year 4 team',
  concerns: [{ text: 'A Year 4 child arriving hungry most mornings', riskOfHarm: false }],
  actions: [
    { text: 'Ask the office about breakfast club places', ownerId: 'amy', dueDate: '2025-11-14' },
    { text: 'Share the marking rota with the team', ownerId: 'sup', dueDate: '2025-11-21' },
  ],
  caseDecisions: [{ childRef: 'Y4-JS 1042', decision: 'Log the mornings on CPOMS', rationale: 'A pattern to show the family support worker', followUpById: 'sup' }],
  nextSession: { date: '2025-12-08', time: '15:30' },
  submit: true,
  ...overrides,
});

describe('the record page writes through the chat’s commands', () => {
  it('the page offers the supervisor Edit with the draft’s words, and the supervisee neither Edit nor Confirm yet', async () => {
    const mine = await view('sup');
    expect(mine).toMatchObject({ canEdit: true, canConfirm: false, notes: 'Talked through the marking load before half term' });
    expect(mine.ownerOptions.map((p) => p.id).sort()).toEqual(['amy', 'sup']);
    expect(await view('amy')).toMatchObject({ canEdit: false, canConfirm: false, canDispute: false });
  });

  it('a stranger, the admin and the DSL are refused every route, and nothing is written', async () => {
    const before = await records();
    for (const who of ['stranger', 'admin', 'dsl', 'ben', 'governor']) {
      const saved = await post(`/records/${recordId}/draft`, who, edit());
      expect(saved.status, `draft by ${who}`).toBe(403);
      expect(JSON.stringify(saved.body)).not.toMatch(/marking|hungry/);
      expect((await post(`/records/${recordId}/confirm`, who, { version: 1 })).status, `confirm by ${who}`).toBe(403);
      expect((await post(`/records/${recordId}/dispute`, who, { reason: 'Not what was said' })).status, `dispute by ${who}`).toBe(403);
    }
    // a record that is not there is refused as one that is not theirs
    expect((await post('/records/rec.c-amy.1999-01-01/draft', 'sup', edit())).status).toBe(403);
    expect(await records()).toBe(before);
  });

  it.each([
    ['notes as a number', 'body.notes', { notes: 7 }],
    ['a field the form does not have', 'body.mood', { mood: 'fine' }],
    ['an action without its owner', 'body.actions.0.ownerId', { actions: [{ text: 'Do it', dueDate: '2025-11-20' }] }],
    ['a risk flag that is not true or false', 'body.concerns.0.riskOfHarm', { concerns: [{ text: 'x', riskOfHarm: 'yes' }] }],
    ['a next session time that is not one', 'body.nextSession.time', { nextSession: { date: '2025-12-08', time: '25:00' } }],
    ['too long a discussion (the chat form’s limit)', 'body.notes', { notes: 'x'.repeat(5001) }],
    ['a child named, not referenced', 'body.caseDecisions.0.childRef', { caseDecisions: [{ childRef: 'Jane Smith', decision: 'Log it', rationale: 'A pattern', followUpById: 'sup' }] }],
    ['an owner who was not in the session, after a blank row', 'body.actions.1.ownerId', { actions: [{ text: '', ownerId: '', dueDate: '' }, { text: 'Do it', ownerId: 'ben', dueDate: '2025-11-20' }] }],
    ['a next session on a Sunday', 'body.nextSession.date', { nextSession: { date: '2025-12-07', time: '15:30' } }],
    ['a version that is not the record’s', 'body.version', { version: 2 }],
  ] as Array<[string, string, Record<string, unknown>]>)('a bad edit (%s) names %s and writes nothing', async (_name, field, overrides) => {
    const before = await records();
    const res = await post(`/records/${recordId}/draft`, 'sup', edit(overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.field).toBe(field);
    expect(String(res.body.error)).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}: \\S`));
    expect(await records()).toBe(before);
  });

  it('bad confirm and dispute bodies name the field and write nothing', async () => {
    const before = await records();
    for (const [path, body, field] of [
      ['confirm', {}, 'body.version'],
      ['confirm', { version: '1' }, 'body.version'],
      ['dispute', { reason: '   ' }, 'body.reason'],
      ['dispute', { reason: 'x'.repeat(2001) }, 'body.reason'],
      ['dispute', { reason: 'ok', extra: 1 }, 'body.extra'],
      ['confirm', '{not json', 'body'],
    ] as const) {
      const res = await post(`/records/${recordId}/${path}`, 'amy', body, typeof body === 'string');
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect(await records()).toBe(before);
  });

  it('the supervisor saves an edit: a new draft version with the words, sent to both to confirm', async () => {
    const saved = await post(`/records/${recordId}/draft`, 'sup', edit());
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ recordId, version: 1, state: 'awaiting-confirmation' });
    const record = await w.deps.records.latest(recordId);
    expect(record).toMatchObject({ state: 'awaiting-confirmation', notes: edit().notes, topics: ['performance'] });
    expect(record?.actions.map((a) => a.text)).toEqual(['Ask the office about breakfast club places', 'Share the marking rota with the team']);
    expect(record?.caseDecisions.map((d) => d.childRef)).toEqual(['Y4-JS 1042']);
    expect(record?.nextSessionAt?.toISOString()).toBe(london('2025-12-08T15:30').toISOString());
    const page = await view('sup');
    expect(page).toMatchObject({ canEdit: false, canConfirm: true, nextSessionDate: '2025-12-08', nextSessionTime: '15:30' });
  });

  it('the supervisee asks for a change (the reason required), the supervisor edits again, and both confirm: signed', async () => {
    expect(await view('amy')).toMatchObject({ canConfirm: true, canDispute: true });
    const asked = await post(`/records/${recordId}/dispute`, 'amy', { reason: 'The rota was agreed for the whole key stage, not only Year 4' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body).toMatchObject({ state: 'disputed' });
    expect((await view('sup')).canEdit).toBe(true);
    const again = await post(`/records/${recordId}/draft`, 'sup', edit({ notes: 'Talked through the marking load; a rota for the whole key stage' }));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ state: 'awaiting-confirmation' });

    const confirmed = await post(`/records/${recordId}/confirm`, 'amy', { version: 1 });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const amy = await view('amy');
    expect(amy).toMatchObject({ canConfirm: false, state: 'awaiting-confirmation' });
    expect(amy.confirmations.map((c) => c.name)).toEqual(['Amy Teacher']);

    const signed = await post(`/records/${recordId}/confirm`, 'sup', { version: 1 });
    expect(signed.body).toMatchObject({ state: 'signed' });
    const record = await w.deps.records.latest(recordId);
    expect(record).toMatchObject({ state: 'signed', notes: 'Talked through the marking load; a rota for the whole key stage' });
    // once signed, nobody edits it here: the supervisor's save is refused and changes nothing
    const before = await records();
    const late = await post(`/records/${recordId}/draft`, 'sup', edit());
    expect([400, 403]).toContain(late.status);
    expect(await records()).toBe(before);
    expect((await view('sup')).canEdit).toBe(false);
  });
});
