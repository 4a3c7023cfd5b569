/**
 * Fuzzing the dashboard tab's API (`/tab/api/...`) in local try-out, where the caller names a demo person with
 * the `x-playground-person` header: 10,000 generated requests, a few dozen at a time.
 *
 * - Every answer is a proper status (never 5xx) and the bot answers its health check afterwards, with no
 *   unhandled rejection and no polluted prototype.
 * - A rejection names the field: 400 answers `{ error: "<field>: …", field }` (`query.filter`,
 *   `params.personId`, …); an unknown caller gets 401, someone not allowed 403, an unknown route 404.
 * - Nothing is written: the database fingerprint (every collection, none excluded) is the same before and
 *   after each batch (the routes that write — the record page's Confirm, Ask for a change and Edit, retention,
 *   subject access, incidents — get only bodies they must refuse, or a record that is not there).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import {
  fingerprint,
  fuzzBatches,
  inParallel,
  nastyString,
  prototypePolluted,
  randomBody,
  settled,
  statusTally,
  watchProcess,
} from '../../support/fuzz.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

/** Generated requests (`FUZZ_PER_KIND` to try fewer while working on the API). */
const TOTAL = Number(process.env.FUZZ_PER_KIND) || 10_000;
const BATCH = Number(process.env.FUZZ_BATCH) || 250;
const IN_FLIGHT = 40;

let w: World;
let bot: Bot;
let sent = 0;
const watch = watchProcess();
const tally = statusTally('tab');

const PEOPLE = ['dsl', 'head', 'sup', 'amy', 'ben', 'auditor', 'governor', 'stranger'] as const;
const ROUTES = [
  '/me',
  '/dashboard',
  '/overdue',
  '/overdue.csv',
  '/figures.csv',
  '/people',
  '/people/amy',
  '/records/r.c-amy.2025-11-10',
  '/playground/people',
  '/retention',
  '/subject-access/00000000-0000-4000-8000-000000000000',
  '/governors',
  '/incidents',
] as const;
/** The record page's writes (Confirm, Ask for a change, Edit), on a record that is not there: refused, never written. */
const RECORD_WRITES = ['/records/r.c-amy.2025-11-10/confirm', '/records/r.c-amy.2025-11-10/dispute', '/records/r.c-amy.2025-11-10/draft'] as const;
/** Generating the governors' report writes its audit entry: fuzzed only with input it must refuse. */
const TERM_ROUTES = ['/governors', '/governors/report.pdf'] as const;

/** Routes that take a JSON body (retention and subject access): refused bodies are named `body.<field>`. */
const json = (value: unknown) => ({ body: JSON.stringify(value), type: 'application/json' });

interface Case {
  method: string;
  path: string;
  person?: string;
  body?: { body: string | Uint8Array; type: string };
  /** The field a 400 must name, when the case is built to be refused. */
  field?: string;
}

async function send(c: Case): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (c.person !== undefined) headers['x-playground-person'] = c.person;
  if (c.body) headers['content-type'] = c.body.type;
  const res = await fetch(`${bot.url}/tab/api${c.path}`, {
    method: c.method,
    headers,
    ...(c.body && c.method !== 'GET' && c.method !== 'HEAD' ? { body: c.body.body as BodyInit } : {}),
  }).catch((error: Error) => ({ status: 0, text: async () => `fetch failed: ${error.message}` }));
  sent++;
  tally.count(c.method, res.status);
  return { status: res.status, text: await res.text() };
}

const q = (params: Record<string, string | string[]>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  const s = search.toString();
  return s ? `?${s}` : '';
};
/** A path segment, percent-encoded (a lone surrogate becomes U+FFFD, as a browser would send it). */
const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'));
/** Header values fetch can send: no control characters, no line breaks, Latin-1 only. */
const headerSafe = (s: string) => /^[\x20-\x7e\xa0-\xff]*$/.test(s);
const known = fc.constantFrom(...PEOPLE);

/** Each built to be refused with a 400 naming one field. */
const rejected: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      known,
      nastyString.filter((s) => s.length < 2_000 && !/^(1[0-8]|[1-9])$/.test(s)),
      fc.constantFrom('/dashboard', '/figures.csv'),
    )
    .map(
      ([person, v, path]): Case => ({
        method: 'GET',
        path: `${path}${q({ halfTerms: v })}`,
        person,
        field: 'query.halfTerms',
      }),
    ),
  fc
    .tuple(
      known,
      nastyString.filter(
        (s) => s.length < 2_000 && !['all', 'sessions', 'records', 'actions', 'reviews'].includes(s),
      ),
      fc.constantFrom('/overdue', '/overdue.csv'),
    )
    .map(
      ([person, v, path]): Case => ({
        method: 'GET',
        path: `${path}${q({ filter: v })}`,
        person,
        field: 'query.filter',
      }),
    ),
  fc
    .tuple(
      known,
      nastyString.filter((s) => s.length < 2_000 && !/^[1-9]\d{0,3}$/.test(s)),
    )
    .map(
      ([person, v]): Case => ({
        method: 'GET',
        path: `/records/r.c-amy.2025-11-10${q({ version: v })}`,
        person,
        field: 'query.version',
      }),
    ),
  fc
    .tuple(
      known,
      nastyString.filter(
        (s) =>
          s !== '' &&
          s.length < 2_000 &&
          !/^[A-Za-z0-9._:@-]{1,200}$/.test(s) &&
          !s.includes('/') &&
          !s.includes('\\') &&
          s !== '.' &&
          s !== '..',
      ),
    )
    .map(
      ([person, id]): Case => ({
        method: 'GET',
        path: `/records/${enc(id)}`,
        person,
        field: 'params.recordId',
      }),
    ),
  fc
    .tuple(
      known,
      nastyString.filter(
        (s) =>
          s !== '' &&
          s.length < 2_000 &&
          !/^[A-Za-z0-9._-]{1,100}$/.test(s) &&
          !s.includes('/') &&
          !s.includes('\\') &&
          s !== '.' &&
          s !== '..',
      ),
    )
    .map(
      ([person, id]): Case => ({
        method: 'GET',
        path: `/people/${enc(id)}`,
        person,
        field: 'params.personId',
      }),
    ),
  // a term that is not one (the form is `autumn-2025`), or not one of the school's that has started
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((s) => s.length < 2_000 && !/^(autumn|spring|summer)-\d{4}$/.test(s)),
        fc.tuple(fc.constantFrom('autumn', 'spring', 'summer'), fc.oneof(fc.integer({ min: 0, max: 2019 }), fc.integer({ min: 2027, max: 9999 }))).map(([t, y]) => `${t}-${String(y).padStart(4, '0')}`),
      ),
      fc.constantFrom(...TERM_ROUTES),
    )
    .map(([person, v, path]): Case => ({ method: 'GET', path: `${path}${q({ term: v })}`, person, field: 'query.term' })),
  // a parameter a route does not take
  fc
    .tuple(
      known,
      fc.constantFrom(...ROUTES, ...TERM_ROUTES),
      nastyString.filter(
        (s) =>
          s !== '' &&
          s.length < 2_000 &&
          !/\p{Cs}/u.test(s) &&
          !['halfTerms', 'filter', 'version', 'term'].includes(s),
      ),
    )
    .map(
      ([person, path, key]): Case => ({
        method: 'GET',
        path: `${path}${q({ [key]: '1' })}`,
        person,
        field: `query.${key}`,
      }),
    ),
  // retention and subject access bodies, each refused naming its field (a valid one would write: never generated)
  fc
    .tuple(known, fc.oneof(nastyString, fc.integer({ min: -5, max: 0 }), fc.integer({ min: 101 }), fc.double({ noInteger: true }), fc.constant(null)))
    .map(([person, v]): Case => ({ method: 'PUT', path: '/retention/schedule', person, body: json({ supervisionYears: v, riskOrDecisionYears: 25 }), field: 'body.supervisionYears' })),
  fc
    .tuple(known, nastyString.filter((s) => !/^[A-Za-z0-9._:@-]{1,200}$/.test(s)))
    .map(([person, id]): Case => ({ method: 'POST', path: '/retention/destroy', person, body: json({ recordIds: [id] }), field: 'body.recordIds.0' })),
  fc
    .tuple(known, fc.constantFrom<unknown>('', '  ', 'ab', 7, null, [], {}))
    .map(([person, reason]): Case => ({ method: 'POST', path: '/retention/holds', person, body: json({ target: { kind: 'person', id: 'amy' }, reason }), field: 'body.reason' })),
  fc
    .tuple(known, nastyString.filter((s) => !/^[A-Za-z0-9._-]{1,100}$/.test(s)))
    .map(([person, id]): Case => ({ method: 'POST', path: '/subject-access', person, body: json({ personId: id }), field: 'body.personId' })),
  fc
    .tuple(known, nastyString.filter((s) => s !== '' && s !== 'decisions' && s !== '__proto__' && !/\p{Cs}/u.test(s)))
    .map(([person, key]): Case => ({ method: 'POST', path: '/subject-access/00000000-0000-4000-8000-000000000000/decisions', person, body: json({ [key]: 1 }), field: `body.${key}` })),
  // after a major incident: a declaration without a name (or too long a one), who was involved not one of the
  // three, a person who is not a reference, a field the form does not have (a valid one would write: never generated)
  fc
    .tuple(known, fc.constantFrom<unknown>('', '   ', 'x'.repeat(201), 7, null, [], {}))
    .map(([person, incidentName]): Case => ({ method: 'POST', path: '/incidents', person, body: json({ incidentName, scope: 'everyone' }), field: 'body.incidentName' })),
  fc
    .tuple(known, fc.oneof(nastyString.filter((s) => !['people', 'team', 'everyone'].includes(s)), fc.constantFrom<unknown>(7, null, [])))
    .map(([person, scope]): Case => ({ method: 'POST', path: '/incidents', person, body: json({ incidentName: 'Fuzzed incident', scope }), field: 'body.scope' })),
  fc
    .tuple(known, nastyString.filter((s) => !/^[A-Za-z0-9._:@-]{1,200}$/.test(s)))
    .map(([person, id]): Case => ({ method: 'POST', path: '/incidents', person, body: json({ incidentName: 'Fuzzed incident', scope: 'people', personIds: [id] }), field: 'body.personIds.0' })),
  fc
    .tuple(known, nastyString.filter((s) => s !== '' && !['incidentName', 'messageToStaff', 'scope', 'personIds', 'lineManagerId', '__proto__'].includes(s) && !/\p{Cs}/u.test(s)))
    .map(([person, key]): Case => ({ method: 'POST', path: '/incidents', person, body: json({ incidentName: 'Fuzzed incident', scope: 'everyone', [key]: 1 }), field: `body.${key}` })),
  // the record page's Confirm (the version shown), Ask for a change (the reason) and Edit (the form's fields)
  fc
    .tuple(known, fc.oneof(nastyString, fc.integer({ max: 0 }), fc.integer({ min: 10_000 }), fc.double({ noInteger: true }), fc.constantFrom<unknown>(null, [], {}, true)))
    .map(([person, version]): Case => ({ method: 'POST', path: RECORD_WRITES[0], person, body: json({ version }), field: 'body.version' })),
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', '\n\t', 'x'.repeat(2001), 7, null, [], {}, false)))
    .map(([person, reason]): Case => ({ method: 'POST', path: RECORD_WRITES[1], person, body: json({ reason }), field: 'body.reason' })),
  fc
    .tuple(known, fc.constantFrom<unknown>(7, null, [], {}, true))
    .map(([person, notes]): Case => ({ method: 'POST', path: RECORD_WRITES[2], person, body: json({ version: 1, notes, concerns: [], actions: [], caseDecisions: [], nextSession: null, submit: true }), field: 'body.notes' })),
  fc
    .tuple(known, fc.oneof(nastyString, fc.constantFrom<unknown>(7, null, {})))
    .map(([person, ownerId]): Case => ({ method: 'POST', path: RECORD_WRITES[2], person, body: json({ version: 1, notes: '', concerns: [], actions: [{ text: 'Fuzzed action', ownerId: typeof ownerId === 'string' ? { id: ownerId } : ownerId, dueDate: '2025-11-20' }], caseDecisions: [], nextSession: null, submit: false }), field: 'body.actions.0.ownerId' })),
  fc
    .tuple(known, fc.constantFrom(...RECORD_WRITES), nastyString.filter((s) => s !== '' && !['version', 'reason', 'notes', 'topics', 'concerns', 'actions', 'caseDecisions', 'nextSession', 'submit', '__proto__'].includes(s) && !/\p{Cs}/u.test(s)))
    .map(([person, path, key]): Case => {
      const base = path.endsWith('/confirm') ? { version: 1 } : path.endsWith('/dispute') ? { reason: 'Fuzzed reason' } : { version: 1, notes: '', concerns: [], actions: [], caseDecisions: [], nextSession: null, submit: false };
      return { method: 'POST', path, person, body: json({ ...base, [key]: 1 }), field: `body.${key}` };
    }),
  // the same parameter twice
  fc
    .tuple(
      known,
      fc.constantFrom<[string, string]>(
        ['/overdue', 'filter'],
        ['/dashboard', 'halfTerms'],
        ['/records/r.c-amy.2025-11-10', 'version'],
        ['/governors', 'term'],
        ['/governors/report.pdf', 'term'],
      ),
    )
    .map(
      ([person, [path, key]]): Case => ({
        method: 'GET',
        path: `${path}${q({ [key]: ['1', '2'] })}`,
        person,
        field: `query.${key}`,
      }),
    ),
);

/** Anything: random methods, paths, queries, callers and bodies. */
const random: fc.Arbitrary<Case> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path: fc.oneof(
    fc.constantFrom(...ROUTES, ...RECORD_WRITES),
    fc
      .tuple(
        fc.constantFrom(...ROUTES, ...RECORD_WRITES),
        fc.dictionary(nastyString, fc.oneof(nastyString, fc.array(nastyString, { maxLength: 3 })), {
          maxKeys: 3,
        }),
      )
      .map(([path, params]) => `${path}${q(params)}`),
    fc.array(nastyString, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.map(enc).join('/')}`),
    fc.constantFrom(
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/',
      '/records/..%2f..%2fme',
      '/people/%00',
      '/records/%ZZ',
      '/me?%',
      '/me?a[b]=c',
      '/overdue?filter[$ne]=x',
      '/me;a=b',
      '//me',
      '/ME',
      '/me/',
    ),
  ),
  person: fc.oneof(
    known,
    nastyString.filter((s) => headerSafe(s) && s.length < 4_000),
    fc.constant(undefined),
  ),
  body: fc.option(randomBody, { nil: undefined }),
});

function check(c: Case, answer: { status: number; text: string }): void {
  const where = `${c.method} ${c.path.slice(0, 300)} as ${JSON.stringify(c.person)?.slice(0, 60)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status === 400 && c.method !== 'HEAD') {
    const body = JSON.parse(answer.text) as { error?: string; field?: string };
    expect(body.field, where).toMatch(/^(query|params|body)(\.|$)/);
    expect(body.error, where).toContain(`${body.field}:`);
  }
  if (c.field) {
    // a person who may not use the route at all is refused (403) before the input is looked at
    expect([400, 403], where).toContain(answer.status);
    if (answer.status === 400 && c.method !== 'HEAD')
      expect((JSON.parse(answer.text) as { field: string }).field, where).toBe(c.field);
  }
}

beforeAll(async () => {
  w = await createWorld('fuzz_tab');
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  await ensureNextSession(w.deps, w.org, w.contracts.amy);
  w.clock.set(london('2025-11-10T12:00'));
  await settled(w.store.connection, [], async () => {
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
  });
  // the API answers a known caller
  expect((await send({ method: 'GET', path: '/me', person: 'dsl' })).status).toBe(200);
  sent = 0;
}, 180_000);
afterAll(async () => {
  watch.stop();
  tally.write({ sent });
  await bot?.stop();
  await w?.close();
});

describe('the dashboard tab API', () => {
  it.each([
    ['refused input names the field', () => rejected],
    ['anything at all gets a proper answer, never a 5xx', () => random],
  ] as const)(
    `%s, and nothing is written (${TOTAL / 2} generated)`,
    async (_name, arb) => {
      const count = await fuzzBatches(arb(), TOTAL / 2, BATCH, async (cases) => {
        const before = await fingerprint(w.store.connection, []);
        const answers = await inParallel(cases, IN_FLIGHT, send);
        for (const [i, c] of cases.entries()) check(c, answers[i] as { status: number; text: string });
        const after = await fingerprint(w.store.connection, []);
        const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
        expect(changed, 'collections changed by reads').toEqual([]);
      });
      expect(count).toBeGreaterThanOrEqual(TOTAL / 2);
      expect(prototypePolluted()).toBe(false);
    },
    600_000,
  );

  it('after the fuzzing the bot is healthy, nothing crashed, and the API had its 10,000', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(watch.problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(TOTAL).toBeGreaterThanOrEqual(10_000);
  });
});
