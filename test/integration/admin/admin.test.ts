/**
 * Administration (issue 13) through the bot's real endpoints:
 *   - first run: the setup link an empty database logs creates the organisation and its first admin, once;
 *     forged, expired and reused links are refused; the admin is signed in with a session cookie;
 *   - `dashboard` in Slack (a signed event) sends a single-use sign-in link for that person only (reused,
 *     expired, forged and other-person links refused); Teams and the playground answer with the tab's address;
 *   - the admin API: the checklist, the organisation, term dates by form and by .ics, dry runs writing nothing;
 *   - an admin reads no supervision content; until this year's term dates exist the bot says it is not set up,
 *     and it never schedules into a year without them (the DSL is told instead).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { createSetupLink, redeemSetupLink } from '../../../src/app/admin/links.js';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { contract, london } from '../../support/school.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'admin-slack-secret';
let w: World;
let slack: FakeSlack;
let teams: FakeConnector;
let bot: Bot;
let blank: Bot;
const blankClock = new AdjustableClock();
let n = 0;

const cookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
const sessionFrom = (res: Response) => (cookieOf(res) ?? '').split(';')[0] as string;

async function slackEvent(user: string, text: string) {
  const body = JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `EvAdmin${++n}`, event_time: 1, event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `3.${n}` } });
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
}

/** Types `dashboard` to the bot in Slack as `user` and returns the sign-in link it sends to that DM. */
async function signInLinkFor(user: string): Promise<string> {
  const before = slack.of('chat.postMessage').length;
  expect((await slackEvent(user, 'dashboard')).status).toBe(200);
  const message = await eventually(() => slack.of('chat.postMessage').slice(before).find((c) => c.body.channel === `D${user}` && JSON.stringify(c.body.blocks).includes('/tab/signin/')), 'the sign-in link');
  const url = /<(http[^|>]+\/tab\/signin\/[^|>]+)\|Open the dashboard>/.exec(JSON.stringify(message.body.blocks))?.[1];
  expect(url).toBeDefined();
  // the bot gives its PUBLIC_BASE_URL (unset here): the same path on the address it listens on
  const { pathname } = new URL(url as string);
  return `${bot.url}${pathname}`;
}

const api = (base: string, path: string, init: RequestInit & { session?: string; as?: string } = {}) =>
  fetch(`${base}/tab/api${path}`, {
    ...init,
    headers: { ...(init.session ? { cookie: init.session } : {}), ...(init.as ? { 'x-playground-person': init.as } : {}), ...(init.body && typeof init.body === 'string' && init.body.startsWith('{') ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
  });

beforeAll(async () => {
  w = await createWorld('admin');
  slack = await startFakeSlack();
  teams = await startFakeConnector();
  const common = { REDIS_URL: testRedisUrl(), PORT: '0', LOG_LEVEL: 'silent' };
  bot = await startBot(
    loadConfig({ ...common, MONGODB_URI: w.mongoUrl, QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'on', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-admin', SLACK_API_URL: slack.apiUrl }),
    createLogger('silent'),
    { clock: w.clock },
  );
  blankClock.set(london('2025-11-10T09:00'));
  blank = await startBot(loadConfig({ ...common, MONGODB_URI: testMongoUrl('admin_blank'), QUEUE_PREFIX: testQueuePrefix(), PLAYGROUND: 'off' }), createLogger('silent'), { clock: blankClock });
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  if (blank) {
    await recordFreeText(blank.runtime.store.connection);
    await blank.runtime.store.connection.dropDatabase().catch(() => undefined);
    await blank.stop();
  }
  await slack?.close();
  await teams?.close();
  await w?.close();
});

describe('first run', () => {
  let setupPath = '';

  it('an empty database gives a single-use setup link; a database with an organisation gives none', () => {
    expect(bot.setupUrl).toBeUndefined();
    expect(blank.setupUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/setup\/[A-Za-z0-9_-]{43}$/);
    setupPath = new URL(blank.setupUrl as string).pathname;
  });

  it('refuses a forged link and an expired one', async () => {
    const forged = `/setup/${randomBytes(32).toString('base64url')}`;
    expect((await fetch(`${blank.url}${forged}`)).status).toBe(403);
    const form = { organisationName: 'Forged Academy', adminName: 'Mallory', adminEmail: 'mallory@example.org' };
    const post = (path: string) => fetch(`${blank.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });
    expect((await post(forged)).status).toBe(403);
    const old = await createSetupLink(blank.runtime.deps);
    blankClock.set(new Date(blankClock.now().getTime() + 25 * 3_600_000));
    try {
      const res = await post(old.path);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/^This link has expired/) });
    } finally {
      blankClock.set(london('2025-11-10T09:00'));
    }
    expect(await blank.runtime.deps.organisations.list()).toEqual([]);
  });

  it('shows the form; a field in error is named and spends nothing', async () => {
    const page = await fetch(`${blank.url}${setupPath}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<form method="post"');
    const bad = await fetch(`${blank.url}${setupPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ organisationName: 'Aire Valley Primary', adminName: 'Bea Business', adminEmail: 'not an email' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ field: 'adminEmail', error: 'adminEmail: must be an email address such as name@school.org.uk', words: 'Your email: must be an email address such as name@school.org.uk' });
    // a form in error comes back with the message beside the field, what was typed kept as text
    const html = await fetch(`${blank.url}${setupPath}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ organisationName: '<b>Aire</b>', adminName: 'Bea', adminEmail: '' }).toString() });
    expect(html.status).toBe(400);
    const text = await html.text();
    expect(text).toContain('value="&lt;b&gt;Aire&lt;/b&gt;"');
    expect(text).toContain('Your email: type your email address');
    expect((await fetch(`${blank.url}${setupPath}`)).status).toBe(200);
  });

  let session = '';
  it('creates the organisation and its first admin once, and signs the admin in', async () => {
    const res = await fetch(`${blank.url}${setupPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ organisationName: 'Aire Valley Primary', kind: 'school', bankHolidayDivision: 'scotland', timezone: '', adminName: 'Bea Business', adminEmail: 'Bea.Business@AireValley.sch.uk' }).toString(),
    });
    expect(res.status).toBe(201);
    expect(cookieOf(res)).toMatch(/^sb_session=[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Strict$/);
    session = sessionFrom(res);
    const [org] = await blank.runtime.deps.organisations.list();
    expect(org).toMatchObject({ name: 'Aire Valley Primary', timezone: 'Europe/London', bankHolidayDivision: 'scotland', dslIds: [] });
    expect(org?.termDates.bankHolidays).toContain('2026-11-30'); // St Andrew's Day: Scotland's
    const people = await blank.runtime.deps.people.byOrganisation(org?.id as string);
    expect(people).toMatchObject([{ name: 'Bea Business', email: 'bea.business@airevalley.sch.uk', roles: ['admin'] }]);
    // reused: the link is spent, and the organisation exists
    const again = await fetch(`${blank.url}${setupPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ organisationName: 'Second', adminName: 'Eve', adminEmail: 'eve@example.org' }) });
    expect(again.status).toBe(409);
    expect(await redeemSetupLink(blank.runtime.deps, setupPath.slice('/setup/'.length))).toEqual({ ok: false, reason: 'used' });
    expect(await blank.runtime.deps.organisations.list()).toHaveLength(1);
  });

  it('the admin’s session reaches the admin API and no supervision content', async () => {
    const me = await (await api(blank.url, '/me', { session })).json();
    expect(me).toMatchObject({ person: { name: 'Bea Business', roleText: 'Administrator' }, via: 'session', canSeeDashboard: false });
    const checklist = await (await api(blank.url, '/admin/setup', { session })).json();
    expect(checklist).toMatchObject({ ready: false, schoolYear: '2025/26' });
    expect(checklist.items.map((i: { key: string; done: boolean }) => `${i.key}:${i.done}`)).toEqual(['organisation:true', 'dsl:false', 'term-dates:false', 'staff:false', 'identities:false', 'contracts:false']);
    for (const path of ['/dashboard', '/overdue', '/people', '/overdue.csv', '/figures.csv']) expect((await api(blank.url, path, { session })).status, path).toBe(403);
    // no cookie, or a made-up one: nobody
    expect((await api(blank.url, '/admin/setup')).status).toBe(401);
    expect((await api(blank.url, '/admin/setup', { session: `sb_session=${randomBytes(32).toString('base64url')}` })).status).toBe(401);
  });

  it('the admin names the DSL and enters this year’s dates; then supervision is ready; signing out ends the session', async () => {
    const [admin] = await blank.runtime.deps.people.byOrganisation((await blank.runtime.deps.organisations.list())[0]?.id as string);
    const named = await api(blank.url, '/admin/organisation', { session, method: 'PATCH', body: JSON.stringify({ dslIds: ['nobody-here'] }) });
    expect(named.status).toBe(400);
    expect(await named.json()).toMatchObject({ field: 'dslIds.0', error: 'dslIds.0: is not a person of this organisation' });
    expect((await api(blank.url, '/admin/organisation', { session, method: 'PATCH', body: JSON.stringify({ dslIds: [admin?.id] }) })).status).toBe(200);
    // the form's choices: the organisation's people by name and email, nothing more
    expect(await (await api(blank.url, '/admin/organisation', { session })).json()).toMatchObject({ dslIds: [admin?.id], people: [{ id: admin?.id, name: admin?.name, email: admin?.email }] });
    const halfTerms = JSON.parse(readFileSync('test/support/data/leeds-term-dates-2025-26.json', 'utf8')).terms;
    const put = await api(blank.url, '/admin/terms/2025', { session, method: 'PUT', body: JSON.stringify({ halfTerms, insetDays: ['2025-09-01'] }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ dryRun: false, created: 7, updated: 0, unchanged: 0, errors: [] });
    expect(await (await api(blank.url, '/admin/setup', { session })).json()).toMatchObject({ ready: true });
    expect((await api(blank.url, '/signout', { session, method: 'POST' })).status).toBe(200);
    expect((await api(blank.url, '/admin/setup', { session })).status).toBe(401);
  });
});

describe('`dashboard`: a sign-in link in Slack, the tab’s address in Teams and the playground', () => {
  it('Slack: a link for that person, once; the session it starts names them', async () => {
    const link = await signInLinkFor('UAMY');
    expect(new URL(link).pathname).toMatch(/^\/tab\/signin\/amy\/[A-Za-z0-9_-]{43}$/);
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(cookieOf(res)).toMatch(/HttpOnly; Secure; SameSite=Strict$/);
    const session = sessionFrom(res);
    expect(await (await api(bot.url, '/me', { session })).json()).toMatchObject({ person: { id: 'amy', name: 'Amy Teacher' }, via: 'session' });
    // not an administrator: the admin API refuses her
    expect((await api(bot.url, '/admin/setup', { session })).status).toBe(403);
    // reused
    const again = await fetch(link);
    expect(again.status).toBe(403);
    expect(cookieOf(again)).toBeUndefined();
    expect(await again.text()).toContain('This link has been used already');
  });

  it('Slack: another person’s, an expired and a forged link are refused', async () => {
    const link = await signInLinkFor('UAMY');
    const other = link.replace('/tab/signin/amy/', '/tab/signin/ben/');
    const refused = await fetch(other);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('This link was given to someone else');
    // the other-person attempt did not spend Amy's link
    expect((await fetch(link)).status).toBe(200);
    const late = await signInLinkFor('UAMY');
    w.clock.set(new Date(w.clock.now().getTime() + 11 * 60_000));
    try {
      const expired = await fetch(late);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('This link has expired');
    } finally {
      w.clock.set(london('2025-11-10T09:00'));
    }
    const forged = await fetch(`${bot.url}/tab/signin/amy/${randomBytes(32).toString('base64url')}`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('not one this bot gave out');
    expect((await fetch(`${bot.url}/tab/signin/amy/short`)).status).toBe(403);
  });

  it('Teams answers with the tab’s address (Teams signs in with SSO)', async () => {
    const activity = { id: `t${++n}`, type: 'message', text: 'dashboard', timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, from: { id: '29:amy', aadObjectId: 'aad-amy' }, conversation: { id: 'conv-amy', tenantId: 'tenant-1', conversationType: 'personal' } };
    expect((await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })).status).toBe(200);
    const card = await eventually(() => teams.calls.find((c) => c.conversationId === 'conv-amy' && JSON.stringify(c.body).includes('Open the dashboard')), 'the dashboard card');
    expect(JSON.stringify(card.body)).toMatch(/"type":"Action.OpenUrl","title":"Open the dashboard","url":"http:\/\/127\.0\.0\.1:\d+\/tab\/"/);
    expect(JSON.stringify(card.body)).not.toContain('/tab/signin/');
  });

  it('the playground answers with the tab’s address', async () => {
    const res = await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers: { 'x-playground-person': 'amy', 'content-type': 'application/json' }, body: JSON.stringify({ text: 'dashboard' }) });
    const { entry } = (await res.json()) as { entry: { kind: string; card: unknown } };
    expect(entry.kind).toBe('dashboard-link');
    expect(JSON.stringify(entry.card)).toMatch(/"url":"http:\/\/127\.0\.0\.1:\d+\/tab\/"/);
  });
});

describe('term dates, readiness and scheduling', () => {
  it('nothing is scheduled into a year without term dates: the DSL is told instead', async () => {
    const late = contract({ id: 'c-late', startDate: '2026-09-07', superviseeIds: ['ben'], cadence: { kind: 'termly' } });
    expect(await ensureNextSession(w.deps, w.org, late)).toBeNull();
    expect(await w.deps.sessions.byContract('c-late')).toEqual([]);
    const told = await w.store.models.outbox.findById('term-dates-missing.org-wl.2026.2025-11-10.dsl').lean<{ view: { text: string } }>();
    expect(told?.view.text).toMatch(/no term dates for 2026\/27 yet/);
  });

  it('until this year’s term dates exist, chat says plainly that supervision is not set up', async () => {
    w.clock.set(london('2026-09-10T09:00'));
    try {
      const res = await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers: { 'x-playground-person': 'amy', 'content-type': 'application/json' }, body: JSON.stringify({ text: 'next' }) });
      expect(JSON.stringify(await res.json())).toContain('Supervision is not set up yet at your school: it still needs term dates for 2026/27');
      const before = slack.of('chat.postMessage').length;
      await slackEvent('UAMY', 'actions');
      await eventually(() => slack.of('chat.postMessage').slice(before).some((c) => c.body.channel === 'DUAMY' && JSON.stringify(c.body.blocks).includes('Supervision is not set up yet')), 'the Slack answer');
    } finally {
      w.clock.set(london('2025-11-10T09:00'));
    }
  });

  it('the form: a dry run writes nothing; problems are named; an administrator only', async () => {
    const halfTerms = JSON.parse(readFileSync('src/demo/data/demo-term-dates-2026-27.json', 'utf8')).terms;
    const dry = await api(bot.url, '/admin/terms/2026?dryRun=true', { as: 'dsl', method: 'PUT', body: JSON.stringify({ halfTerms, insetDays: [] }) });
    expect(await dry.json()).toMatchObject({ dryRun: true, created: 6, errors: [] });
    expect((await (await api(bot.url, '/admin/terms/2026', { as: 'dsl' })).json()).halfTerms).toEqual([]);
    const overlapping = halfTerms.map((h: { name: string }, i: number) => (i === 1 ? { ...h, start: '2026-10-01' } : h));
    const bad = await api(bot.url, '/admin/terms/2026', { as: 'dsl', method: 'PUT', body: JSON.stringify({ halfTerms: overlapping, insetDays: ['2026-09-05'] }) });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors).toEqual([
      { file: 'form', row: 0, column: 'halfTerms.1.start', message: expect.stringMatching(/^Autumn 2 starts \(Thursday 1 October 2026\) before Autumn 1 ends \(Friday 23 October 2026\): half terms must be in order/) },
      { file: 'form', row: 0, column: 'insetDays.0', message: 'INSET day 1: Saturday 5 September 2026 is a weekend day' },
    ]);
    const bad2 = await api(bot.url, '/admin/terms/2026', { as: 'dsl', method: 'PUT', body: JSON.stringify({ halfTerms: halfTerms.slice(0, 5) }) });
    expect((await bad2.json()).errors).toEqual([{ file: 'form', row: 0, column: 'halfTerms', message: 'Summer 2 is missing: a school year has six half terms' }]);
    expect((await api(bot.url, '/admin/terms/2026', { as: 'amy', method: 'PUT', body: JSON.stringify({ halfTerms }) })).status).toBe(403);
    expect((await api(bot.url, '/admin/terms/2026', { as: 'stranger' })).status).toBe(403);
    const notJson = await api(bot.url, '/admin/terms/2026', { as: 'dsl', method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"halfTerms": [' });
    expect(await notJson.json()).toEqual({ field: 'body', error: 'body: is not valid JSON' });
    expect(await (await api(bot.url, '/admin/terms/1999', { as: 'dsl' })).json()).toEqual({ field: 'params.year', error: 'params.year: must be 2000 or later' });
  });

  it('the council’s .ics: a bad file names its line; the example file enters the year once', async () => {
    const upload = (body: string, query = '') => api(bot.url, `/admin/terms/ics${query}`, { as: 'head', method: 'POST', headers: { 'content-type': 'text/calendar' }, body });
    const broken = await upload('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Autumn 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', '?file=council.ics');
    expect(broken.status).toBe(422);
    expect((await broken.json()).errors).toEqual([{ file: 'council.ics', row: 3, column: 'DTSTART', message: 'the event has no start date (DTSTART)' }]);
    const example = readFileSync('examples/term-dates-2026-27.ics', 'utf8');
    const dry = await upload(example, '?dryRun=true');
    expect(await dry.json()).toMatchObject({ dryRun: true, created: 11, errors: [] });
    expect((await (await api(bot.url, '/admin/terms/2026', { as: 'dsl' })).json()).halfTerms).toEqual([]);
    const done = await upload(example);
    expect(await done.json()).toMatchObject({ dryRun: false, created: 11, updated: 0, unchanged: 0, errors: [] });
    const year = await (await api(bot.url, '/admin/terms/2026', { as: 'dsl' })).json();
    expect(year.halfTerms.map((h: { name: string }) => h.name)).toEqual(['Autumn 1', 'Autumn 2', 'Spring 1', 'Spring 2', 'Summer 1', 'Summer 2']);
    expect(year.holidays.map((h: { name: string }) => h.name)).toEqual(['Autumn half term', 'Christmas holiday', 'Spring half term', 'Easter holiday', 'Summer half term']);
    // the same file again changes nothing
    expect(await (await upload(example)).json()).toMatchObject({ created: 0, updated: 0, unchanged: 11 });
    // and now the year has dates, the contract that waited is scheduled
    const late = contract({ id: 'c-late', startDate: '2026-09-07', superviseeIds: ['ben'], cadence: { kind: 'termly' } });
    const org = await w.deps.organisations.get('org-wl');
    expect(await ensureNextSession(w.deps, org!, late)).toMatchObject({ contractId: 'c-late', status: 'scheduled' });
    expect(await (await api(bot.url, '/admin/setup', { as: 'dsl' })).json()).toMatchObject({ ready: true, schoolYear: '2025/26' });
  });
});
