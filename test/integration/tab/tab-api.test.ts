/**
 * The dashboard tab's HTTP API on the demo school: who may call it (Teams SSO tokens in production, the
 * chosen demo person in local try-out), what each person may see, bad input named, the CSV exports, and
 * that no request writes anything.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import type { DashboardView, PersonHistoryView } from '../../../src/app/dashboard.js';
import { type MySupervisionView, mySupervisionView } from '../../../src/app/mine.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { DEMO_ORG_ID, loadDemoSchool } from '../../../src/demo/school.js';
import type { RecordSheet } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { type EntraKeys, startEntraKeys } from '../../support/entra.js';
import { recordFreeText } from '../../support/free-text.js';
import { settled } from '../../support/fuzz.js';
import { london } from '../../support/school.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const PUBLIC_BASE_URL = 'https://supervision.example.org';
const AUDIENCE = `api://supervision.example.org/${APP_ID}`;
const TENANT = '00000000-0000-4000-8000-00000000d3e0';
const aad = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const PRIYA = aad(1);
const AMY = aad(7);

const clock = new AdjustableClock();
let local: Bot;
let production: Bot;
let entra: EntraKeys;
let mongoUrl = '';
let sign: (claims?: { aud?: string; iss?: string; exp?: number; oid?: string; tid?: string }, stranger?: boolean) => Promise<string>;
let records: { ben: RecordSheet; amy: RecordSheet; awaiting: RecordSheet };

beforeAll(async () => {
  clock.set(london('2026-11-23T09:00'));
  mongoUrl = testMongoUrl('tab-api');
  entra = await startEntraKeys();
  sign = (claims = {}, unknownKey = false) =>
    entra.sign({ aud: claims.aud ?? AUDIENCE, oid: claims.oid ?? PRIYA, tid: claims.tid ?? TENANT, iss: claims.iss, exp: claims.exp }, { unknownKey });
  const common = { MONGODB_URI: mongoUrl, REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent' };
  local = await startBot(loadConfig({ ...common, QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on' }), createLogger('silent'), {
    clock,
    prepare: async (rt) => void (await loadDemoSchool(rt.deps)),
  });
  production = await startBot(
    loadConfig({ ...common, QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'off', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-here', PUBLIC_BASE_URL, TAB_SSO_JWKS_URL: entra.jwksUrl }),
    createLogger('silent'),
    { clock },
  );
  const deps = local.runtime.deps;
  const signed = (list: RecordSheet[]) => list.find((r) => r.state === 'signed') as RecordSheet;
  records = {
    ben: signed(await deps.records.forPerson('ben')),
    amy: signed(await deps.records.forPerson('amy')),
    awaiting: (await deps.records.awaitingConfirmation(DEMO_ORG_ID))[0] as RecordSheet,
  };
  expect(records.awaiting.superviseeIds).toEqual(['daniel']);
});

afterAll(async () => {
  await production?.stop();
  await local?.stop();
  await entra?.close();
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  await recordFreeText(conn);
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

async function get(bot: Bot, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${bot.url}/tab/api${path}`, { headers });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  return { status: res.status, body, headers: res.headers };
}
const as = (person: string) => ({ 'x-playground-person': person });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('production: Teams SSO tokens', () => {
  it('a valid token names the person: the DSL gets the dashboard', async () => {
    const token = await sign();
    const me = await get(production, '/me', bearer(token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ person: { id: 'priya', name: 'Priya Shah' }, canSeeDashboard: true, via: 'teams-sso', playground: false });
    const dash = await get(production, '/dashboard', bearer(token));
    expect(dash.status).toBe(200);
    expect((dash.body as DashboardView).organisationName).toBe('Meadowbank Primary School');
  });

  it('a v1 token (sts.windows.net issuer) is accepted too', async () => {
    const res = await get(production, '/me', bearer(await sign({ iss: `https://sts.windows.net/${TENANT}/` })));
    expect(res.status).toBe(200);
  });

  it.each([
    ['no token', async () => ({})],
    ['the playground header (not accepted in production)', async () => as('priya')],
    ['an expired token', async () => bearer(await sign({ exp: Math.floor(Date.now() / 1000) - 3600 }))],
    ['a token for another app (audience)', async () => bearer(await sign({ aud: 'api://elsewhere.example.org/99999999-2222-4333-8444-555555555555' }))],
    ['a token signed by an unknown key', async () => bearer(await sign({}, true))],
    ['a token from another issuer', async () => bearer(await sign({ iss: 'https://login.example.org/v2.0' }))],
    ['a token for someone not linked to anyone here', async () => bearer(await sign({ oid: '99999999-0000-4000-8000-000000000001' }))],
    ['a token for another tenant', async () => bearer(await sign({ tid: '99999999-0000-4000-8000-00000000d3e0' }))],
    ['a malformed token', async () => bearer('not.a.token')],
  ])('%s gets 401', async (_name, headers) => {
    for (const path of ['/me', '/dashboard', '/overdue.csv', `/records/${records.ben.id}`]) {
      const res = await get(production, path, await headers());
      expect(res.status, path).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain('Farah');
    }
  });

  it('a supervisee with a valid token is refused the dashboard (403)', async () => {
    const token = await sign({ oid: AMY });
    const res = await get(production, '/dashboard', bearer(token));
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('only for your safeguarding leads');
    expect((await get(production, '/me', bearer(token))).body.canSeeDashboard).toBe(false);
  });

  it('the local person picker does not exist in production', async () => {
    expect((await get(production, '/playground/people')).status).toBe(404);
  });

  it('the page itself is served with a policy that lets Teams frame it and nothing else run', async () => {
    const res = await fetch(`${production.url}/tab`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    // Fluent UI's own <style> elements carry this response's nonce, which the page hands to the app
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{16,})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain('frame-ancestors');
    expect(csp).toContain('https://teams.microsoft.com');
    const html = await res.text();
    expect(html).toContain('/tab/static/teams.js');
    expect(html).toContain(`<meta name="csp-nonce" content="${nonce}">`);
    expect(/nonce-([^']+)'/.exec((await fetch(`${production.url}/tab`)).headers.get('content-security-policy') ?? '')?.[1]).not.toBe(nonce);
    const teamsJs = await fetch(`${production.url}/tab/static/teams.js`);
    expect(teamsJs.status).toBe(200);
    expect((await teamsJs.text()).length).toBeGreaterThan(10_000);
    for (const path of ['/tab/static/app.js', '/tab/static/app.css']) expect((await fetch(`${production.url}${path}`)).status, path).toBe(200);
    for (const path of ['/tab/static/missing.js', '/tab/static/../router.ts', '/tab/static/%2e%2e/router.ts', '/tab/static/../dashboard.json']) {
      const res = await fetch(`${production.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('import');
    }
  });
});

describe('local try-out: the chosen demo person', () => {
  it('the DSL gets the figures: held vs due per half term and the rates', async () => {
    const res = await get(local, '/dashboard', as('priya'));
    expect(res.status).toBe(200);
    const view = res.body as DashboardView;
    expect(view.halfTerms.at(-1)).toMatchObject({ name: 'Autumn 2', schoolYear: '2026/27', current: true });
    expect(view.halfTerms.some((h) => h.name === 'Autumn 1' && h.schoolYear === '2026/27' && h.due > 0 && h.held > 0)).toBe(true);
    expect(view.totals.held).toBeGreaterThan(0);
    for (const rate of Object.values(view.rates)) expect(rate === null || (rate >= 0 && rate <= 1)).toBe(true);
    // Daniel's last record waits for confirmation: not every held session has a signed record
    expect(view.totals.signed).toBe(view.totals.held - 1);
    expect(view.staff.map((p) => p.id)).toContain('farah');
    expect(JSON.stringify(view)).not.toContain('CPOMS');
  });

  it('the cookie works as well as the header', async () => {
    expect((await get(local, '/me', { cookie: 'playground_person=tom' })).body).toMatchObject({ person: { id: 'tom' }, canSeeDashboard: true, via: 'playground' });
  });

  it('the overdue list is the same data as /overdue in chat', async () => {
    const res = await get(local, '/overdue', as('tom'));
    expect(res.status).toBe(200);
    const view = res.body as OverdueSummaryView;
    expect(view.sessions.map((r) => r.personId).sort()).toEqual(['ben', 'farah']);
    expect(view.records.map((r) => r.personId)).toEqual(['daniel']);
    expect((await get(local, '/overdue?filter=sessions', as('tom'))).body.records).toEqual([]);
  });

  it('nobody named, or nobody known, gets 401', async () => {
    expect((await get(local, '/me')).status).toBe(401);
    expect((await get(local, '/dashboard', as('nobody'))).status).toBe(401);
    expect((await get(local, '/dashboard', as('not a valid id!'))).status).toBe(401);
  });

  it('the picker lists the demo people, leads first', async () => {
    const res = await get(local, '/playground/people');
    expect(res.status).toBe(200);
    expect(res.body.people.slice(0, 3).map((p: { id: string }) => p.id).sort()).toEqual(['helen', 'priya', 'tom']);
  });
});

describe('who may see what', () => {
  it('a supervisee is refused the dashboard, the overdue list, the staff list and both exports', async () => {
    for (const path of ['/dashboard', '/overdue', '/overdue.csv', '/figures.csv', '/people']) {
      const res = await get(local, path, as('amy'));
      expect(res.status, path).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('Farah');
    }
  });

  it('a person asking for someone else’s record or history gets 403; their own is theirs', async () => {
    expect((await get(local, `/records/${records.ben.id}`, as('amy'))).status).toBe(403);
    expect((await get(local, '/people/ben', as('amy'))).status).toBe(403);
    const own = await get(local, `/records/${records.amy.id}`, as('amy'));
    expect(own.status).toBe(200);
    expect(own.body.record).toMatchObject({ recordId: records.amy.id, viewerRole: 'supervisee' });
    expect((await get(local, '/people/amy', as('amy'))).status).toBe(200);
    // a record that does not exist looks the same as one that is not yours
    expect((await get(local, '/records/rec.c-nobody.2026-01-01', as('amy'))).status).toBe(403);
  });

  it('the supervisor sees their supervisee’s record; another supervisor does not', async () => {
    expect((await get(local, `/records/${records.ben.id}`, as('james'))).status).toBe(200);
    expect((await get(local, `/records/${records.ben.id}`, as('aisha'))).status).toBe(403);
  });

  it('the DSL drills down to a person: contracts, sessions and every record', async () => {
    const res = await get(local, '/people/ben', as('priya'));
    expect(res.status).toBe(200);
    const view = res.body as PersonHistoryView;
    expect(view.person).toMatchObject({ id: 'ben', name: 'Ben Hughes' });
    expect(view.contracts[0]).toMatchObject({ role: 'supervisee', overdue: true, withNames: ['James Whitfield'] });
    expect(view.records.map((r) => r.recordId)).toContain(records.ben.id);
    expect(view.sessions.some((s) => s.status === 'held' && s.recordId === records.ben.id)).toBe(true);
  });

  it('the headteacher sees the dashboard and histories, but no record they are not party to', async () => {
    expect((await get(local, '/dashboard', as('helen'))).status).toBe(200);
    const history = (await get(local, '/people/amy', as('helen'))).body as PersonHistoryView;
    expect(history.records).toEqual([]);
    expect(history.actions.every((a) => a.text === undefined)).toBe(true);
    expect((await get(local, `/records/${records.amy.id}`, as('helen'))).status).toBe(403);
  });

  it('an auditor sees signed records only', async () => {
    expect((await get(local, `/records/${records.ben.id}`, as('olivia'))).status).toBe(200);
    expect((await get(local, `/records/${records.awaiting.id}`, as('olivia'))).status).toBe(403);
    const history = (await get(local, '/people/daniel', as('olivia'))).body as PersonHistoryView;
    expect(history.records.length).toBeGreaterThan(0);
    expect(history.records.every((r) => r.state === 'signed')).toBe(true);
    expect(history.records.map((r) => r.recordId)).not.toContain(records.awaiting.id);
    expect((await get(local, '/dashboard', as('olivia'))).status).toBe(403);
    // the staff list to find them by, without any figures
    const staff = await get(local, '/people', as('olivia'));
    expect(staff.status).toBe(200);
    expect(staff.body.staff.map((p: { id: string }) => p.id)).toContain('daniel');
    expect((await get(local, '/me', as('olivia'))).body).toMatchObject({ canSeeDashboard: false, canBrowseHistories: true });
    // the DSL sees the one awaiting confirmation
    expect((await get(local, `/records/${records.awaiting.id}`, as('priya'))).status).toBe(200);
  });
});

describe('bad input names the field', () => {
  it.each([
    ['/dashboard?halfTerms=many', 'query.halfTerms'],
    ['/dashboard?halfTerms=40', 'query.halfTerms'],
    ['/dashboard?halfTerms=1&halfTerms=2', 'query.halfTerms'],
    ['/overdue?filter=everything', 'query.filter'],
    ['/overdue.csv?filter=', 'query.filter'],
    ['/overdue?colour=red', 'query.colour'],
    ['/people/not%20an%20id', 'params.personId'],
    [`/people/${'x'.repeat(101)}`, 'params.personId'],
    ['/records/rec%3Cscript%3E', 'params.recordId'],
    [`/records/${'rec.x'}?version=0`, 'query.version'],
    [`/records/${'rec.x'}?version=two`, 'query.version'],
    ['/me?debug=1', 'query.debug'],
  ])('%s → 400 naming %s', async (path, field) => {
    const res = await get(local, path, as('priya'));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.error).toContain(field);
  });

  it('an unknown API route is 404', async () => {
    expect((await get(local, '/records', as('priya'))).status).toBe(404);
  });
});

describe('CSV exports', () => {
  it('the overdue list downloads as an attachment with every section', async () => {
    const res = await get(local, '/overdue.csv', as('priya'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="overdue-2026-11-23\.csv"$/);
    const lines = (res.body as string).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('"section","person","detail","days overdue","reference"');
    expect(lines.some((l) => l.startsWith('"Supervision overdue","Farah Khan","supervision with Aisha Begum — '))).toBe(true);
    expect(lines.some((l) => l.startsWith('"Record not confirmed","Daniel Price"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('"Action late","Amy Clarke"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('"Contract review due","Hannah Moss"'))).toBe(true);
  });

  it('the figures download per half term with the totals and rates', async () => {
    const res = await get(local, '/figures.csv', as('priya'));
    expect(res.status).toBe(200);
    const lines = (res.body as string).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('"sessions due","sessions held"');
    expect(lines.some((l) => l.startsWith('"Autumn 2","2026/27"'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^"Rate",/);
  });

  it('a name that a spreadsheet would run as a formula is written as text', async () => {
    const deps = local.runtime.deps;
    const farah = await deps.people.get('farah');
    if (!farah) throw new Error('farah is in the demo school');
    await deps.people.upsert({ ...farah, name: '=HYPERLINK("https://evil.example","Farah")' });
    try {
      const res = await get(local, '/overdue.csv?filter=sessions', as('priya'));
      expect(res.body).toContain(`"'=HYPERLINK(""https://evil.example"",""Farah"")"`);
      expect(res.body).not.toMatch(/(^|,)"=/m);
    } finally {
      await deps.people.upsert(farah);
    }
  });
});

describe('My supervision', () => {
  const mine = async (who: string, path = '/mine') => {
    const res = await get(local, path, as(who));
    expect(res.status, `${path} as ${who}: ${JSON.stringify(res.body)}`).toBe(200);
    // the answer is what the shared schema (the browser app's type) says it is
    return mySupervisionView.parse(res.body) as MySupervisionView;
  };

  it('a supervisee sees their next session, their late action and their history', async () => {
    const amy = await mine('amy');
    expect(amy).toMatchObject({ own: true, person: { id: 'amy', name: 'Amy Clarke' }, supervisees: [] });
    expect(amy.nextSession?.withNames).toEqual(['James Whitfield']);
    expect(amy.actions.some((a) => a.late && a.text)).toBe(true);
    expect(amy.history.records.map((r) => r.recordId)).toContain(records.amy.id);
    expect(amy.history.sessions.length).toBeGreaterThan(0);
  });

  it('the record waiting for a supervisee’s confirmation is on their page', async () => {
    const daniel = await mine('daniel');
    expect(daniel.waiting).toContainEqual(expect.objectContaining({ recordId: records.awaiting.id, what: 'Waiting for your confirmation', withNames: ['James Whitfield'] }));
  });

  it('a supervisor sees the people they supervise, and each one’s page from their own contract only', async () => {
    const james = await mine('james');
    expect(james.supervisees.map((p) => p.id).sort()).toEqual(['amy', 'ben', 'chloe', 'daniel']);
    // James is also supervised, in the safeguarding team's group
    expect(james.nextSession).not.toBeNull();
    const daniel = await mine('james', '/mine/daniel');
    expect(daniel).toMatchObject({ own: false, person: { id: 'daniel' }, supervisees: [] });
    expect(daniel.waiting.map((r) => r.recordId)).toContain(records.awaiting.id);
    expect(daniel.history.records.every((r) => r.withNames.includes('James Whitfield'))).toBe(true);
    // Priya supervises James in the group: she sees James's page, with that contract's sessions only
    const jamesByPriya = await mine('priya', '/mine/james');
    expect(jamesByPriya.history.sessions.every((s) => s.withNames.includes('Priya Shah'))).toBe(true);
    expect(JSON.stringify(jamesByPriya)).not.toMatch(/Amy Clarke|Ben Hughes|Chloe Evans|Daniel Price/);
  });

  it('nobody else opens a person’s page: not another supervisor, not a lead, not a colleague', async () => {
    for (const [who, whose] of [
      ['aisha', 'amy'],
      ['priya', 'amy'],
      ['helen', 'daniel'],
      ['olivia', 'amy'],
      ['amy', 'ben'],
      ['daniel', 'james'],
      ['james', 'emma'],
      ['james', 'nobody'],
    ]) {
      const res = await get(local, `/mine/${whose}`, as(who as string));
      expect(res.status, `${who} → ${whose}`).toBe(403);
      expect(JSON.stringify(res.body)).not.toMatch(/Amy Clarke|Ben Hughes|Daniel Price|Emma Wood/);
    }
    expect((await get(local, '/mine', as('nobody'))).status).toBe(401);
  });

  it('bad input is named', async () => {
    expect((await get(local, '/mine/not%20an%20id', as('amy'))).body).toMatchObject({ field: 'params.personId' });
    expect((await get(local, '/mine?x=1', as('amy'))).body).toMatchObject({ field: 'query.x' });
  });

  it('in Teams, the signed-in person gets their own page', async () => {
    const res = await get(production, '/mine', bearer(await sign({ oid: AMY })));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ own: true, person: { id: 'amy' } });
  });
});

describe('reads only', () => {
  it('no request writes anything', async () => {
    const DELIVERED = ['playgroundInbox', 'deliveries'];
    const db = local.runtime.store.connection.db;
    if (!db) throw new Error('connected');
    const snapshot = async () => {
      const counts: Record<string, number> = {};
      // where messages already written are delivered (the playground's chats, the platforms' message references)
      // is left out: a delivery of a message the bots wrote before can land at any moment, and a request that
      // wrote a message would show in the outbox
      for (const c of await db.listCollections().toArray()) if (!DELIVERED.includes(c.name)) counts[c.name] = await db.collection(c.name).countDocuments();
      return counts;
    };
    // what the two bots do on their own (reminders due at start-up, their messages) is done first: what changes
    // from here on was written by a request
    await settled(local.runtime.store.connection, [], () => Promise.all([local.runtime.queues.fireDueReminders(), production.runtime.queues.fireDueReminders()]));
    const auditBefore = (await local.runtime.deps.audit.entries(DEMO_ORG_ID)).length;
    const before = await snapshot();
    const token = await sign();
    for (const who of ['priya', 'amy', 'olivia', 'helen', 'nobody']) {
      for (const path of ['/me', '/mine', '/mine/daniel', '/dashboard', '/overdue', '/overdue.csv', '/figures.csv', '/people/ben', '/people/amy', `/records/${records.ben.id}`, `/records/${records.awaiting.id}`, '/overdue?filter=bad']) {
        await get(local, path, as(who));
      }
    }
    for (const path of ['/dashboard', '/people/ben', `/records/${records.ben.id}`]) await get(production, path, bearer(token));
    expect(await snapshot()).toEqual(before);
    expect((await local.runtime.deps.audit.entries(DEMO_ORG_ID)).length).toBe(auditBefore);
  });
});

describe('a signed record under correction', () => {
  it('the auditor still opens the signed version, not the draft correction', async () => {
    const { correctSignedRecord } = await import('../../../src/app/records.js');
    expect((await correctSignedRecord(local.runtime.deps, 'james', { recordId: records.ben.id })).ok).toBe(true);
    expect((await get(local, `/records/${records.ben.id}`, as('olivia'))).status).toBe(403);
    const signed = await get(local, `/records/${records.ben.id}?version=${records.ben.version}`, as('olivia'));
    expect(signed.status).toBe(200);
    expect(signed.body.record).toMatchObject({ version: records.ben.version, state: 'signed' });
    const history = (await get(local, '/people/ben', as('olivia'))).body as PersonHistoryView;
    expect(history.records.find((r) => r.recordId === records.ben.id)).toMatchObject({ version: records.ben.version, state: 'signed' });
    // the parties and the DSL see the correction being drafted
    const dsl = (await get(local, '/people/ben', as('priya'))).body as PersonHistoryView;
    expect(dsl.records.find((r) => r.recordId === records.ben.id)).toMatchObject({ version: records.ben.version + 1, state: 'draft' });
  });
});
