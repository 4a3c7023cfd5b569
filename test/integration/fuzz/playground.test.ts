/**
 * Fuzzing the playground's API (`/playground/api/...`, local try-out with the demo school): 10,000 generated
 * requests, a few dozen at a time.
 *
 * - Every answer is a proper status (never 5xx) and the bot answers its health check afterwards, with no
 *   unhandled rejection and no polluted prototype.
 * - A rejection names the field: `{ error: { field, message: "<field>: …" } }` with 400 (the body's field,
 *   `data.<field>` of a card action, `recordId`), 401 (`person`), 403, 404 or 413.
 * - Rejected input changes nothing: the database fingerprint (every collection, none excluded) and the
 *   playground's clock are the same before and after each batch.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { VERBS } from '../../../src/channels/conversation.js';
import { loadConfig } from '../../../src/config.js';
import { DEMO_PEOPLE, demoOrganisation, loadDemoSchool } from '../../../src/demo/school.js';
import { SchoolCalendar } from '../../../src/domain/calendar.js';
import { AGENDA_CATEGORIES } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { recordFreeText } from '../../support/free-text.js';
import {
  anyValue,
  fingerprint,
  fuzzBatches,
  inParallel,
  nastyString,
  notAString,
  prototypePolluted,
  randomBody,
  settled,
  statusTally,
  watchProcess,
  withPollution,
} from '../../support/fuzz.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

/** Generated requests (`FUZZ_PER_KIND` to try fewer while working on the API). */
const TOTAL = Number(process.env.FUZZ_PER_KIND) || 10_000;
const BATCH = Number(process.env.FUZZ_BATCH) || 250;
const IN_FLIGHT = 40;

let bot: Bot;
let sent = 0;
const clock = new AdjustableClock();
const watch = watchProcess();
const tally = statusTally('playground');

const PEOPLE = ['priya', 'tom', 'helen', 'james', 'aisha', 'amy', 'ben', 'chloe', 'olivia'] as const;
const known = fc.constantFrom(...PEOPLE);
const knownVerbs = Object.keys(VERBS);

interface Case {
  method: string;
  path: string;
  person?: string;
  body?: { body: string | Uint8Array; type: string };
  /** The field a refusal must name, when the case is built to be refused. */
  field?: string;
}

const json = (value: unknown, polluted = false) => {
  const text = JSON.stringify(value) ?? 'null';
  return { body: polluted ? withPollution(text) : text, type: 'application/json' };
};

async function send(c: Case): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (c.person !== undefined) headers['x-playground-person'] = c.person;
  if (c.body) headers['content-type'] = c.body.type;
  const withBody = c.body && c.method !== 'GET' && c.method !== 'HEAD';
  const res = await fetch(`${bot.url}/playground/api${c.path}`, {
    method: c.method,
    headers,
    ...(withBody ? { body: c.body?.body as BodyInit } : {}),
  }).catch((error: Error) => ({
    status: 0,
    text: async () => `fetch failed: ${error.message}`,
  }));
  sent++;
  tally.count(c.method, res.status);
  return { status: res.status, text: await res.text() };
}

const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'));
const headerSafe = (s: string) => /^[\x20-\x7e\xa0-\xff]*$/.test(s);
const present = (v: unknown) => v !== null && v !== undefined;

/** A card action with one field of its data broken: [verb, data, field]. */
const badRef = fc.oneof(
  nastyString.filter((s) => !/^[A-Za-z0-9._:@-]{1,250}$/.test(s)),
  notAString.filter(present),
);
const brokenAction: fc.Arbitrary<[string, Record<string, unknown>, string]> = fc.oneof(
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'record.confirm',
    { recordId: r, version: 1 },
    'recordId',
  ]),
  fc
    .constantFrom<unknown>(0, -1, 1.5, 10_000, 'abc', [], {})
    .map((v): [string, Record<string, unknown>, string] => [
      'record.confirm',
      { recordId: 'rec.c-amy.2026-11-02', version: v },
      'version',
    ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => [
      'record.dispute',
      { recordId: 'rec.c-amy.2026-11-02', reason: t },
      'reason',
    ]),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'escalation.acknowledge',
    { escalationId: r },
    'escalationId',
  ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => ['agenda.add', { text: t }, 'text']),
  fc
    .tuple(fc.constantFrom('action.done', 'action.not-needed'), badRef)
    .map(([verb, r]): [string, Record<string, unknown>, string] => [
      verb,
      { actionId: r, reason: 'The training was cancelled' },
      'actionId',
    ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(1001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => [
      'action.not-needed',
      { actionId: 'rec.c-amy.2026-11-02.a1', reason: t },
      'reason',
    ]),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'decision.copied',
    { recordId: r, decisionId: 'd1' },
    'recordId',
  ]),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'agenda.flag',
    { agendaItemId: r },
    'agendaItemId',
  ]),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'concern.flag',
    { recordId: r, concernId: 'c1' },
    'recordId',
  ]),
  fc
    .oneof(
      nastyString.filter((s) => !/^c\d{1,3}$/.test(s)),
      notAString.filter(present),
    )
    .map((c): [string, Record<string, unknown>, string] => [
      'concern.flag',
      { recordId: 'rec.c-amy.2026-11-02', concernId: c },
      'concernId',
    ]),
  fc
    .tuple(fc.constantFrom('record.refer', 'record.correct', 'dispute.meeting', 'dispute.resolve'), badRef)
    .map(([verb, r]): [string, Record<string, unknown>, string] => [
      verb,
      {
        recordId: r,
        reason: 'A reason',
        meetingDate: '2026-12-01',
        meetingTime: '15:30',
        outcome: 'keep',
        resolution: 'Agreed',
      },
      'recordId',
    ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => [
      'record.correct',
      { recordId: 'rec.c-amy.2026-11-02', reason: t },
      'reason',
    ]),
  fc
    .constantFrom<unknown>('', 'soon', '2026-02-30', '14/11/2026', 5)
    .map((d): [string, Record<string, unknown>, string] => [
      'dispute.meeting',
      { recordId: 'rec.c-amy.2026-11-02', meetingDate: d, meetingTime: '15:30' },
      'meetingDate',
    ]),
  fc
    .constantFrom<unknown>('', '3pm', '25:99', 5)
    .map((t): [string, Record<string, unknown>, string] => [
      'dispute.meeting',
      { recordId: 'rec.c-amy.2026-11-02', meetingDate: '2026-12-01', meetingTime: t },
      'meetingTime',
    ]),
  fc
    .oneof(
      nastyString.filter((s) => s !== 'keep' && s !== 'amend'),
      notAString,
    )
    .map((o): [string, Record<string, unknown>, string] => [
      'dispute.resolve',
      { recordId: 'rec.c-amy.2026-11-02', outcome: o, resolution: 'Agreed' },
      'outcome',
    ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => [
      'dispute.resolve',
      { recordId: 'rec.c-amy.2026-11-02', outcome: 'amend', resolution: t },
      'resolution',
    ]),
  fc
    .oneof(
      nastyString.filter((s) => !/^[A-Za-z0-9_-]{1,50}$/.test(s)),
      notAString.filter(present),
    )
    .map((d): [string, Record<string, unknown>, string] => [
      'decision.copied',
      { recordId: 'rec.c-amy.2026-11-02', decisionId: d },
      'decisionId',
    ]),
  fc
    .oneof(
      fc.constantFrom<unknown>('x'.repeat(41), '<!channel>', '[x](https://evil.example)', '@here'),
      notAString.filter(present),
    )
    .map((f): [string, Record<string, unknown>, string] => [
      'decision.copied',
      { recordId: 'rec.c-amy.2026-11-02', decisionId: 'd1', childFileRef: f },
      'childFileRef',
    ]),
  fc
    .oneof(
      nastyString.filter((s) => !(AGENDA_CATEGORIES as readonly string[]).includes(s)),
      notAString.filter(present),
    )
    .map((c): [string, Record<string, unknown>, string] => [
      'agenda.add',
      { text: 'An item', category: c },
      'category',
    ]),
  // moving and cancelling: a bad session, date or time, and a cancellation without a new time (template "intervals")
  fc
    .constantFrom<unknown>('session.move', 'session.cancel', 'session.move-form')
    .chain((verb) =>
      badRef.map((r): [string, Record<string, unknown>, string] => [
        verb as string,
        { sessionId: r, date: '2026-01-07', time: '10:00' },
        'sessionId',
      ]),
    ),
  fc
    .tuple(
      fc.constantFrom('session.move', 'session.cancel'),
      fc.constantFrom<unknown>('2026-02-30', 'tomorrow', '7/1/2026', 7, [], {}, '2026-1-7'),
    )
    .map(([verb, d]): [string, Record<string, unknown>, string] => [
      verb,
      { sessionId: 'c-amy.2026-11-30', date: d, time: '10:00' },
      'date',
    ]),
  fc
    .tuple(
      fc.constantFrom('session.move', 'session.cancel'),
      fc.constantFrom<unknown>('25:00', '10am', '1000', 10, [], '10:60'),
    )
    .map(([verb, t]): [string, Record<string, unknown>, string] => [
      verb,
      { sessionId: 'c-amy.2026-11-30', date: '2026-01-07', time: t },
      'time',
    ]),
  fc
    .constantFrom('session.move', 'session.cancel')
    .map((verb): [string, Record<string, unknown>, string] => [
      verb,
      { sessionId: 'c-amy.2026-11-30' },
      'date',
    ]),
  fc
    .constantFrom<unknown>('x'.repeat(501), 7, [], {})
    .map((r): [string, Record<string, unknown>, string] => [
      'session.move',
      { sessionId: 'c-amy.2026-11-30', date: '2026-01-07', time: '10:00', reason: r },
      'reason',
    ]),
  fc
    .constantFrom<unknown>('yes', 1, [], {})
    .map((c): [string, Record<string, unknown>, string] => [
      'session.move-form',
      { sessionId: 'c-amy.2026-11-30', cancel: c },
      'cancel',
    ]),
  // after a session's time: "did it happen?", "it did not happen" (why, and the new time at once), and sessions on request
  fc
    .constantFrom<unknown>('session.check', 'session.record', 'session.not-held')
    .chain((verb) =>
      badRef.map((r): [string, Record<string, unknown>, string] => [
        verb as string,
        { sessionId: r, reason: 'other', date: '2026-01-07', time: '10:00' },
        'sessionId',
      ]),
    ),
  fc
    .constantFrom<unknown>('absent', 'holiday', 7, [], {}, null, '')
    .map((r): [string, Record<string, unknown>, string] => [
      'session.not-held',
      { sessionId: 'c-amy.2026-11-30', reason: r, date: '2026-01-07', time: '10:00' },
      'reason',
    ]),
  fc
    .constantFrom<unknown>('2026-02-30', 'tomorrow', 7, [])
    .map((d): [string, Record<string, unknown>, string] => [
      'session.not-held',
      { sessionId: 'c-amy.2026-11-30', reason: 'other', date: d, time: '10:00' },
      'date',
    ]),
  fc
    .constantFrom<unknown>('25:00', '10am', 10)
    .map((t): [string, Record<string, unknown>, string] => [
      'session.not-held',
      { sessionId: 'c-amy.2026-11-30', reason: 'other', date: '2026-01-07', time: t },
      'time',
    ]),
  fc.constant<[string, Record<string, unknown>, string]>([
    'session.not-held',
    { sessionId: 'c-amy.2026-11-30', reason: 'school-closure' },
    'date',
  ]),
  fc
    .constantFrom<unknown>('x'.repeat(501), 7, [], {})
    .map((n): [string, Record<string, unknown>, string] => [
      'session.not-held',
      { sessionId: 'c-amy.2026-11-30', reason: 'other', date: '2026-01-07', time: '10:00', note: n },
      'note',
    ]),
  fc
    .constantFrom<unknown>('x'.repeat(501), 7, [], {})
    .map((r): [string, Record<string, unknown>, string] => ['session.request', { reason: r }, 'reason']),
  // after a major incident: the offer answered — not an offer reference, or neither Yes nor Not now
  badRef.map((r): [string, Record<string, unknown>, string] => ['incident.answer', { offerId: r, answer: 'yes' }, 'offerId']),
  fc
    .oneof(nastyString.filter((s) => s !== 'yes' && s !== 'not-now'), notAString.filter(present))
    .map((a): [string, Record<string, unknown>, string] => ['incident.answer', { offerId: 'inc.x.amy', answer: a }, 'answer']),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'session.book-request',
    { requestId: r, date: '2026-01-07', time: '10:00' },
    'requestId',
  ]),
  fc
    .constantFrom<unknown>('', '2026-02-30', 7)
    .map((d): [string, Record<string, unknown>, string] => [
      'session.book-request',
      { requestId: 'req.c-amy.x1', date: d, time: '10:00' },
      'date',
    ]),
  fc
    .constantFrom<unknown>('', '25:00', 7)
    .map((t): [string, Record<string, unknown>, string] => [
      'session.book-request',
      { requestId: 'req.c-amy.x1', date: '2026-01-07', time: t },
      'time',
    ]),
  // the annual review: keep or change, each term checked as the card's inputs send it
  badRef.map((r): [string, Record<string, unknown>, string] => ['contract.review', { contractId: r, keep: true }, 'contractId']),
  fc
    .constantFrom<unknown>('yes', 7, [], null)
    .map((k): [string, Record<string, unknown>, string] => ['contract.review', { contractId: 'c-amy', keep: k }, 'keep']),
  fc
    .constantFrom<unknown>('ten', '-5', 7.5, [])
    .map((m): [string, Record<string, unknown>, string] => ['contract.review', { contractId: 'c-amy', keep: false, durationMinutes: m }, 'durationMinutes']),
  fc
    .constantFrom<unknown>('0', '4', 2, 'level 1')
    .map((l): [string, Record<string, unknown>, string] => ['contract.review', { contractId: 'c-amy', keep: false, level: l }, 'level']),
  // the supervision agreement: Agree names the contract and the terms shown; a question is text up to 2,000
  badRef.map((r): [string, Record<string, unknown>, string] => ['agreement.agree', { contractId: r, terms: '0123456789abcdef' }, 'contractId']),
  fc
    .constantFrom<unknown>('', 'not-the-terms', '0123456789ABCDEF', 7, [])
    .map((t): [string, Record<string, unknown>, string] => ['agreement.agree', { contractId: 'c-amy', terms: t }, 'terms']),
  badRef.map((r): [string, Record<string, unknown>, string] => ['agreement.ask', { contractId: r, question: 'Can we meet on Thursdays?' }, 'contractId']),
  fc
    .constantFrom<unknown>('', '   ', 'x'.repeat(2001), 7, {})
    .map((q): [string, Record<string, unknown>, string] => ['agreement.ask', { contractId: 'c-amy', question: q }, 'question']),
  badRef.map((r): [string, Record<string, unknown>, string] => [
    'agenda.add',
    { text: 'An item', sessionId: r },
    'sessionId',
  ]),
  // stour §4: "It happened" for a session kept by the supervisee — its reference, each action row, the themes
  fc
    .oneof(badRef, fc.constant(undefined))
    .chain((r) =>
      fc.constantFrom('session.kept-form', 'session.kept').map((verb): [string, Record<string, unknown>, string] => [verb, r === undefined ? {} : { sessionId: r }, 'sessionId']),
    ),
  fc
    .constantFrom<[string, unknown]>(['action0', 'x'.repeat(1001)], ['action9', 7], ['owner3', 'x'.repeat(201)], ['owner0', []], ['due0', '2026-02-30'], ['due9', 'tomorrow'], ['topics', 'x'.repeat(501)], ['topics', 7])
    .map(([f, v]): [string, Record<string, unknown>, string] => ['session.kept', { sessionId: 'c-amy.2026-11-30', [f]: v }, f]),
  // the handover card: its reference, the keep/close choices and notes, the themes and the note
  fc
    .oneof(badRef, fc.constant(undefined))
    .chain((r) =>
      fc.constantFrom('handover.open', 'handover.submit').map((verb): [string, Record<string, unknown>, string] => [verb, r === undefined ? {} : { handoverId: r }, 'handoverId']),
    ),
  fc
    .constantFrom<[string, unknown]>(['outcome0', 'maybe'], ['outcome29', 7], ['note3', 'x'.repeat(1001)], ['themes', 'x'.repeat(5001)], ['note', {}], ['actionIds', 'a b,c'], ['actionIds', 7])
    .map(([f, v]): [string, Record<string, unknown>, string] => ['handover.submit', { handoverId: 'ho.x.c-amy', [f]: v }, f]),
  // the agenda form's picker: nothing chosen, or not a contract reference; the item and its category as agenda.add
  fc
    .oneof(badRef, fc.constant(undefined))
    .map((r): [string, Record<string, unknown>, string] => [
      'agenda.add-for',
      { ...(r === undefined ? {} : { contractId: r }), text: 'An item', category: 'other' },
      'contractId',
    ]),
  fc
    .oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => ['agenda.add-for', { contractId: 'c-amy', text: t }, 'text']),
  fc
    .oneof(nastyString.filter((s) => !(AGENDA_CATEGORIES as readonly string[]).includes(s)), notAString.filter(present))
    .map((c): [string, Record<string, unknown>, string] => ['agenda.add-for', { contractId: 'c-amy', text: 'An item', category: c }, 'category']),
  fc
    .oneof(fc.constant<unknown>('x'.repeat(2001)), notAString.filter(present))
    .map((t): [string, Record<string, unknown>, string] => ['agenda.form', { text: t }, 'text']),
  fc
    .constantFrom<unknown>('John Brown!', 'x'.repeat(21), 7)
    .map((c): [string, Record<string, unknown>, string] => [
      'record.submit',
      { sessionId: 'c-amy.2026-11-30', childRef: c },
      'childRef',
    ]),
  fc
    .constantFrom<unknown>('soon', '14/11/2026', 5, '2026-13-45', '2026-02-30', '0000-00-00', '9999-99-99')
    .map((d): [string, Record<string, unknown>, string] => [
      'record.submit',
      { sessionId: 'c-amy.2026-11-30', nextDate: d },
      'nextDate',
    ]),
  fc
    .constantFrom<[string, unknown]>(['childRef3', 'Kim Lee!'], ['due7', '31/12/2026'], ['owner9', 42], ['outcome0', 'finished'], ['note2', 'x'.repeat(501)], ['previousIds', 'a b,c'], ['action4', {}], ['attend0', 'late'], ['attend2', 7], ['attendanceIds', 'a b;c'], ['referKind', 'gossip'], ['referNote', 'x'.repeat(501)])
    .chain(([f, v]) =>
      fc.constantFrom('record.submit', 'record.add-row').map((verb): [string, Record<string, unknown>, string] => [verb, { sessionId: 'c-amy.2026-11-30', row: 'decision', [f]: v }, f]),
    ),
  fc.constantFrom<unknown>('actions', 'row', 3, null, []).map((r): [string, Record<string, unknown>, string] => ['record.add-row', { sessionId: 'c-amy.2026-11-30', row: r }, 'row']),
  fc
    .constantFrom<unknown>('3pm', '1545', 5, '25:99', '99:99')
    .map((t): [string, Record<string, unknown>, string] => [
      'record.submit',
      { sessionId: 'c-amy.2026-11-30', nextDate: '2026-12-07', nextTime: t },
      'nextTime',
    ]),
);

/** Each built to be refused, naming one field. */
const rejected: fc.Arbitrary<Case> = fc.oneof(
  // typed messages that are not text
  fc
    .tuple(
      known,
      fc.oneof(fc.constantFrom<unknown>('', '   ', '\n\t', 'x'.repeat(10_001)), notAString.filter(present)),
    )
    .map(
      ([person, text]): Case => ({
        method: 'POST',
        path: '/messages',
        person,
        body: json({ text }),
        field: 'text',
      }),
    ),
  fc
    .tuple(
      known,
      nastyString.filter((k) => k !== 'text' && k !== 'replyTo' && k !== '' && k !== '__proto__'),
    )
    .map(
      ([person, key]): Case => ({
        method: 'POST',
        path: '/messages',
        person,
        body: json({ text: 'hello', [key]: 1 }),
        field: 'body',
      }),
    ),
  // prototype-pollution keys are keys the body does not take
  fc.tuple(known, fc.constantFrom('/messages', '/actions', '/clock')).map(
    ([person, path]): Case => ({
      method: 'POST',
      path,
      person,
      body: json(
        path === '/messages'
          ? { text: 'hello' }
          : path === '/actions'
            ? { verb: 'agenda.add', data: { text: 'An item' } }
            : { advance: 'days', days: 1 },
        true,
      ),
      field: 'body',
    }),
  ),
  // card actions: unknown verbs, bad data, someone else's message
  fc
    .tuple(
      known,
      nastyString.filter((v) => !knownVerbs.includes(v) && v.length <= 100),
    )
    .map(
      ([person, verb]): Case => ({
        method: 'POST',
        path: '/actions',
        person,
        body: json({ verb, data: {} }),
        field: 'verb',
      }),
    ),
  fc
    .tuple(
      known,
      fc.constantFrom(...knownVerbs),
      fc.oneof(nastyString, fc.array(anyValue, { maxLength: 2 }), fc.integer()),
    )
    .map(
      ([person, verb, data]): Case => ({
        method: 'POST',
        path: '/actions',
        person,
        body: json({ verb, data }),
        field: 'data',
      }),
    ),
  fc.tuple(known, brokenAction).map(
    ([person, [verb, data, field]]): Case => ({
      method: 'POST',
      path: '/actions',
      person,
      body: json({ verb, data }),
      field: `data.${field}`,
    }),
  ),
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((s) => !/^[A-Za-z0-9._:@|-]{1,400}$/.test(s)),
        notAString.filter(present),
      ),
    )
    .map(
      ([person, entryId]): Case => ({
        method: 'POST',
        path: '/actions',
        person,
        body: json({ entryId, verb: 'record.refresh', data: { recordId: 'rec.c-amy.2026-11-02' } }),
        field: 'entryId',
      }),
    ),
  // the clock, asked to move in ways it does not
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((s) => s !== 'days' && s !== 'next-reminder'),
        notAString,
      ),
    )
    .map(
      ([person, advance]): Case => ({
        method: 'POST',
        path: '/clock',
        person,
        body: json({ advance }),
        field: 'advance',
      }),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        fc.constantFrom<unknown>(0, -1, 1.5, 121, 1e9, '3', Number.NaN),
        notAString.filter((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 120),
      ),
    )
    .map(
      ([person, days]): Case => ({
        method: 'POST',
        path: '/clock',
        person,
        body: json({ advance: 'days', days }),
        field: 'days',
      }),
    ),
  // a record reference that is not one
  fc
    .tuple(
      known,
      nastyString.filter(
        (s) =>
          s !== '' &&
          s.length < 2_000 &&
          !/^[A-Za-z0-9._:@-]{1,250}$/.test(s) &&
          !['.', '..'].includes(s) &&
          !s.includes('/') &&
          !s.includes('\\'),
      ),
    )
    .map(([person, id]): Case => ({ method: 'GET', path: `/records/${enc(id)}`, person, field: 'recordId' })),
  // somebody nobody knows, whatever they ask
  fc
    .tuple(
      nastyString.filter(
        (s) =>
          headerSafe(s) &&
          s.length < 2_000 &&
          s.trim() === s &&
          s !== '' &&
          !DEMO_PEOPLE.some((p) => p.id === s),
      ),
      fc.constantFrom('/me', '/inbox', '/clock', '/messages', '/actions'),
    )
    .map(
      ([person, path]): Case => ({
        method: path === '/messages' || path === '/actions' ? 'POST' : 'GET',
        path,
        person,
        body: json({ text: 'hello', verb: 'agenda.add' }),
        field: 'person',
      }),
    ),
  // bodies that are not JSON objects
  fc
    .tuple(
      known,
      fc.constantFrom('/messages', '/actions', '/clock'),
      fc.constantFrom('{', '{"text":', 'nul', '[1,', '"unterminated'),
    )
    .map(
      ([person, path, body]): Case => ({
        method: 'POST',
        path,
        person,
        body: { body, type: 'application/json' },
        field: 'body',
      }),
    ),
);

/** Anything at all: methods, paths, callers and bodies, and hostile but valid messages from the demo people. */
const random: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 25,
    arbitrary: fc.record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'),
      path: fc.oneof(
        fc.constantFrom(
          '/people',
          '/me',
          '/inbox',
          '/clock',
          '/messages',
          '/actions',
          '/records/rec.c-ben.2026-09-07',
        ),
        fc.array(nastyString, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.map(enc).join('/')}`),
        fc.constantFrom(
          '/../../package.json',
          '/records/%ZZ',
          '/records/..%2f..%2fpeople',
          '/me?%',
          '//inbox',
          '/INBOX',
          '/messages/',
        ),
      ),
      person: fc.oneof(
        known,
        nastyString.filter((s) => headerSafe(s) && s.length < 2_000),
        fc.constant(undefined),
      ),
      body: fc.option(
        fc.oneof(
          randomBody,
          fc
            .record({ text: anyValue }, { requiredKeys: [] })
            .map((v) => json(v, Object.keys(v).length % 2 === 0)),
          fc
            .record(
              {
                entryId: anyValue,
                verb: fc.oneof(fc.constantFrom(...knownVerbs), anyValue),
                data: fc.oneof(anyValue, fc.dictionary(nastyString, anyValue, { maxKeys: 4 })),
              },
              { requiredKeys: [] },
            )
            .map((v) => json(v, Object.keys(v).length % 2 === 0)),
          // the clock only in ways it refuses (moving it would change what later requests see)
          fc
            .record({ advance: fc.oneof(nastyString, notAString), days: anyValue }, { requiredKeys: [] })
            .filter((v) => v.advance !== 'days' && v.advance !== 'next-reminder')
            .map((v) => json(v, Object.keys(v).length % 2 === 0)),
        ),
        { nil: undefined },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('amy', 'ben', 'chloe'),
        nastyString.filter((s) => s.trim() !== '' && s.length <= 9_000),
      )
      .map(
        ([person, text]): Case => ({
          method: 'POST',
          path: '/messages',
          person,
          body: json({ text: `fuzz ${text}` }),
        }),
      ),
  },
);

function check(c: Case, answer: { status: number; text: string }): void {
  const where = `${c.method} ${c.path.slice(0, 200)} as ${JSON.stringify(c.person)?.slice(0, 60)} ${String(c.body?.body ?? '').slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status >= 400 && answer.status !== 404 && answer.status !== 431 && c.method !== 'HEAD') {
    const body = JSON.parse(answer.text) as { error?: { field?: string; message?: string } };
    expect(body.error?.field, where).toBeTruthy();
    if (answer.status === 400) expect(body.error?.message, where).toContain(`${body.error?.field}:`);
  }
  if (c.field) {
    expect([400, 401, 403], where).toContain(answer.status);
    expect((JSON.parse(answer.text) as { error: { field: string } }).error.field, where).toBe(c.field);
  }
}

beforeAll(async () => {
  clock.set(new SchoolCalendar(demoOrganisation()).atLocalTime('2026-11-23', '07:30'));
  const config = loadConfig({
    MONGODB_URI: testMongoUrl('fuzz_playground'),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), {
    clock,
    prepare: async (runtime) => void (await loadDemoSchool(runtime.deps)),
  });
  // the sweep's own work (the annual review cards a month ahead, due reminders) done before the first batch,
  // or it lands in the middle of one as if refused input had written it
  await settled(bot.runtime.store.connection, [], async () => {
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
  });
  expect((await send({ method: 'GET', path: '/me', person: 'amy' })).status).toBe(200);
  sent = 0;
}, 180_000);
afterAll(async () => {
  watch.stop();
  tally.write({ sent });
  if (bot) {
    await recordFreeText(bot.runtime.store.connection);
    await bot.runtime.store.connection.dropDatabase().catch(() => undefined);
    await bot.stop();
  }
});

describe('the playground API', () => {
  it(`refused input names the field and changes nothing (${TOTAL / 2} generated)`, async () => {
    const count = await fuzzBatches(rejected, TOTAL / 2, BATCH, async (cases) => {
      const before = await fingerprint(bot.runtime.store.connection, []);
      const clockBefore = clock.offset;
      const answers = await inParallel(cases, IN_FLIGHT, send);
      for (const [i, c] of cases.entries()) check(c, answers[i] as { status: number; text: string });
      const after = await fingerprint(bot.runtime.store.connection, []);
      const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
      expect(changed, 'collections changed by refused input').toEqual([]);
      expect(clock.offset, 'the playground clock moved').toBe(clockBefore);
    });
    expect(count).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(prototypePolluted()).toBe(false);
  }, 600_000);

  it(`anything at all gets a proper answer, never a 5xx (${TOTAL / 2} generated)`, async () => {
    const count = await fuzzBatches(random, TOTAL / 2, BATCH, async (cases) => {
      const answers = await inParallel(cases, IN_FLIGHT, send);
      for (const [i, c] of cases.entries()) check(c, answers[i] as { status: number; text: string });
    });
    expect(count).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(prototypePolluted()).toBe(false);
  }, 600_000);

  it('after the fuzzing the bot is healthy, nothing crashed, and the API had its 10,000', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(watch.problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(TOTAL).toBeGreaterThanOrEqual(10_000);
  });
});
