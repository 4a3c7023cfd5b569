/**
 * Fuzzing the administration endpoints (issue 13): the admin API (`/tab/api/admin/...`, as the DSL in local
 * try-out: set-up, organisation, term dates, contracts, people), the first-run setup page (`/setup/<secret>`) and the sign-in links (`/tab/signin/<person>/<secret>`):
 * 10,000 generated requests, a few dozen at a time.
 *
 * - Refused input (a bad year, half term, INSET day, organisation field, .ics file or setup form) is named: a 400
 *   answers `{ error: "<field>: …", field }`, a refused file 422 with every error as `{file,row,column,message}`;
 *   and nothing is written: the database fingerprint is the same before and after each batch.
 * - Anything at all (random methods, paths, bodies, callers, links) gets a proper answer, never a 5xx; no
 *   sign-in or setup link that was never given out starts anything.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { parseCadence } from '../../../src/domain/imports/contracts.js';
import { PHONE_PATTERN } from '../../../src/domain/support.js';
import { fingerprint, fuzzBatches, inParallel, nastyString, prototypePolluted, randomBody, settled, statusTally, watchProcess } from '../../support/fuzz.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const TOTAL = Number(process.env.FUZZ_PER_KIND) || 10_000;
const BATCH = Number(process.env.FUZZ_BATCH) || 250;
const IN_FLIGHT = 40;

let w: World;
let bot: Bot;
let sent = 0;
const watch = watchProcess();
const tally = statusTally('admin');

interface Case {
  method: string;
  path: string;
  person?: string;
  body?: { body: string | Uint8Array; type: string };
  /** The field a 400 must name, when built to be refused; 'file' for a file refused with 422. */
  field?: string;
}

async function send(c: Case): Promise<{ status: number; text: string; cookie: boolean }> {
  const headers: Record<string, string> = {};
  if (c.person !== undefined) headers['x-playground-person'] = c.person;
  if (c.body) headers['content-type'] = c.body.type;
  const res = await fetch(`${bot.url}${c.path}`, {
    method: c.method,
    headers,
    redirect: 'manual',
    ...(c.body && c.method !== 'GET' && c.method !== 'HEAD' ? { body: c.body.body as BodyInit } : {}),
  }).catch((error: Error) => ({ status: 0, text: async () => `fetch failed: ${error.message}`, headers: new Headers() }));
  sent++;
  tally.count(`${c.method} ${c.path.split('/').slice(0, 5).join('/').split('?')[0]}`, res.status);
  return { status: res.status, text: await res.text(), cookie: res.headers.getSetCookie?.().length > 0 };
}

const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'));
const json = (v: unknown) => ({ body: JSON.stringify(v), type: 'application/json' });
const ADMINISTRATORS = fc.constantFrom('dsl', 'head');
const day = fc.date({ min: new Date('1990-01-01'), max: new Date('2110-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const goodHalves = [
  { name: 'Autumn 1', start: '2030-09-02', end: '2030-10-18' },
  { name: 'Autumn 2', start: '2030-10-28', end: '2030-12-20' },
  { name: 'Spring 1', start: '2031-01-06', end: '2031-02-14' },
  { name: 'Spring 2', start: '2031-02-24', end: '2031-04-04' },
  { name: 'Summer 1', start: '2031-04-22', end: '2031-05-23' },
  { name: 'Summer 2', start: '2031-06-02', end: '2031-07-22' },
];

const PEOPLE = ['dsl', 'deputy', 'head', 'governor', 'sup', 'sup2', 'amy', 'ben', 'auditor', 'stranger'];
/** A contract the contracts screen could send (Sue supervising Amy), for one field at a time to break. */
const goodContract = { kind: 'one-to-one', supervisorId: 'sup2', superviseeIds: ['amy'], cadence: 'monthly', durationMinutes: 60, location: 'Room 9', level: 1, disputeRoute: 'line-manager', startDate: '2025-11-17' };
const CONTRACT_FIELDS = ['reference', 'kind', 'supervisorId', 'superviseeIds', 'external', 'cadence', 'durationMinutes', 'location', 'format', 'level', 'disputeRoute', 'agendaTemplate', 'startDate', 'reviewDueDate', 'preferredTime'];

/** Each built to be refused, naming one field (or, for a file, its rows). */
const rejected: fc.Arbitrary<Case> = fc.oneof(
  // a year that is not one
  fc
    .tuple(ADMINISTRATORS, nastyString.filter((s) => s !== '' && s.length < 500 && !/^\s*\d{4}\s*$/.test(s) && !s.includes('/') && !s.includes('\\') && s !== '.' && s !== '..'))
    .map(([person, y]): Case => ({ method: 'GET', path: `/tab/api/admin/terms/${enc(y)}`, person, field: 'params.year' })),
  // a half term broken in one of many ways: a bad date, a wrong name, out of the year, reversed, overlapping
  fc
    .tuple(ADMINISTRATORS, fc.integer({ min: 0, max: 5 }), fc.oneof(nastyString.map((s) => ({ start: s })), day.map((d) => ({ start: d, end: '2029-08-15' })), nastyString.map((s) => ({ name: s.slice(0, 40) || 'x' }))))
    .map(([person, i, change]): Case => {
      const halfTerms = goodHalves.map((h, k) => (k === i ? { ...h, ...change } : h));
      return { method: 'PUT', path: '/tab/api/admin/terms/2030', person, body: json({ halfTerms }), field: 'halfTerms' };
    }),
  // INSET days that are not school-year weekdays
  fc
    .tuple(ADMINISTRATORS, fc.array(fc.oneof(nastyString, day.filter((d) => d < '2030-08-01' || d > '2031-07-31')), { minLength: 1, maxLength: 4 }))
    .map(([person, insetDays]): Case => ({ method: 'PUT', path: '/tab/api/admin/terms/2030', person, body: json({ halfTerms: goodHalves, insetDays }), field: 'insetDays' })),
  // a field the form does not have, or a value of the wrong kind
  fc
    .tuple(ADMINISTRATORS, nastyString.filter((s) => s !== '' && !['halfTerms', 'insetDays', 'year', 'dryRun'].includes(s) && !/\p{Cs}/u.test(s)))
    .map(([person, key]): Case => ({ method: 'PUT', path: '/tab/api/admin/terms/2030', person, body: json({ halfTerms: goodHalves, [key]: 1 }), field: 'any' })),
  // the organisation: a DSL who is not a person here, a bad time zone or division, a setting not true or false, an unknown field
  fc
    .tuple(
      ADMINISTRATORS,
      fc.oneof(
        nastyString.filter((s) => !['dsl', 'deputy', 'head', 'governor', 'sup', 'sup2', 'amy', 'ben', 'auditor', 'stranger'].includes(s.slice(0, 100))).map((s) => ({ dslIds: [s.slice(0, 100) || 'nobody'] })),
        nastyString.map((s) => ({ timezone: `${s}/Nowhere` })),
        nastyString.map((s) => ({ bankHolidayDivision: `${s}x` })),
        // "keep supervision content out of chat" is true or false, nothing else
        fc.oneof(nastyString, fc.integer(), fc.constant(null), fc.constantFrom('true', 'false', 'on')).map((v) => ({ keepContentOutOfChat: v })),
        // the Slack workspace: a team id (T…), nothing else
        fc.oneof(nastyString.filter((s) => !/^T[A-Z0-9]{2,20}$/.test(s.trim())), fc.integer(), fc.constantFrom('t0abc', 'U0SOMEONE', 'T', 'T0-ABC')).map((v) => ({ slackTeamId: v })),
        nastyString.filter((s) => !/\p{Cs}/u.test(s)).map((s) => ({ [`x${s}`]: true })),
        fc.constant({ name: 'x' }),
        // support contacts: a number that is not one, a name too short or too long, too many, a field the form does not have
        nastyString.filter((s) => s.trim() !== '' && !PHONE_PATTERN.test(s.trim())).map((s) => ({ supportContacts: [{ name: 'Samaritans', phone: s }] })),
        fc.oneof(fc.string({ maxLength: 1 }), fc.string({ minLength: 81, maxLength: 120 })).filter((s) => s.trim().length < 2 || s.trim().length > 80).map((s) => ({ supportContacts: [{ name: s }] })),
        fc.integer({ min: 11, max: 14 }).map((k) => ({ supportContacts: Array.from({ length: k }, (_, i) => ({ name: `Service ${i}` })) })),
        nastyString.filter((s) => !/\p{Cs}/u.test(s) && !['name', 'phone', 'description'].includes(s)).map((s) => ({ supportContacts: [{ name: 'Samaritans', [s || 'url']: 'x' }] })),
      ),
    )
    .map(([person, body]): Case => ({ method: 'PATCH', path: '/tab/api/admin/organisation', person, body: json(body), field: 'any' })),
  // a file that is not a calendar of half terms
  fc
    .tuple(ADMINISTRATORS, fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => b as Uint8Array | string), nastyString, fc.array(nastyString, { maxLength: 8 }).map((lines) => ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'))))
    .map(([person, body]): Case => ({ method: 'POST', path: '/tab/api/admin/terms/ics?file=council.ics', person, body: { body, type: 'text/calendar' }, field: 'file' })),
  // a query parameter a route does not take
  fc
    .tuple(ADMINISTRATORS, fc.constantFrom('/tab/api/admin/setup', '/tab/api/admin/organisation', '/tab/api/admin/terms/2025'), nastyString.filter((s) => s !== '' && s.length < 200 && !/\p{Cs}/u.test(s)))
    .map(([person, path, key]): Case => ({ method: 'GET', path: `${path}?${new URLSearchParams({ [key]: '1' })}`, person, field: `query.${key}` })),
  // a contract (new, or new terms for Ben's) with one field broken: named, and nothing written
  fc
    .tuple(
      ADMINISTRATORS,
      fc.constantFrom('POST /tab/api/admin/contracts', 'PUT /tab/api/admin/contracts/c-ben'),
      fc.oneof(
        fc.oneof(fc.integer({ min: -1_000, max: 29 }), fc.integer({ min: 121, max: 100_000 }), fc.double({ min: 30.01, max: 119.99, noInteger: true }), nastyString).map((v) => ['durationMinutes', { durationMinutes: v }] as const),
        fc.oneof(fc.integer().filter((n) => n < 1 || n > 3), nastyString).map((v) => ['level', { level: v }] as const),
        nastyString.filter((t) => parseCadence(t) === undefined).map((v) => ['cadence', { cadence: v }] as const),
        nastyString.filter((t) => t !== 'one-to-one' && t !== 'group').map((v) => ['kind', { kind: v }] as const),
        nastyString.filter((t) => t !== 'line-manager' && t !== 'safeguarding-governor').map((v) => ['disputeRoute', { disputeRoute: v }] as const),
        nastyString.filter((t) => !/^\d{4}-\d{2}-\d{2}$/.test(t)).map((v) => ['startDate', { startDate: v }] as const),
        fc.oneof(fc.constantFrom('', ' ', '\t\n'), fc.string({ minLength: 201, maxLength: 400 }).filter((t) => t.trim().length > 200)).map((v) => ['location', { location: v }] as const),
        nastyString.filter((t) => !PEOPLE.includes(t)).map((v) => ['supervisorId', { supervisorId: v }] as const),
        fc.array(nastyString.filter((t) => !PEOPLE.includes(t)), { minLength: 1, maxLength: 3 }).map((v) => ['superviseeIds', { superviseeIds: v }] as const),
        // stour §4: seven in a group supervised from outside
        fc.constant(['superviseeIds', { kind: 'group', external: true, level: 3, superviseeIds: ['ben', 'deputy', 'governor', 'auditor', 'stranger', 'head', 'dsl'] }] as const),
        nastyString.filter((t) => t !== '' && !/\p{Cs}/u.test(t) && !CONTRACT_FIELDS.includes(t)).map((k) => ['any', { [k]: 1 }] as const),
      ),
    )
    .map(([person, route, [field, change]]): Case => {
      const [method, path] = route.split(' ') as [string, string];
      return { method, path, person, body: json({ ...goodContract, ...change }), field };
    }),
  // a supervisor's training on the People page (template line manager (f)): one field broken, named
  fc
    .tuple(
      ADMINISTRATORS,
      fc.oneof(
        nastyString.filter((t) => !/^\d{4}-\d{2}-\d{2}$/.test(t)).map((v) => ['date', { date: v }] as const),
        fc.oneof(fc.integer({ min: -1_000, max: 5 }), fc.integer({ min: 61, max: 100_000 }), fc.double({ min: 6.01, max: 59.99, noInteger: true }), nastyString).map((v) => ['renewalMonths', { date: '2024-09-02', renewalMonths: v }] as const),
        nastyString.filter((t) => t !== '' && !/\p{Cs}/u.test(t) && !['date', 'renewalMonths', 'personId'].includes(t)).map((k) => ['any', { date: '2024-09-02', [k]: 1 }] as const),
      ),
    )
    .map(([person, [field, body]]): Case => ({ method: 'PUT', path: '/tab/api/admin/people/sup/training', person, body: json(body), field })),
  // the lists' filters, and ending a contract by an id that is not one
  fc
    .tuple(ADMINISTRATORS, nastyString.filter((t) => t.length < 200 && !['all', 'active', 'waiting', 'ended'].includes(t) && !/\p{Cs}/u.test(t)))
    .map(([person, status]): Case => ({ method: 'GET', path: `/tab/api/admin/contracts?${new URLSearchParams({ status })}`, person, field: 'query.status' })),
  fc
    .tuple(ADMINISTRATORS, nastyString.filter((t) => t.length < 200 && !['all', 'unlinked', 'partly', 'unreachable', 'no-contract', 'leavers'].includes(t) && !/\p{Cs}/u.test(t)))
    .map(([person, filter]): Case => ({ method: 'GET', path: `/tab/api/admin/people?${new URLSearchParams({ filter })}`, person, field: 'query.filter' })),
  fc
    .tuple(ADMINISTRATORS, fc.constantFrom('/tab/api/admin/contracts', '/tab/api/admin/people'), nastyString.filter((s) => s !== '' && s.length < 200 && !/\p{Cs}/u.test(s) && !['q', 'status', 'filter'].includes(s)))
    .map(([person, path, key]): Case => ({ method: 'GET', path: `${path}?${new URLSearchParams({ [key]: '1' })}`, person, field: `query.${key}` })),
  fc
    .tuple(ADMINISTRATORS, nastyString.filter((t) => t !== '' && t.length < 300 && !/^[A-Za-z0-9._:-]{1,200}$/.test(t) && !t.includes('/') && !t.includes('\\') && !/\p{Cs}/u.test(t)))
    .map(([person, id]): Case => ({ method: 'POST', path: `/tab/api/admin/contracts/${enc(id)}/end`, person, field: 'params.id' })),
  // the setup form on a link never given out (the database holds an organisation: refused either way)
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 43, maxLength: 43 }), randomBody)
    .map(([secret, body]): Case => ({ method: 'POST', path: `/setup/${secret}`, body, field: 'link' })),
  // a sign-in link never given out, or someone else's person id
  fc
    .tuple(fc.constantFrom('amy', 'dsl', 'ben'), fc.oneof(nastyString.filter((s) => s !== '' && s.length < 1_000 && !s.includes('/') && !s.includes('\\') && s !== '.' && s !== '..'), fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 43, maxLength: 43 })))
    .map(([person, secret]): Case => ({ method: 'GET', path: `/tab/signin/${person}/${enc(secret)}`, field: 'link' })),
);

const ROUTES = [
  '/tab/api/admin/setup',
  '/api/admin/identities/teams/install',
  '/tab/api/admin/organisation',
  '/tab/api/admin/terms/2025',
  '/tab/api/admin/terms/ics',
  '/tab/api/admin/contracts',
  '/tab/api/admin/contracts/c-ben',
  '/tab/api/admin/contracts/c-ben/end',
  '/tab/api/admin/people',
  '/tab/api/admin/people/sup/training',
  '/setup/x',
  '/tab/signin/amy/x',
];

/** Anything: random methods, paths, bodies and callers. */
const random: fc.Arbitrary<Case> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path: fc.oneof(
    fc.constantFrom(...ROUTES),
    fc.tuple(fc.constantFrom(...ROUTES), fc.array(nastyString, { minLength: 1, maxLength: 3 })).map(([r, parts]) => `${r}/${parts.map(enc).join('/')}`),
    fc.tuple(fc.constantFrom(...ROUTES), fc.dictionary(nastyString, nastyString, { maxKeys: 3 })).map(([r, q]) => `${r}?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k.replace(/\p{Cs}/gu, ''), v.replace(/\p{Cs}/gu, '')]))}`),
  ),
  person: fc.oneof(fc.constantFrom('dsl', 'head', 'amy', 'stranger', 'auditor'), fc.constant(undefined)),
  body: fc.option(randomBody, { nil: undefined }),
});

function check(c: Case, answer: { status: number; text: string; cookie: boolean }): void {
  const where = `${c.method} ${c.path.slice(0, 300)} as ${JSON.stringify(c.person)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);
  // nothing but a real link starts a session
  expect(answer.cookie && !/\/signout/.test(c.path), where).toBe(false);
  const isJson = answer.text.startsWith('{');
  if (answer.status === 400 && isJson && c.method !== 'HEAD') {
    const body = JSON.parse(answer.text) as { error?: string; field?: string };
    expect(body.field, where).toBeTruthy();
    expect(body.error, where).toContain(`${body.field}:`);
  }
  if (answer.status === 422 && c.method !== 'HEAD') {
    const report = JSON.parse(answer.text) as { errors: Array<Record<string, unknown>>; created: number };
    expect(report.errors.length, where).toBeGreaterThan(0);
    for (const e of report.errors) expect(Object.keys(e).sort(), where).toEqual(['column', 'file', 'message', 'row']);
  }
  if (!c.field) return;
  if (c.field === 'link') expect([400, 403, 404, 409], where).toContain(answer.status);
  else if (c.field === 'file') expect([400, 422], where).toContain(answer.status);
  else {
    expect([400, 422], where).toContain(answer.status);
    if (c.field !== 'any' && answer.status === 400) {
      const field = (JSON.parse(answer.text) as { field: string }).field;
      expect(field.startsWith(c.field), where).toBe(true);
    }
  }
}

beforeAll(async () => {
  w = await createWorld('fuzz_admin');
  bot = await startBot(loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }), createLogger('silent'), { clock: w.clock });
  // what the bot does by itself at start-up (sessions booked, reminders, their messages) is done before fuzzing
  await ensureNextSession(w.deps, w.org, w.contracts.amy);
  await settled(w.store.connection, [], async () => {
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
  });
  expect((await send({ method: 'GET', path: '/tab/api/admin/setup', person: 'dsl' })).status).toBe(200);
  sent = 0;
}, 180_000);
afterAll(async () => {
  watch.stop();
  tally.write({ sent });
  await bot?.stop();
  await w?.close();
});

describe('the administration endpoints', () => {
  it(
    `refused input is named and nothing is written (${TOTAL / 2} generated)`,
    async () => {
      const count = await fuzzBatches(rejected, TOTAL / 2, BATCH, async (cases) => {
        const before = await fingerprint(w.store.connection, []);
        const answers = await inParallel(cases, IN_FLIGHT, send);
        for (const [i, c] of cases.entries()) check(c, answers[i] as { status: number; text: string; cookie: boolean });
        const after = await fingerprint(w.store.connection, []);
        expect(Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]), 'collections changed by refused requests').toEqual([]);
      });
      expect(count).toBeGreaterThanOrEqual(TOTAL / 2);
    },
    900_000,
  );

  it(
    `anything at all gets a proper answer, never a 5xx (${TOTAL / 2} generated)`,
    async () => {
      const count = await fuzzBatches(random, TOTAL / 2, BATCH, async (cases) => {
        const answers = await inParallel(cases, IN_FLIGHT, send);
        for (const [i, c] of cases.entries()) check(c, answers[i] as { status: number; text: string; cookie: boolean });
      });
      expect(count).toBeGreaterThanOrEqual(TOTAL / 2);
      expect(prototypePolluted()).toBe(false);
      // no organisation was made from a setup link never given out
      expect((await w.deps.organisations.list()).map((o) => o.id)).toEqual(['org-wl']);
    },
    900_000,
  );

  it('after the fuzzing the bot is healthy, nothing crashed, and the endpoints had their 10,000', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(watch.problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    // the full size unless FUZZ_PER_KIND asked for fewer
    if (!process.env.FUZZ_PER_KIND) expect(TOTAL).toBeGreaterThanOrEqual(10_000);
  });
});
