/**
 * Importing a school's staff and contracts through the admin API (`/api/admin/imports`), as the dashboard's
 * import wizard and the CLI do: the shipped example files (School Data Sync v2.1, the staff template, the
 * contracts template), every kind of bad row, a dry run that writes nothing, a confirmation written whole,
 * a re-import that changes nothing, and a leaver.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { personIdFor } from '../../../src/domain/imports/staff.js';
import type { Person } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { agreeAll } from '../../support/agreement.js';
import { recordFreeText } from '../../support/free-text.js';
import { allDelivered, fingerprint, settled } from '../../support/fuzz.js';
import { london, school } from '../../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = path.join(root, 'examples', 'import');
const ORG = 'org-riv';

let bot: Bot;
const clock = new AdjustableClock();

type Json = Record<string, any>;
async function api(method: 'GET' | 'POST' | 'PUT', url: string, person: string | undefined, body?: unknown): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (person) headers['x-playground-person'] = person;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/api/admin${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
const file = (name: string, content: string | Buffer) => ({ name, content: Buffer.from(content).toString('base64') });
const sdsFiles = () => readdirSync(path.join(examples, 'sds')).map((n) => file(n, readFileSync(path.join(examples, 'sds', n))));
const preview = (kind: string, files: Array<{ name: string; content: string }>, person = 'admin1') => api('POST', '/imports', person, { kind, files });
const confirm = (token: string, body: Json = {}, person = 'admin1') => api('POST', `/imports/${token}/confirm`, person, body);
/** Everything but the previews and the audit trail (which a confirmation adds to). */
const EXCLUDE = ['imports', 'audit', 'heads'];
const state = async () => {
  // what the first sessions' reminders sent has been delivered
  await settled(bot.runtime.store.connection, EXCLUDE);
  return fingerprint(bot.runtime.store.connection, EXCLUDE);
};
const person = async (email: string) => bot.runtime.deps.people.get(personIdFor(ORG, email)) as Promise<Person>;

beforeAll(async () => {
  clock.set(london('2025-11-03T09:00'));
  const config = loadConfig({ MONGODB_URI: testMongoUrl('imports'), REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), {
    clock,
    prepare: async (runtime) => {
      await runtime.deps.organisations.upsert(school({ id: ORG, name: 'Riverside Primary School', dslIds: ['admin1'], deputyDslIds: [], headteacherId: undefined, safeguardingGovernorId: undefined }));
      // the DSL who sets the school up: already here, and in the school's export as David Hughes
      await runtime.deps.people.upsert({ id: 'admin1', organisationId: ORG, name: 'David Hughes', email: 'd.hughes@riverside.example', identities: {}, roles: ['dsl'] });
    },
  });
});
afterAll(async () => {
  const conn = bot?.runtime.store.connection;
  if (conn) await recordFreeText(conn);
  await conn?.dropDatabase().catch(() => undefined);
  await bot?.stop();
});

describe('School Data Sync v2.1', () => {
  let token = '';
  it('the dry run of the shipped export lists what would change, leaves the students out and writes nothing', async () => {
    const before = await state();
    const { status, body } = await preview('sds', sdsFiles());
    expect(status).toBe(200);
    expect(body.errors).toEqual([]);
    expect(body).toMatchObject({ kind: 'sds', created: 5, updated: 1, unchanged: 0, deactivated: 0, ignored: 2 });
    expect(body.lists.created.map((c: Json) => c.name).sort()).toEqual(['Joseph Adeyemi', 'Lucy Brennan, MBE', 'Marta Kowalska', 'Ruth Osei', 'Sunil Patel']);
    expect(body.lists.updated).toEqual([{ id: 'admin1', name: 'David Hughes', email: 'd.hughes@riverside.example', fields: ['Teams user'] }]);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    token = body.token;
    expect(await state()).toEqual(before);
    expect((await api('GET', `/imports/${token}`, 'admin1')).body.state).toBe('previewed');
  });

  it('confirmed, it is written: the principal is the headteacher, Entra ids linked, a username taken for a missing email', async () => {
    const { status, body } = await confirm(token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ state: 'done', created: 5, updated: 1, progress: { done: 6, total: 6 } });
    expect((await person('r.osei@riverside.example')).roles).toEqual(['headteacher']);
    expect((await person('m.kowalska@riverside.example')).roles).toEqual(['supervisee']);
    expect((await person('s.patel@riverside.example')).identities.teamsAadObjectId).toBe('6f1c3a52-5b7e-4d0a-9c1e-2b8f4a7d9e04');
    expect((await bot.runtime.deps.people.get('admin1'))?.roles).toEqual(['dsl']);
    expect((await bot.runtime.deps.people.byTeamsUser('6f1c3a52-5b7e-4d0a-9c1e-2b8f4a7d9e02'))?.id).toBe('admin1');
    // the same token again changes nothing
    const again = await confirm(token);
    expect(again.body.state).toBe('done');
  });

  it('importing the same files again changes nothing', async () => {
    const before = await state();
    const { body } = await preview('sds', sdsFiles());
    expect(body).toMatchObject({ created: 0, updated: 0, unchanged: 6, deactivated: 0, errors: [] });
    expect((await confirm(body.token)).body).toMatchObject({ state: 'done', created: 0, updated: 0, unchanged: 6 });
    expect(await state()).toEqual(before);
  });

  it('headers are case-sensitive, files must all be there, and an unknown role or organisation names its row', async () => {
    const before = await state();
    const lower = sdsFiles().map((f) => (f.name === 'users.csv' ? file('users.csv', Buffer.from(f.content, 'base64').toString().replace('sourcedId', 'sourcedid')) : f));
    let r = await preview('sds', lower);
    expect(r.body.errors).toContainEqual({ file: 'users.csv', row: 1, column: 'sourcedId', message: 'the header has no "sourcedId" column (headers are case-sensitive)' });
    expect(r.body.token).toBeUndefined();
    r = await preview('sds', sdsFiles().filter((f) => f.name !== 'roles.csv'));
    expect(r.body.errors[0]).toMatchObject({ file: 'roles.csv', row: 0, column: '' });
    const roles = 'userSourcedId,orgSourcedId,role\r\nu1,S1,principal\r\nu2,S9,teacher\r\nu3,S1,wizard\r\n';
    r = await preview('sds', [...sdsFiles().filter((f) => f.name !== 'roles.csv'), file('roles.csv', `\ufeff${roles}`)]);
    expect(r.body.errors).toEqual([
      { file: 'roles.csv', row: 3, column: 'orgSourcedId', message: '"S9" is not an organisation in orgs.csv' },
      { file: 'roles.csv', row: 4, column: 'role', message: expect.stringMatching(/^unknown role "wizard"/) },
    ]);
    expect(await state()).toEqual(before);
  });
});

describe('the staff template', () => {
  const header = 'name,email,roles,line_manager_email,slack_user_id,teams_aad_object_id\r\n';

  it('every bad row is named with its file, row, column and why, and nothing is written', async () => {
    const before = await state();
    const rows = [
      'Ann Able,ann@riverside.example,supervisee,,,',
      'Ann Again,ANN@riverside.example,supervisee,,,',
      'Bob Boss,bob@riverside.example,wizard,,,',
      'Cat Cole,cat@riverside.example,supervisee,nobody@riverside.example,,',
      'Dan Dee,dan@riverside.example,supervisor,eve@riverside.example,,',
      'Eve Eck,eve@riverside.example,supervisor,dan@riverside.example,,',
      'Fay Fox,fay@riverside.example,supervisee,fay@riverside.example,,',
      '=HYPERLINK("http://evil.example"),gus@riverside.example,supervisee,,,',
      'Hal Hay,hal@riverside.example,supervisee,,@SUM(1),',
      'Ivy Ink,ivy@riverside.example,supervisee,,,not-a-guid',
    ];
    const { status, body } = await preview('staff', [file('staff.csv', header + rows.join('\r\n'))]);
    expect(status).toBe(200);
    expect(body.token).toBeUndefined();
    const at = (row: number) => body.errors.filter((e: Json) => e.row === row);
    expect(at(3)).toEqual([{ file: 'staff.csv', row: 3, column: 'email', message: 'duplicate email: ann@riverside.example is also on row 2' }]);
    expect(at(4)[0]).toMatchObject({ column: 'roles', message: expect.stringMatching(/^unknown role "wizard"/) });
    expect(at(5)[0]).toMatchObject({ column: 'line_manager_email', message: expect.stringMatching(/^unknown line manager nobody@riverside\.example/) });
    expect(at(6)[0]).toMatchObject({ column: 'line_manager_email', message: 'circular line managers: dan@riverside.example → eve@riverside.example → dan@riverside.example' });
    expect(at(8)[0]).toMatchObject({ column: 'line_manager_email', message: expect.stringMatching(/own line manager or supervisor/) });
    expect(at(9)[0]).toMatchObject({ column: 'name', message: expect.stringMatching(/would run it as a formula/) });
    expect(at(10)[0]).toMatchObject({ column: 'slack_user_id', message: expect.stringMatching(/would run it as a formula/) });
    expect(at(11)[0]).toMatchObject({ column: 'teams_aad_object_id', message: expect.stringMatching(/is not an Entra object id/) });
    for (const e of body.errors) expect(e).toEqual({ file: expect.any(String), row: expect.any(Number), column: expect.any(String), message: expect.any(String) });
    expect(await state()).toEqual(before);
  });

  it('an Excel (Windows-1252) export is converted with a warning; other encodings are refused plainly', async () => {
    const text = `${header}José Núñez,jose@riverside.example,supervisee,d.hughes@riverside.example,,\r\n`;
    const { body } = await preview('staff', [file('staff.csv', iconv.encode(text, 'win1252'))]);
    expect(body.errors).toEqual([]);
    expect(body.warnings[0]).toMatchObject({ file: 'staff.csv', row: 0, message: expect.stringMatching(/read as Windows-1252/) });
    expect(body.lists.created[0].name).toBe('José Núñez');
    const utf16 = await preview('staff', [file('staff.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]))]);
    expect(utf16.body.errors[0]).toMatchObject({ file: 'staff.csv', row: 0, message: expect.stringMatching(/UTF-16/) });
    const sjis = await preview('staff', [file('staff.csv', iconv.encode(`${header}山田 太郎,yamada@riverside.example,supervisee,,,\r\n`, 'shift_jis'))]);
    expect(sjis.body.errors[0]).toMatchObject({ file: 'staff.csv', row: 0, message: expect.stringMatching(/not UTF-8 text/) });
    expect(sjis.body.token).toBeUndefined();
  });

  it('the shipped template: roles, line managers and chat ids replace what School Data Sync gave', async () => {
    const { body } = await preview('staff', [file('staff.csv', readFileSync(path.join(examples, 'staff.csv')))]);
    expect(body.errors).toEqual([]);
    expect(body).toMatchObject({ created: 1, deactivated: 0 });
    expect((await confirm(body.token)).body.state).toBe('done');
    const marta = await person('m.kowalska@riverside.example');
    expect(marta.roles).toEqual(['deputy-dsl', 'supervisor']);
    expect(marta.lineManagerId).toBe('admin1');
    expect((await bot.runtime.deps.people.bySlackUser('U05SUNILP'))?.email).toBe('s.patel@riverside.example');
    const again = await preview('staff', [file('staff.csv', readFileSync(path.join(examples, 'staff.csv')))]);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 7, deactivated: 0 });
  });
});

describe('the contracts template', () => {
  const header = 'kind,supervisor_email,supervisee_emails,external,cadence,minutes,location,level,dispute_heard_by,start_date\r\n';
  const staff = ['s.patel', 'l.brennan', 'j.adeyemi', 'r.osei', 'g.whitley', 'm.kowalska', 'd.hughes'].map((s) => `${s}@riverside.example`);

  it('refuses a contract that breaks a rule, naming the row and column, and writes nothing', async () => {
    const before = await state();
    const rows = [
      `group,d.hughes@riverside.example,${staff.join(';')},yes,monthly,60,Library,3,line manager,2025-09-08`,
      'one-to-one,d.hughes@riverside.example,s.patel@riverside.example,no,monthly,20,Library,1,line manager,2025-09-08',
      'one-to-one,d.hughes@riverside.example,s.patel@riverside.example,no,monthly,60,Library,4,line manager,2025-09-08',
      'one-to-one,d.hughes@riverside.example,d.hughes@riverside.example,no,monthly,60,Library,1,line manager,2025-09-08',
      'one-to-one,d.hughes@riverside.example,l.brennan@riverside.example,no,sometimes,60,Library,1,line manager,2025-09-08',
      'one-to-one,d.hughes@riverside.example,l.brennan@riverside.example,no,monthly,60,+Library,1,line manager,2025-09-08',
      'one-to-one,d.hughes@riverside.example,l.brennan@riverside.example,no,monthly,60,Library,1,the pope,31/02/2026',
      'one-to-one,zed@riverside.example,l.brennan@riverside.example,no,monthly,60,Library,1,line manager,2025-09-08',
    ];
    const { body } = await preview('contracts', [file('contracts.csv', header + rows.join('\r\n'))]);
    const first = (row: number) => body.errors.find((e: Json) => e.row === row);
    expect(first(2)).toMatchObject({ column: 'supervisee_emails', message: expect.stringMatching(/at most 6 \(stour §4\)/) });
    expect(first(3)).toMatchObject({ column: 'minutes', message: 'must be a whole number of minutes from 30 to 120' });
    expect(first(4)).toMatchObject({ column: 'level' });
    expect(first(5)).toMatchObject({ column: 'supervisee_emails', message: expect.stringMatching(/own supervisor/) });
    expect(first(6)).toMatchObject({ column: 'cadence' });
    expect(first(7)).toMatchObject({ column: 'location', message: expect.stringMatching(/formula/) });
    expect(body.errors.filter((e: Json) => e.row === 8).map((e: Json) => e.column)).toEqual(['dispute_heard_by', 'start_date']);
    expect(first(9)).toMatchObject({ column: 'supervisor_email', message: expect.stringMatching(/unknown supervisor/) });
    expect(body.token).toBeUndefined();
    expect(await state()).toEqual(before);
  });

  it('the shipped template creates four contracts, each booked once its parties agree; again, nothing changes', async () => {
    const { body } = await preview('contracts', [file('contracts.csv', readFileSync(path.join(examples, 'contracts.csv')))]);
    expect(body.errors).toEqual([]);
    expect(body).toMatchObject({ created: 4, updated: 0, unchanged: 0 });
    expect((await confirm(body.token)).body).toMatchObject({ state: 'done', created: 4 });
    const contracts = await bot.runtime.deps.contracts.byOrganisation(ORG);
    expect(contracts).toHaveLength(4);
    const group = contracts.find((c) => c.kind === 'group')!;
    expect(group).toMatchObject({ cadence: { kind: 'half-termly' }, durationMinutes: 90, agendaTemplate: 'dsl', reviewDueDate: '2026-09-08', disputeRoute: 'safeguarding-governor', active: true });
    // white-laith B: each waits for its parties to agree to the supervision agreement, then its first session is booked
    for (const c of contracts) expect(await bot.runtime.deps.sessions.nextScheduled(c.id, clock.now())).toBeNull();
    for (const c of contracts) await agreeAll(bot.url, bot.runtime.deps, c.id);
    for (const c of contracts) expect(await bot.runtime.deps.sessions.nextScheduled(c.id, clock.now())).not.toBeNull();
    // the agreements and "everyone has agreed" reach every party's chat before the state is taken
    await bot.runtime.queues.flushOutbox();
    await allDelivered(bot.runtime.deps.outbox);
    const before = await state();
    const again = await preview('contracts', [file('contracts.csv', readFileSync(path.join(examples, 'contracts.csv')))]);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    await confirm(again.body.token);
    expect(await state()).toEqual(before);
  });

  it('a contract is created, edited and ended through the API; ending it keeps its history', async () => {
    const ruth = await person('r.osei@riverside.example');
    const grace = await person('g.whitley@riverside.example');
    const input = { kind: 'one-to-one', supervisorId: ruth.id, superviseeIds: [grace.id], cadence: 'termly', durationMinutes: 45, location: 'Head’s office', level: 1, disputeRoute: 'line-manager', startDate: '2025-11-03' };
    const bad = await api('POST', '/contracts', 'admin1', { ...input, durationMinutes: 150 });
    expect(bad).toMatchObject({ status: 400, body: { field: 'body.durationMinutes' } });
    const created = await api('POST', '/contracts', 'admin1', input);
    expect(created.status).toBe(201);
    const id = created.body.contract.id;
    expect(created.body.contract.reviewDueDate).toBe('2026-11-03');
    const edited = await api('PUT', `/contracts/${id}`, 'admin1', { ...input, durationMinutes: 60 });
    expect(edited.body.contract.durationMinutes).toBe(60);
    await agreeAll(bot.url, bot.runtime.deps, id);
    const next = await bot.runtime.deps.sessions.nextScheduled(id, clock.now());
    expect(next).not.toBeNull();
    const ended = await api('POST', `/contracts/${id}/end`, 'admin1');
    expect(ended.body.contract).toMatchObject({ active: false, endedOn: '2025-11-03' });
    expect((await bot.runtime.deps.sessions.get(next!.id))?.status).toBe('cancelled');
    expect(await bot.runtime.deps.contracts.get(id)).toMatchObject({ id, active: false });
  });
});

describe('a leaver', () => {
  it('missing from a re-import is listed, and deactivated only when confirmed: records kept, contracts end, open actions go to their supervisor', async () => {
    const joseph = await person('j.adeyemi@riverside.example');
    const group = (await bot.runtime.deps.contracts.forPerson(joseph.id)).find((c) => c.kind === 'group')!;
    await bot.runtime.deps.actions.upsertMany([
      { id: 'act-leaver', organisationId: ORG, contractId: group.id, recordId: 'rec-1', text: 'Chase the referral follow-up', ownerId: joseph.id, dueDate: '2025-12-01', status: 'open', agreedAt: clock.now(), supervisorId: 'admin1' },
    ]);
    const without = readFileSync(path.join(examples, 'staff.csv'), 'utf8').split('\n').filter((l) => !l.includes('j.adeyemi')).join('\n');
    const { body } = await preview('staff', [file('staff.csv', without)]);
    expect(body).toMatchObject({ created: 0, updated: 0, unchanged: 6, deactivated: 1 });
    expect(body.lists.deactivated).toEqual([{ id: joseph.id, name: 'Joseph Adeyemi', email: 'j.adeyemi@riverside.example' }]);
    // confirmed without saying so: nobody leaves
    const kept = await confirm(body.token);
    expect(kept.body).toMatchObject({ state: 'done', deactivated: 0, deactivatedApplied: false });
    expect((await bot.runtime.deps.people.get(joseph.id))?.active).toBeUndefined();
    const again = await preview('staff', [file('staff.csv', without)]);
    const left = await confirm(again.body.token, { deactivateMissing: true });
    expect(left.body).toMatchObject({ state: 'done', deactivated: 1, deactivatedApplied: true });
    expect(await bot.runtime.deps.people.get(joseph.id)).toMatchObject({ active: false, name: 'Joseph Adeyemi' });
    expect(await bot.runtime.deps.contracts.get(group.id)).toMatchObject({ active: false, endedOn: '2025-11-03' });
    expect(await bot.runtime.deps.actions.get('act-leaver')).toMatchObject({ ownerId: 'admin1', status: 'open' });
    // the next re-import without them changes nothing
    const after = await preview('staff', [file('staff.csv', without)]);
    expect(after.body).toMatchObject({ created: 0, updated: 0, unchanged: 6, deactivated: 0 });
  });
});

describe('whole or not at all', () => {
  it('a reader during a large confirmed import sees none of it or all of it', async () => {
    // the shipped template's columns (supervision_training_date last, left empty here)
    const rows = Array.from({ length: 1500 }, (_, i) => `Person ${i},bulk${i}@riverside.example,supervisee,d.hughes@riverside.example,,,`);
    const shipped = readFileSync(path.join(examples, 'staff.csv'), 'utf8').split('\n');
    const text = `${shipped[0]}\n${shipped.slice(1).filter((l) => l && !l.includes('j.adeyemi')).join('\n')}\n${rows.join('\n')}\n`;
    const { body } = await preview('staff', [file('staff.csv', text)]);
    expect(body).toMatchObject({ created: 1500, errors: [] });
    const people = bot.runtime.store.models.people;
    const before = await people.countDocuments({ organisationId: ORG });
    const seen = new Set<number>();
    let done = false;
    const reader = (async () => {
      while (!done) seen.add(await people.countDocuments({ organisationId: ORG }));
    })();
    const result = await confirm(body.token);
    done = true;
    await reader;
    expect(result.body).toMatchObject({ state: 'done', created: 1500 });
    seen.add(await people.countDocuments({ organisationId: ORG }));
    expect([...seen].sort((a, b) => a - b)).toEqual([before, before + 1500]);
  });
});

describe('who may import', () => {
  it('only an admin, the DSL or the headteacher: anyone else 403, nobody 401, and a bad body 400 naming the field', async () => {
    const sunil = await person('s.patel@riverside.example');
    expect((await preview('sds', sdsFiles(), sunil.id)).status).toBe(403);
    expect((await api('GET', '/identities', sunil.id)).status).toBe(403);
    expect((await api('POST', '/contracts', sunil.id, {})).status).toBe(403);
    expect((await preview('sds', sdsFiles(), '')).status).toBe(401);
    const ruth = await person('r.osei@riverside.example');
    expect((await preview('sds', sdsFiles(), ruth.id)).status).toBe(200);
    expect(await api('POST', '/imports', 'admin1', { kind: 'pupils', files: [] })).toMatchObject({ status: 400, body: { field: 'body.kind' } });
    expect(await api('POST', '/imports', 'admin1', { kind: 'sds', files: [{ name: '../etc/passwd', content: '' }] })).toMatchObject({ status: 400, body: { field: 'body.files.0.name' } });
    expect(await api('POST', '/imports', 'admin1', { kind: 'sds', files: [{ name: 'users.csv', content: '!!' }] })).toMatchObject({ status: 400, body: { field: 'body.files.0.content' } });
    expect((await api('POST', '/imports/xyz/confirm', 'admin1', {})).body.field).toBe('params.token');
    expect((await api('POST', `/imports/${'a'.repeat(32)}/confirm`, 'admin1', {})).status).toBe(404);
  });
});
