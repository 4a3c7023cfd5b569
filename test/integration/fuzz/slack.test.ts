/**
 * Fuzzing Slack's three endpoints with requests signed by the real v0 scheme (the bot started in this process,
 * against a local Slack Web API): `/slack/commands` (`/overdue`, `/supervision`), `/slack/interactions`
 * (block_actions, view_submission) and `/slack/events` (message.im, app_home_opened), 10,000 generated
 * requests each, a few dozen at a time.
 *
 * - Every answer is a proper status (never 5xx), the bot answers its health check afterwards, with no
 *   unhandled rejection and no polluted prototype.
 * - A rejection names the field: a command's ephemeral reply (by `response_url`) starts `<field>:`; a button
 *   with a bad value is answered `value: …`; a form comes back with `response_action: errors` on the field's
 *   block. Events are acknowledged whatever they hold (Slack's protocol has no answer to them); one from
 *   someone the bot does not know gets the polite refusal, in their own DM.
 * - Rejected input changes nothing: the database fingerprint is the same before and after each batch (no
 *   collection excluded: Slack keeps its event de-duplication in Redis), and Slack receives no message to
 *   anyone else, no update and no home published for anyone but the sender.
 * - Unsigned, forged and stale requests get 401, whatever they hold.
 */
import { createHmac } from 'node:crypto';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { SLACK_WORK_QUEUE } from '../../../src/channels/slack/app.js';
import { ACTIONS, VIEWS } from '../../../src/channels/slack/blocks.js';
import { loadConfig } from '../../../src/config.js';
import { AGENDA_CATEGORIES } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { redisConnection } from '../../../src/queue/redis.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import {
  allDelivered,
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
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-fuzzing';
/** Generated requests per endpoint (`FUZZ_PER_KIND` to try fewer while working on the bot). */
const PER_ENDPOINT = Number(process.env.FUZZ_PER_KIND) || 10_000;
/** Cases between two database fingerprints, and requests in flight at once. */
const BATCH = Number(process.env.FUZZ_BATCH) || 250;
const IN_FLIGHT = 40;
const NOT_LINKED = 'not linked to a supervision record';

let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;
const watch = watchProcess();
const tally = statusTally('slack');
const sent = { commands: 0, interactions: 0, events: 0 };
type Endpoint = keyof typeof sent;

const KNOWN = ['UDSL', 'UHEAD', 'USUP', 'UAMY', 'UBEN'] as const;
const known = fc.constantFrom(...KNOWN);
const unknownUser = fc
  .oneof(
    fc.constantFrom('UNOBODY', 'U', 'W0000', ''),
    nastyString.filter(
      (s) => s.length < 200 && !(KNOWN as readonly string[]).includes(s) && s !== 'USTRANGER',
    ),
  )
  .filter((u) => !/\p{Cs}/u.test(u));

function sign(body: string | Uint8Array, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
const form = (fields: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
  ).toString();

interface Case {
  endpoint: Endpoint;
  body: string | Uint8Array;
  type: string;
  /** Which signature: the real one, none, a forged one or a stale one. */
  signature?: 'real' | 'none' | 'forged' | 'stale';
  /** The response_url path the reply goes to, and the DM channel of the sender. */
  reply?: string;
  channel?: string;
  expect:
    | { type: 'ephemeral'; field: string }
    | { type: 'form'; field: string }
    | { type: 'refusal' }
    | { type: 'quiet' }
    | { type: 'unsigned' }
    | { type: 'any' };
}

async function send(c: Case): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': c.type };
  const signature = c.signature ?? 'real';
  if (signature === 'real') Object.assign(headers, sign(c.body));
  if (signature === 'forged') Object.assign(headers, sign(`${c.body.toString()} `));
  if (signature === 'stale') Object.assign(headers, sign(c.body, Math.floor(Date.now() / 1000) - 6 * 60));
  const res = await fetch(`${bot.url}/slack/${c.endpoint}`, {
    method: 'POST',
    headers,
    body: c.body as BodyInit,
  });
  sent[c.endpoint]++;
  tally.count(c.endpoint, res.status);
  return { status: res.status, text: await res.text() };
}

/** Any generated value as text (some have no prototype, so no toString). */
const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));
/** A case's request as a person would read it: the interaction payload decoded. */
const shown = (c: Case): string => {
  const text = typeof c.body === 'string' ? c.body : Buffer.from(c.body).toString('utf8');
  return (
    c.endpoint === 'interactions'
      ? (new URLSearchParams(text).get('payload') ?? text)
      : c.endpoint === 'commands'
        ? JSON.stringify(Object.fromEntries(new URLSearchParams(text)))
        : text
  ).slice(0, 700);
};

// ---- generators: slash commands ---------------------------------------------------------------------------------

const commandCase = (
  user: string,
  command: string,
  text: unknown,
  expectation: Case['expect'],
  extra: Record<string, unknown> = {},
): Case => {
  const id = `c${++n}`;
  return {
    endpoint: 'commands',
    type: 'application/x-www-form-urlencoded',
    body: form({
      token: 't',
      team_id: 'T1',
      api_app_id: 'A1',
      channel_id: `D${user}`,
      user_id: user,
      command,
      text,
      trigger_id: `trig${n}`,
      response_url: `${slack.url}/response/${id}`,
      ...extra,
    }),
    reply: id,
    expect: expectation,
  };
};

const filters = ['', 'all', 'sessions', 'records', 'actions', 'reviews'];
const verbs = ['help', 'next', 'actions', 'move', 'cancel', 'add', 'park', 'record', 'calendar', 'correct', 'request', 'incident', 'start'];
const rejectedCommand: fc.Arbitrary<Case> = fc.oneof(
  // /overdue with a filter that does not exist
  fc
    .tuple(
      fc.constantFrom('UDSL', 'UHEAD', 'UAMY'),
      nastyString.filter((s) => !filters.includes(s.trim().toLowerCase())),
    )
    .map(([u, f]) => commandCase(u, '/overdue', f, { type: 'ephemeral', field: 'filter' })),
  // /supervision with a verb that does not exist
  fc
    .tuple(
      known,
      nastyString.filter(
        (s) => s.trim() !== '' && !verbs.includes(s.trim().split(/\s+/)[0]?.toLowerCase() ?? ''),
      ),
    )
    .map(([u, v]) => commandCase(u, '/supervision', v, { type: 'ephemeral', field: 'command' })),
  // /supervision park with nothing to park, or add or park with too much (`add` alone opens the picker)
  fc
    .tuple(
      known,
      fc.constantFrom(
        'park',
        'park   ',
        'PARK\t',
        `park ${'x'.repeat(2001)}`,
        `add ${'x'.repeat(2001)}`,
        'calendar please',
        'calendar revoke all',
      ),
    )
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'text' })),
  // /supervision incident from the DSL or the head: without who or the colon, without the incident's name, or too long
  fc
    .tuple(fc.constantFrom('UDSL', 'UHEAD'), fc.constantFrom('incident everyone', 'incident team', `incident everyone: ${'x'.repeat(1200)}`, 'incident Amy Teacher fire'))
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'text' })),
  fc
    .tuple(fc.constantFrom('UDSL', 'UHEAD'), fc.constantFrom('incident everyone:', 'INCIDENT everyone:   ', 'incident Amy Teacher: | a message only'))
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'incidentName' })),
  // /supervision start from the DSL: without the colon and reason, with an empty or too long a reason, or too long a line
  fc
    .tuple(fc.constant('UDSL'), fc.constantFrom('start Amy Teacher', 'START amy', 'start Amy Teacher:', 'start Amy Teacher:   \t', `start Amy Teacher: ${'x'.repeat(1001)}`))
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'reason' })),
  fc
    .tuple(fc.constant('UDSL'), fc.constantFrom(`start Amy Teacher: ${'x'.repeat(1300)}`, `start ${'x'.repeat(1301)}`))
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'text' })),
  fc
    .tuple(fc.constant('UDSL'), fc.constantFrom(': why', 'start  : it is needed now', `start ${'x'.repeat(201)}: why`))
    .map(([u, t]) => commandCase(u, '/supervision', t.startsWith('start') ? t : `start ${t}`, { type: 'ephemeral', field: 'name' })),
  // /supervision correct without a name, or with too long a one
  fc
    .tuple(known, fc.constantFrom('correct', 'correct   ', 'CORRECT\t', `correct ${'x'.repeat(101)}`))
    .map(([u, t]) => commandCase(u, '/supervision', t, { type: 'ephemeral', field: 'text' })),
  // someone the bot does not know
  fc
    .tuple(
      unknownUser.filter((u) => u !== ''),
      fc.constantFrom('/overdue', '/supervision'),
      nastyString,
    )
    .map(([u, c, t]) => commandCase(u, c, t, { type: 'refusal' })),
);

const randomCommand: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 2,
    arbitrary: randomBody.map((r): Case => ({ endpoint: 'commands', ...r, expect: { type: 'any' } })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        user: fc.oneof(known, unknownUser, notAString),
        command: fc.oneof(fc.constantFrom('/overdue', '/supervision'), nastyString),
        text: anyValue,
        extra: fc.dictionary(
          fc.oneof(
            nastyString,
            fc.constantFrom(
              'response_url',
              'trigger_id',
              'team_id',
              'user_id',
              'command',
              'ssl_check',
              'payload',
            ),
          ),
          anyValue,
          { maxKeys: 3 },
        ),
      })
      .map(({ user, command, text, extra }) => {
        const safeExtra = { ...extra };
        // a reply goes only to the local Slack, or nowhere (never to an address on the network)
        if ('response_url' in safeExtra) safeExtra.response_url = `${slack.url}/response/x${n}`;
        return commandCase(asText(user), command, text, { type: 'any' }, safeExtra);
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom<Case['signature']>('none', 'forged', 'stale'),
        fc.constantFrom('/overdue', '/supervision'),
        nastyString,
      )
      .map(([signature, c, t]) => ({ ...commandCase('UDSL', c, t, { type: 'unsigned' }), signature })),
  },
);

// ---- generators: interactions -----------------------------------------------------------------------------------

const interactionCase = (
  payload: Record<string, unknown>,
  expectation: Case['expect'],
  reply?: string,
): Case => ({
  endpoint: 'interactions',
  type: 'application/x-www-form-urlencoded',
  body: form({
    payload: withPollution(
      JSON.stringify({
        team: { id: 'T1' },
        api_app_id: 'A1',
        token: 't',
        trigger_id: `trig${++n}`,
        ...payload,
      }),
    ),
  }),
  ...(reply ? { reply } : {}),
  expect: expectation,
});
const click = (user: string, actionId: string, value: unknown, expectation: Case['expect']): Case => {
  const id = `i${++n}`;
  return interactionCase(
    {
      type: 'block_actions',
      user: { id: user },
      response_url: `${slack.url}/response/${id}`,
      container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
      actions: [
        { type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` },
      ],
    },
    expectation,
    id,
  );
};
const submit = (
  user: string,
  callbackId: string,
  metadata: unknown,
  values: unknown,
  expectation: Case['expect'],
): Case =>
  interactionCase(
    {
      type: 'view_submission',
      user: { id: user },
      view: {
        id: `V${++n}`,
        hash: `h${n}`,
        type: 'modal',
        callback_id: callbackId,
        private_metadata: metadata,
        state: { values },
      },
    },
    expectation,
  );

const recordRef = /^[A-Za-z0-9._-]{1,200}@\d{1,4}$/;
const idRef = /^[A-Za-z0-9._:-]{1,250}$/;
const badRecordRef = nastyString.filter((s) => !recordRef.test(s));
const badIdRef = nastyString.filter((s) => !idRef.test(s));
const decisionRef = /^[A-Za-z0-9._-]{1,200}:[A-Za-z0-9_-]{1,50}$/;
const badDecisionRef = nastyString.filter((s) => !decisionRef.test(s));
const concernRef = /^[A-Za-z0-9._-]{1,200}#c\d{1,3}$/;
const badConcernRef = nastyString.filter((s) => !concernRef.test(s));
/** A value that reaches the bot as something: NaN and ±Infinity go over the wire as null, which is no value. */
const present = (v: unknown) => v !== null && v !== undefined && JSON.stringify(v) !== 'null';

/** A valid record form's state, with one block broken: [values, the block the error must be on]. */
const plainValue = (v: unknown) => ({ v: { type: 'plain_text_input', value: v } });
const goodRecord = (): Record<string, unknown> => ({
  topics: { v: { type: 'checkboxes', selected_options: [{ value: 'performance' }] } },
  notes: plainValue('Talked it through'),
  concerns: plainValue(null),
  risk: plainValue(null),
  child_ref: plainValue(null),
  decision: plainValue(null),
  rationale: plainValue(null),
  follow_up: { v: { type: 'static_select', selected_option: null } },
  ...Object.fromEntries(
    [0, 1, 2].flatMap((i) => [
      [`action_${i}`, plainValue(null)],
      [`owner_${i}`, { v: { type: 'static_select', selected_option: null } }],
      [`due_${i}`, { v: { type: 'datepicker', selected_date: null } }],
    ]),
  ),
  next_date: { v: { type: 'datepicker', selected_date: null } },
  next_time: { v: { type: 'timepicker', selected_time: null } },
});
const brokenRecord: fc.Arbitrary<[Record<string, unknown>, string]> = fc.oneof(
  fc
    .constantFrom<unknown>('John Brown!', 'x'.repeat(21), '<b>', 7)
    .map((v): [Record<string, unknown>, string] => [
      {
        ...goodRecord(),
        child_ref: plainValue(v),
        decision: plainValue('Refer'),
        rationale: plainValue('Because'),
        follow_up: { v: { selected_option: { value: 'amy' } } },
      },
      'child_ref',
    ]),
  fc
    .constantFrom<unknown>('x'.repeat(5001), 5, [], {})
    .map((v): [Record<string, unknown>, string] => [{ ...goodRecord(), notes: plainValue(v) }, 'notes']),
  fc
    .oneof(
      nastyString.filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
      fc.constantFrom('2025-02-30', '2025-13-45', '0000-00-00', '2025-11-31'),
      notAString.filter((v) => v !== null),
    )
    .map((v): [Record<string, unknown>, string] => [
      {
        ...goodRecord(),
        action_0: plainValue('Call'),
        owner_0: { v: { selected_option: { value: 'amy' } } },
        due_0: { v: { selected_date: v } },
      },
      'due_0',
    ]),
  fc.constant<[Record<string, unknown>, string]>([
    { ...goodRecord(), action_0: plainValue('Call the parent') },
    'owner_0',
  ]),
  fc.constant<[Record<string, unknown>, string]>([
    { ...goodRecord(), decision: plainValue('Refer to early help') },
    'child_ref',
  ]),
  fc
    .constantFrom<unknown>('nope', 5, null, [{ value: 'nope' }], [{ value: 5 }])
    .map((v): [Record<string, unknown>, string] => [
      { ...goodRecord(), topics: { v: { selected_options: v === null ? undefined : v } } },
      'topics',
    ])
    .filter(
      ([values]) => (values.topics as { v: { selected_options?: unknown } }).v.selected_options !== undefined,
    ),
  fc.constant<[Record<string, unknown>, string]>([
    { ...goodRecord(), next_time: { v: { selected_time: '15:45' } } },
    'next_date',
  ]),
  // a group member's attendance: one of the three states only
  fc
    .constantFrom<unknown>('late', 'PRESENT', 5, [], {})
    .map((v): [Record<string, unknown>, string] => [{ ...goodRecord(), attend_0: { v: { type: 'static_select', selected_option: { value: v } } } }, 'attend_0']),
  // "Refer to line manager": conduct or development, with a note of at most 500 characters
  fc
    .constantFrom<unknown>('gossip', 'Conduct', 5, {})
    .map((v): [Record<string, unknown>, string] => [{ ...goodRecord(), refer_kind: { v: { type: 'static_select', selected_option: { value: v } } }, refer_note: plainValue('A note') }, 'refer_kind']),
  fc.constant<[Record<string, unknown>, string]>([{ ...goodRecord(), refer_kind: { v: { type: 'static_select', selected_option: { value: 'conduct' } } }, refer_note: plainValue(null) }, 'refer_note']),
  fc
    .constantFrom<unknown>('3pm', '1545', 5, '25:99', '24:00', '12:60')
    .map((v): [Record<string, unknown>, string] => [
      {
        ...goodRecord(),
        next_date: { v: { selected_date: '2025-12-01' } },
        next_time: { v: { selected_time: v } },
      },
      'next_time',
    ]),
  fc
    .constantFrom('concerns', 'risk', 'decision', 'rationale', 'action_1')
    .chain((block) =>
      fc
        .constantFrom<unknown>(5, [], {}, 'x'.repeat(10_001))
        .map((v): [Record<string, unknown>, string] => [{ ...goodRecord(), [block]: plainValue(v) }, block]),
    ),
  fc.constantFrom('topics', 'notes', 'next_date').map((block): [Record<string, unknown>, string] => {
    const values = goodRecord();
    delete values[block];
    return [values, block];
  }),
);

const rejectedInteraction: fc.Arbitrary<Case> = fc.oneof(
  // buttons whose value is not what the bot put there
  fc
    .tuple(known, fc.constantFrom(ACTIONS.confirm, ACTIONS.requestChange), fc.oneof(badRecordRef, notAString))
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, v]) => click(u, ACTIONS.acknowledge, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, v]) => click(u, ACTIONS.openRecord, v, { type: 'ephemeral', field: 'value' })),
  // "Add another" outside the record modal, or with a row it does not know: named, nothing opened or written
  fc
    .tuple(known, fc.oneof(nastyString, notAString, fc.constantFrom('action', 'decision')))
    .map(([u, v]) => click(u, ACTIONS.addRecordRow, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(
      known,
      fc.constantFrom(ACTIONS.addItem, ACTIONS.flagRisk, ACTIONS.addSuggested),
      fc.oneof(badIdRef, notAString),
    )
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  // "Add an agenda item…" carries only its own value: anything else is named and opens nothing
  fc
    .tuple(known, fc.oneof(nastyString.filter((v) => v !== 'form'), notAString))
    .map(([u, v]) => click(u, ACTIONS.addFor, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(
      known,
      fc.constantFrom(ACTIONS.actionDone, ACTIONS.actionNotNeeded),
      fc.oneof(badIdRef, notAString),
    )
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.oneof(badDecisionRef, notAString))
    .map(([u, v]) => click(u, ACTIONS.decisionCopied, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, v]) => click(u, ACTIONS.flagItem, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.oneof(badConcernRef, notAString))
    .map(([u, v]) => click(u, ACTIONS.flagConcern, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.constantFrom(ACTIONS.refer, ACTIONS.correct), fc.oneof(badRecordRef, notAString))
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(
      known,
      fc.constantFrom(ACTIONS.arrangeMeeting, ACTIONS.recordOutcome),
      fc.oneof(badIdRef, notAString),
    )
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  // a correction without a reason, a meeting without a date or time, an outcome not chosen or not recorded
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001), null), notAString))
    .map(([u, reason]) =>
      submit(
        u,
        VIEWS.correct,
        'rec.c-amy.2025-11-10@1',
        { reason: plainValue(reason) },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(fc.constantFrom<unknown>(null, '', '2025-02-30', 'soon', '14/11/2025'), notAString),
    )
    .map(([u, day]) =>
      submit(
        u,
        VIEWS.disputeMeeting,
        'rec.c-amy.2025-11-10',
        {
          meeting_date: { v: { type: 'datepicker', selected_date: day } },
          meeting_time: { v: { type: 'timepicker', selected_time: '15:30' } },
        },
        { type: 'form', field: 'meeting_date' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>(null, '', '3pm', '25:99'), notAString))
    .map(([u, time]) =>
      submit(
        u,
        VIEWS.disputeMeeting,
        'rec.c-amy.2025-11-10',
        {
          meeting_date: { v: { type: 'datepicker', selected_date: '2026-01-20' } },
          meeting_time: { v: { type: 'timepicker', selected_time: time } },
        },
        { type: 'form', field: 'meeting_time' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((s) => s !== 'keep' && s !== 'amend'),
        notAString,
      ),
    )
    .map(([u, outcome]) =>
      submit(
        u,
        VIEWS.disputeOutcome,
        'rec.c-amy.2025-11-10',
        {
          outcome: { v: { type: 'radio_buttons', selected_option: { value: outcome } } },
          resolution: plainValue('Agreed'),
        },
        { type: 'form', field: 'outcome' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001), null), notAString))
    .map(([u, resolution]) =>
      submit(
        u,
        VIEWS.disputeOutcome,
        'rec.c-amy.2025-11-10',
        {
          outcome: { v: { type: 'radio_buttons', selected_option: { value: 'keep' } } },
          resolution: plainValue(resolution),
        },
        { type: 'form', field: 'resolution' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(badRecordRef, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.correct,
        meta,
        { reason: plainValue('The name is wrong') },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.disputeOutcome,
        meta,
        {
          outcome: { v: { type: 'radio_buttons', selected_option: { value: 'keep' } } },
          resolution: plainValue('Agreed'),
        },
        { type: 'form', field: 'resolution' },
      ),
    ),
  fc
    .tuple(known, fc.constantFrom(ACTIONS.move, ACTIONS.cancel), fc.oneof(badIdRef, notAString))
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  // the move modal: no new date (template "intervals": never cancelled without one), a date or time that is not
  // one, or tampered metadata
  fc
    .tuple(known, fc.boolean(), fc.constantFrom<unknown>(null, undefined))
    .map(([u, cancel, date]) =>
      submit(
        u,
        VIEWS.move,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10', cancel }),
        { date: { v: { selected_date: date } }, time: { v: { selected_time: '10:00' } } },
        { type: 'form', field: 'date' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        fc.constantFrom<unknown>('2026-02-30', 'tomorrow', '2026-1-7', ''),
        notAString.filter((v) => v !== null && v !== undefined),
      ),
    )
    .map(([u, date]) =>
      submit(
        u,
        VIEWS.move,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10', cancel: false }),
        { date: { v: { selected_date: date } }, time: { v: { selected_time: '10:00' } } },
        { type: 'form', field: 'date' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        fc.constantFrom<unknown>('25:00', '10am', '10:60', null),
        notAString.filter((v) => v !== null && v !== undefined),
      ),
    )
    .map(([u, time]) =>
      submit(
        u,
        VIEWS.move,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10', cancel: false }),
        { date: { v: { selected_date: '2026-01-07' } }, time: { v: { selected_time: time } } },
        { type: 'form', field: 'time' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(nastyString, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.move,
        meta,
        { date: { v: { selected_date: '2026-01-07' } }, time: { v: { selected_time: '10:00' } } },
        { type: 'form', field: 'date' },
      ),
    ),
  // "did it happen?", "it did not happen" and sessions on request: a bad button value, a modal without why or the
  // new time (template "intervals"), a date or time that is not one, or tampered metadata
  fc
    .tuple(known, fc.constantFrom(ACTIONS.notHeld, ACTIONS.keptOpen, ACTIONS.bookRequest), fc.oneof(badIdRef, notAString))
    .map(([u, a, v]) => click(u, a, v, { type: 'ephemeral', field: 'value' })),
  // stour §4: "It happened" for a session kept by the supervisee — a row half filled, an owner or date that is not one
  fc
    .tuple(
      known,
      fc.constantFrom<[string, Record<string, unknown>]>(
        ['action_0', { owner_0: { v: { selected_option: { value: 'self' } } } }],
        ['owner_1', { action_1: { v: { value: 'An action' } }, due_1: { v: { selected_date: '2026-01-07' } } }],
        ['due_2', { action_2: { v: { value: 'An action' } }, owner_2: { v: { selected_option: { value: 'supervisor' } } } }],
        ['owner_0', { action_0: { v: { value: 'An action' } }, owner_0: { v: { selected_option: { value: 'amy' } } } }],
        ['due_3', { action_3: { v: { value: 'An action' } }, due_3: { v: { selected_date: '2026-02-30' } } }],
        ['action_0', { action_0: { v: { value: 'x'.repeat(1001) } } }],
        ['topics', { topics: { v: { selected_options: [{ value: 'gossip' }] } } }],
      ),
    )
    .map(([u, [field, values]]) => submit(u, VIEWS.kept, JSON.stringify({ sessionId: 'c-amy.2025-11-10' }), values, { type: 'form', field })),
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((v) => v !== 'ask'),
        notAString,
      ),
    )
    .map(([u, v]) => click(u, ACTIONS.requestSession, v as string, { type: 'ephemeral', field: 'value' })),
  // after a major incident: Yes / Not now with a value that is not an offer
  fc
    .tuple(known, fc.constantFrom(ACTIONS.incidentYes, ACTIONS.incidentNotNow), fc.oneof(badIdRef, notAString))
    .map(([u, a, v]) => click(u, a, v as string, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.constantFrom<unknown>(null, undefined, '2026-02-30', 'tomorrow'))
    .map(([u, date]) =>
      submit(
        u,
        VIEWS.notHeld,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10' }),
        {
          reason: { v: { selected_option: { value: 'other' } } },
          date: { v: { selected_date: date } },
          time: { v: { selected_time: '10:00' } },
        },
        { type: 'form', field: 'date' },
      ),
    ),
  fc
    .tuple(known, fc.constantFrom<unknown>(null, 'absent', 7, ''))
    .map(([u, reason]) =>
      submit(
        u,
        VIEWS.notHeld,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10' }),
        {
          reason: { v: { selected_option: reason === null ? null : { value: reason } } },
          date: { v: { selected_date: '2026-01-07' } },
          time: { v: { selected_time: '10:00' } },
        },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(known, fc.constantFrom<unknown>(null, '25:00', '10am'))
    .map(([u, time]) =>
      submit(
        u,
        VIEWS.notHeld,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10' }),
        {
          reason: { v: { selected_option: { value: 'other' } } },
          date: { v: { selected_date: '2026-01-07' } },
          time: { v: { selected_time: time } },
        },
        { type: 'form', field: 'time' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(nastyString, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.notHeld,
        meta,
        {
          reason: { v: { selected_option: { value: 'other' } } },
          date: { v: { selected_date: '2026-01-07' } },
          time: { v: { selected_time: '10:00' } },
        },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.constantFrom<unknown>(null, '2026-02-30'),
      fc.oneof(fc.constant(JSON.stringify({ requestId: 'req.c-amy.x1' })), nastyString),
    )
    .map(([u, date, meta]) =>
      submit(
        u,
        VIEWS.bookRequest,
        meta,
        { date: { v: { selected_date: date } }, time: { v: { selected_time: '10:00' } } },
        { type: 'form', field: 'date' },
      ),
    ),
  // the handover: a bad button value; a close without a note, a note past its limit, or tampered metadata
  fc.tuple(known, fc.oneof(badIdRef, notAString)).map(([u, v]) => click(u, ACTIONS.openHandover, v as string, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.constantFrom<unknown>(null, '', '   ', 'x'.repeat(1001)))
    .map(([u, note]) =>
      submit(
        u,
        VIEWS.handover,
        JSON.stringify({ h: 'ho.x.c-amy', ids: ['rec.c-amy.2025-11-10.a1'] }),
        { outcome0: { v: { selected_option: { value: 'close' } } }, note0: { v: { value: note } } },
        { type: 'form', field: 'note0' },
      ),
    ),
  fc
    .tuple(known, nastyString)
    .map(([u, meta]) => submit(u, VIEWS.handover, meta, { themes: { v: { value: 'Themes' } } }, { type: 'form', field: 'themes' })),
  // the supervision agreement: Agree's value is the terms and the contract; Ask a question's is the contract; the
  // question modal needs words (at most 2,000) and its own metadata
  fc
    .tuple(known, fc.oneof(nastyString.filter((v) => !/^[0-9a-f]{16}\.[A-Za-z0-9._:-]{1,250}$/.test(v)), notAString))
    .map(([u, v]) => click(u, ACTIONS.agree, v as string, { type: 'ephemeral', field: 'value' })),
  fc.tuple(known, fc.oneof(badIdRef, notAString)).map(([u, v]) => click(u, ACTIONS.askAboutAgreement, v as string, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.constantFrom<unknown>(null, '', '   ', 'x'.repeat(2001), 7), fc.oneof(fc.constant(JSON.stringify({ contractId: 'c-amy' })), nastyString))
    .map(([u, question, meta]) => submit(u, VIEWS.agreementQuestion, meta, { question: { v: { value: question } } }, { type: 'form', field: 'question' })),
  // the annual review: Keep and Change… carry the contract; the modal's terms are checked as Slack sends them
  fc
    .tuple(known, fc.constantFrom(ACTIONS.reviewKeep, ACTIONS.reviewChange), fc.oneof(badIdRef, notAString))
    .map(([u, a, v]) => click(u, a, v as string, { type: 'ephemeral', field: 'value' })),
  fc
    .tuple(known, fc.constantFrom<unknown>('ten', '1000', 7))
    .map(([u, m]) => submit(u, VIEWS.review, JSON.stringify({ contractId: 'c-amy' }), { minutes: { v: { value: m } } }, { type: 'form', field: 'minutes' })),
  fc
    .tuple(known, fc.constantFrom<unknown>('4', 'one', 2))
    .map(([u, l]) => submit(u, VIEWS.review, JSON.stringify({ contractId: 'c-amy' }), { level: { v: { selected_option: { value: l } } } }, { type: 'form', field: 'level' })),
  // someone the bot does not know clicking a well-formed button
  fc
    .tuple(
      unknownUser.filter((u) => u !== ''),
      fc.constantFrom(ACTIONS.confirm, ACTIONS.acknowledge, ACTIONS.actionDone),
    )
    .map(([u, a]) =>
      click(
        u,
        a,
        a === ACTIONS.confirm
          ? 'r.c-amy.2025-11-10@1'
          : a === ACTIONS.actionDone
            ? 'rec.c-amy.2025-11-10.a1'
            : 'esc-1',
        { type: 'refusal' },
      ),
    ),
  // closing an action as not needed without a reason, and a case decision's reference that is not one
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', '\n', 'x'.repeat(1001), null), notAString))
    .map(([u, reason]) =>
      submit(
        u,
        VIEWS.actionNotNeeded,
        'rec.c-amy.2025-11-10.a1',
        { reason: plainValue(reason) },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        fc.constantFrom<unknown>('x'.repeat(41), '<!channel>', '<https://evil.example|ref>', '@here'),
        notAString.filter(present),
      ),
    )
    .map(([u, reference]) =>
      submit(
        u,
        VIEWS.decisionCopied,
        'rec.c-amy.2025-11-10:d1',
        { reference: plainValue(reference) },
        { type: 'form', field: 'reference' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.actionNotNeeded,
        meta,
        { reason: plainValue('The training was cancelled') },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(badDecisionRef, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.decisionCopied,
        meta,
        { reference: plainValue('CPOMS 1') },
        { type: 'form', field: 'reference' },
      ),
    ),
  // forms with a field wrong
  fc
    .tuple(known, brokenRecord)
    .map(([u, [values, field]]) =>
      submit(u, VIEWS.record, 'c-amy.2025-11-10', values, { type: 'form', field }),
    ),
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', '\n', 'x'.repeat(2001), null), notAString))
    .map(([u, reason]) =>
      submit(
        u,
        VIEWS.dispute,
        'r.c-amy.2025-11-10@1',
        { reason: plainValue(reason) },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(fc.constantFrom<unknown>('', '   ', 'x'.repeat(2001), null), notAString))
    .map(([u, text]) =>
      submit(
        u,
        VIEWS.agendaItem,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10', risk: false }),
        { text: plainValue(text), category: { v: { selected_option: { value: 'case-discussion' } } } },
        { type: 'form', field: 'text' },
      ),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString.filter((s) => !(AGENDA_CATEGORIES as readonly string[]).includes(s)),
        notAString,
      ),
    )
    .map(([u, category]) =>
      submit(
        u,
        VIEWS.agendaItem,
        JSON.stringify({ sessionId: 'c-amy.2025-11-10', risk: false }),
        { text: plainValue('An item'), category: { v: { selected_option: { value: category } } } },
        { type: 'form', field: 'category' },
      ),
    ),
  // the agenda form's picker: nothing chosen, or not a contract reference, comes back on the field
  fc
    .tuple(known, fc.oneof(fc.constant(null), nastyString.filter((s) => !/^[A-Za-z0-9._:-]{1,250}$/.test(s)), notAString))
    .map(([u, chosen]) =>
      submit(
        u,
        VIEWS.agendaItem,
        JSON.stringify({ risk: false, pick: true }),
        { for: { v: { selected_option: chosen === null ? null : { value: chosen } } }, text: plainValue('An item'), category: { v: { selected_option: { value: 'case-discussion' } } } },
        { type: 'form', field: 'for' },
      ),
    ),
  // forms whose hidden metadata was tampered with
  fc
    .tuple(known, fc.oneof(badIdRef, notAString))
    .map(([u, meta]) => submit(u, VIEWS.record, meta, goodRecord(), { type: 'form', field: 'notes' })),
  fc
    .tuple(known, fc.oneof(badRecordRef, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.dispute,
        meta,
        { reason: plainValue('The owner is wrong') },
        { type: 'form', field: 'reason' },
      ),
    ),
  fc
    .tuple(known, fc.oneof(nastyString, notAString))
    .map(([u, meta]) =>
      submit(
        u,
        VIEWS.agendaItem,
        meta,
        { text: plainValue('An item'), category: { v: { selected_option: { value: 'case-discussion' } } } },
        { type: 'form', field: 'text' },
      ),
    ),
);

const randomInteraction: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 2,
    arbitrary: randomBody.map((r): Case => ({ endpoint: 'interactions', ...r, expect: { type: 'any' } })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        user: fc.oneof(known, unknownUser, notAString),
        actionId: fc.oneof(fc.constantFrom(...Object.values(ACTIONS)), nastyString),
        value: anyValue,
        actions: fc.oneof(fc.constant('ok'), anyValue),
        extra: fc.dictionary(nastyString, anyValue, { maxKeys: 3 }),
      })
      .map(({ user, actionId, value, actions, extra }) => {
        const c = click(asText(user), actionId, value, { type: 'any' });
        if (actions === 'ok' && Object.keys(extra).length === 0) return c;
        const payload = {
          type: 'block_actions',
          user: typeof user === 'string' ? { id: user } : user,
          response_url: `${slack.url}/response/x${n}`,
          actions: actions === 'ok' ? [{ action_id: actionId, value }] : actions,
          ...extra,
        };
        return interactionCase(payload, { type: 'any' });
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        user: fc.oneof(known, unknownUser),
        callbackId: fc.oneof(fc.constantFrom(...Object.values(VIEWS)), nastyString),
        metadata: anyValue,
        values: fc.oneof(
          fc.dictionary(
            nastyString,
            fc.oneof(
              anyValue,
              fc.record({
                v: fc.dictionary(
                  fc.constantFrom(
                    'value',
                    'selected_option',
                    'selected_options',
                    'selected_date',
                    'selected_time',
                    'type',
                  ),
                  anyValue,
                ),
              }),
            ),
            { maxKeys: 6 },
          ),
          anyValue,
        ),
        view: fc.oneof(fc.constant('ok'), anyValue),
      })
      .map(({ user, callbackId, metadata, values, view }) => {
        if (view === 'ok') return submit(user, callbackId, metadata, values, { type: 'any' });
        return interactionCase({ type: 'view_submission', user: { id: user }, view }, { type: 'any' });
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<Case['signature']>('none', 'forged', 'stale'), known)
      .map(([signature, u]) => ({
        ...click(u, ACTIONS.confirm, 'r.c-amy.2025-11-10@1', { type: 'unsigned' }),
        signature,
      })),
  },
);

// ---- generators: events -----------------------------------------------------------------------------------------

const eventCase = (
  event: unknown,
  expectation: Case['expect'],
  envelope: Record<string, unknown> = {},
  channel?: string,
): Case => ({
  endpoint: 'events',
  type: 'application/json',
  body: withPollution(
    JSON.stringify({
      token: 't',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: `Ev${++n}`,
      event_time: 1,
      event,
      ...envelope,
    }),
  ),
  ...(channel ? { channel } : {}),
  expect: expectation,
});
const dm = (user: unknown, text: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel: `D${asText(user)}`,
  channel_type: 'im',
  user,
  text,
  ts: `${Date.now()}.${++n}`,
  ...extra,
});

const rejectedEvent: fc.Arbitrary<Case> = fc.oneof(
  // a DM from someone the bot does not know: the refusal, in their DM only
  fc
    .tuple(
      unknownUser.filter((u) => u !== '' && u.length < 100),
      nastyString,
    )
    .map(([u, t]) => eventCase(dm(u, t), { type: 'refusal' }, {}, `D${u}`)),
  // messages that are not a person's DM to the bot: edits, bots, channels, no user, nothing typed
  fc
    .tuple(known, nastyString)
    .chain(([u, t]) =>
      fc
        .constantFrom(
          dm(u, t, { subtype: 'message_changed' }),
          dm(u, t, { subtype: 'bot_message' }),
          dm(u, t, { bot_id: 'B1' }),
          dm(u, t, { channel_type: 'channel' }),
          dm(u, t, { channel_type: 'mpim' }),
          dm(undefined, t),
          dm(u, '   '),
          dm(u, ''),
        )
        .map((e) => eventCase(e, { type: 'quiet' })),
    ),
  // App Home on another tab; events the bot does not listen to; envelopes that are not event callbacks
  fc
    .tuple(
      known,
      nastyString.filter((s) => s !== 'home' && s !== ''),
    )
    .map(([u, tab]) =>
      eventCase({ type: 'app_home_opened', user: u, channel: `D${u}`, tab }, { type: 'quiet' }),
    ),
  fc
    .tuple(
      known,
      fc.oneof(
        nastyString,
        fc.constantFrom(
          'reaction_added',
          'member_joined_channel',
          'app_mention',
          'team_join',
          'tokens_revoked',
        ),
      ),
    )
    .filter(([, t]) => t !== 'message' && t !== 'app_home_opened')
    .map(([u, type]) => eventCase({ type, user: u, channel: `D${u}` }, { type: 'quiet' })),
);

const randomEvent: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 2,
    arbitrary: randomBody.map((r): Case => ({ endpoint: 'events', ...r, expect: { type: 'any' } })),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({
        user: fc.oneof(known, unknownUser, notAString),
        type: fc.oneof(fc.constantFrom('message', 'app_home_opened'), nastyString),
        text: anyValue,
        tab: fc.oneof(fc.constant('home'), anyValue),
        channelType: fc.oneof(fc.constant('im'), anyValue),
        extra: fc.dictionary(nastyString, anyValue, { maxKeys: 3 }),
        envelope: fc.dictionary(
          fc.oneof(nastyString, fc.constantFrom('type', 'event', 'challenge', 'event_id', 'authorizations')),
          anyValue,
          { maxKeys: 2 },
        ),
      })
      .map(({ user, type, text, tab, channelType, extra, envelope }) =>
        eventCase(
          {
            type,
            user,
            text,
            tab,
            channel: `D${asText(user)}`,
            channel_type: channelType,
            ts: `${n}.1`,
            ...extra,
          },
          { type: 'any' },
          envelope,
        ),
      ),
  },
  // accepted: hostile but valid text in a known person's DM becomes their agenda items
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('UAMY', 'UBEN'),
        nastyString.filter((s) => s.trim() !== ''),
      )
      .map(([u, t]) => eventCase(dm(u, `fuzz ${t}`), { type: 'any' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<Case['signature']>('none', 'forged', 'stale'), known)
      .map(([signature, u]) => ({ ...eventCase(dm(u, 'A sneaky item'), { type: 'unsigned' }), signature })),
  },
);

// ---- checks -----------------------------------------------------------------------------------------------------

const describeCase = (c: Case, answer: { status: number; text: string }) =>
  `${c.endpoint} ${JSON.stringify(c.expect)} ${shown(c)} → ${answer.status} ${answer.text.slice(0, 300)}`;

function checkAnswer(c: Case, answer: { status: number; text: string }): void {
  const where = describeCase(c, answer);
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  const e = c.expect;
  if (e.type === 'unsigned') expect(answer.status, where).toBe(401);
  // a body of the wrong shape is refused at once, naming the field (checked below); anything else is acknowledged
  else if (e.type !== 'any' && !(answer.status === 400 && answer.text))
    expect(answer.status, where).toBe(200);
  if ((answer.status === 400 || answer.status === 404) && answer.text) {
    // the bot's own refusals name the field (Bolt's bare 400 for a body it cannot parse has no body)
    const body = JSON.parse(answer.text) as { error?: { field?: string; message?: string } };
    expect(body.error?.field, where).toMatch(/^[\w.]+$/);
    expect(body.error?.message, where).toContain(`${body.error?.field}:`);
  }
  if (e.type === 'form' && answer.status === 200) {
    const body = JSON.parse(answer.text) as { response_action?: string; errors?: Record<string, string> };
    expect(body.response_action, where).toBe('errors');
    expect(Object.keys(body.errors ?? {}), where).toContain(e.field);
  }
  if (answer.status === 200 && answer.text.includes('response_action')) {
    // any form error is on a block of the form, with words for the person
    const body = JSON.parse(answer.text) as { errors?: Record<string, unknown> };
    for (const [block, message] of Object.entries(body.errors ?? {})) {
      expect(block, where).toMatch(/^[a-z_0-9]+$/);
      expect(typeof message === 'string' && message.length > 0, where).toBe(true);
    }
  }
}

const replyTo = (id: string) =>
  slack.responses
    .filter((r) => r.path === id)
    .map((r) => JSON.stringify(r.body))
    .join('\n');
const postedTo = (channel: string) =>
  slack
    .of('chat.postMessage')
    .filter((c) => c.body.channel === channel)
    .map((c) => JSON.stringify(c.body))
    .join('\n');

/** Waits for every reply the batch is owed (they come from the worker, after the ack), then checks them. */
async function checkReplies(cases: Case[], statuses: number[]): Promise<void> {
  const owed = cases
    .filter((_c, i) => statuses[i] === 200)
    .filter((c) => c.expect.type === 'ephemeral' || (c.expect.type === 'refusal' && (c.reply || c.channel)));
  const arrived = (c: Case) => (c.reply ? replyTo(c.reply) : postedTo(c.channel as string)) !== '';
  for (let i = 0; i < 600 && !owed.every(arrived); i++) await new Promise((r) => setTimeout(r, 100));
  for (const c of owed) {
    const said = c.reply ? replyTo(c.reply) : postedTo(c.channel as string);
    const where = `${c.endpoint} ${JSON.stringify(c.expect)} ${shown(c)} → ${said.slice(0, 500)}`;
    if (c.expect.type === 'ephemeral') {
      expect(said, where).toContain('"response_type":"ephemeral"');
      expect(said, where).toContain(`${c.expect.field}:`);
    } else expect(said, where).toContain(NOT_LINKED);
  }
}

/** Web API calls that change something other than the sender's own view of the bot. */
const STATE_CHANGING = ['chat.update', 'chat.delete', 'views.push', 'reactions.add', 'conversations.invite'];

let workQueue: Queue;

/** Waits until what the batch put on the slack-work queue has run. */
async function quietAfterBatch(): Promise<void> {
  // the queued work of a batch of 5,000 can take minutes to drain when the machine is busy with other files
  for (let i = 0; i < 2400; i++) {
    const counts = await workQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((v) => v === 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  w = await createWorld('fuzz_slack');
  slack = await startFakeSlack();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-fuzz',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  workQueue = new Queue(SLACK_WORK_QUEUE, {
    connection: redisConnection(testRedisUrl()),
    prefix: config.QUEUE_PREFIX,
  });
  await ensureNextSession(w.deps, w.org, w.contracts.amy);
  w.clock.set(london('2025-11-10T12:00'));
  await settled(w.store.connection, [], async () => {
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
    await allDelivered(bot.runtime.deps.outbox);
  });
}, 180_000);
afterAll(async () => {
  watch.stop();
  tally.write({ sent });
  await workQueue?.close();
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

const FAMILIES: Array<[Endpoint, fc.Arbitrary<Case>, fc.Arbitrary<Case>]> = [
  ['commands', rejectedCommand, randomCommand],
  ['interactions', rejectedInteraction, randomInteraction],
  ['events', rejectedEvent, randomEvent],
];

describe.each(FAMILIES)('Slack /slack/%s', (endpoint, rejected, random) => {
  it(`rejected input names the field and changes nothing (${PER_ENDPOINT / 2} generated)`, async () => {
    const count = await fuzzBatches(rejected, PER_ENDPOINT / 2, BATCH, async (cases) => {
      const before = await fingerprint(w.store.connection, []);
      const callsBefore = slack.calls.length;
      const answers = await inParallel(cases, IN_FLIGHT, send);
      for (const [i, c] of cases.entries()) checkAnswer(c, answers[i] as { status: number; text: string });
      await checkReplies(
        cases,
        answers.map((a) => a.status),
      );
      await quietAfterBatch();
      const after = await fingerprint(w.store.connection, []);
      const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
      expect(changed, 'collections changed by rejected input').toEqual([]);
      // Slack was asked to change nothing, and only the sender heard back
      const senders = new Set(cases.map((c) => c.channel).filter(Boolean));
      for (const call of slack.calls.slice(callsBefore)) {
        expect(STATE_CHANGING, `${call.method} ${JSON.stringify(call.body).slice(0, 300)}`).not.toContain(
          call.method,
        );
        if (call.method === 'chat.postMessage')
          expect(senders.has(String(call.body.channel)), `a message to ${String(call.body.channel)}`).toBe(
            true,
          );
      }
    });
    expect(count).toBeGreaterThanOrEqual(PER_ENDPOINT / 2);
    expect(prototypePolluted()).toBe(false);
  }, 600_000);

  it(`anything at all gets a proper answer, never a 5xx (${PER_ENDPOINT / 2} generated)`, async () => {
    const count = await fuzzBatches(random, PER_ENDPOINT / 2, BATCH, async (cases) => {
      const answers = await inParallel(cases, IN_FLIGHT, send);
      for (const [i, c] of cases.entries()) checkAnswer(c, answers[i] as { status: number; text: string });
    });
    expect(count).toBeGreaterThanOrEqual(PER_ENDPOINT / 2);
    expect(prototypePolluted()).toBe(false);
    expect(sent[endpoint]).toBeGreaterThanOrEqual(PER_ENDPOINT);
  }, 600_000);
});

describe('after the fuzzing', () => {
  it('the bot is healthy, nothing crashed, and every endpoint had its 10,000', async () => {
    await quietAfterBatch();
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(watch.problems).toEqual([]);
    for (const endpoint of Object.keys(sent) as Endpoint[])
      expect(sent[endpoint], endpoint).toBeGreaterThanOrEqual(PER_ENDPOINT);
    expect(PER_ENDPOINT).toBeGreaterThanOrEqual(10_000);
  }, 300_000);
});
