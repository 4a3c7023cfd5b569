/**
 * A change asked for, from Slack: back to the supervisor to edit and resend (the record modal) or refer; the
 * person the contract names (Ben's: Helen Head) arranges a meeting and records the outcome in modals; and a
 * signed record corrected with a reason. Signed requests, acknowledged at once, the work done by the queues.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { sentRecordForBen } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-disputes';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;

function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function post(body: string) {
  const res = await fetch(`${bot.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
const interaction = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) }).toString();
async function click(user: string, actionId: string, value: string) {
  const id = `r${++n}`;
  await post(
    interaction({
      type: 'block_actions',
      user: { id: user },
      response_url: `${slack.url}/response/${id}`,
      container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
    }),
  );
  return id;
}
const submit = (user: string, callbackId: string, metadata: string, values: Record<string, unknown>) =>
  post(interaction({ type: 'view_submission', user: { id: user }, view: { id: `V${++n}`, hash: `h${n}`, type: 'modal', callback_id: callbackId, private_metadata: metadata, state: { values } } }));
const text = (v: unknown) => JSON.stringify(v);
const plain = (value: unknown) => ({ v: { type: 'plain_text_input', value } });
const messagesTo = (channel: string) => [...slack.of('chat.postMessage'), ...slack.of('chat.update')].filter((c) => c.body.channel === channel).map((c) => text(c.body));
const modal = async (callbackId: string, since: number) =>
  (await eventually(() => slack.of('views.open').slice(since).find((c) => (c.body.view as { callback_id?: string }).callback_id === callbackId), `the ${callbackId}`)).body.view as { private_metadata: string; blocks: unknown[] };
const latest = async (recordId: string) => (await w.deps.records.latest(recordId))!;
const overdueRecords = async () => (((await computeOverdue(w.deps, 'dsl', { filter: 'records' })) as { view: OverdueSummaryView }).view.records).map((r) => r.refId);
const recordValues = (notes: string) => ({
  topics: { v: { type: 'checkboxes', selected_options: [{ value: 'organisational' }] } },
  notes: plain(notes),
  concerns: plain(null),
  risk: plain(null),
  child_ref: plain(null),
  decision: plain(null),
  rationale: plain(null),
  follow_up: { v: { type: 'static_select', selected_option: null } },
  ...Object.fromEntries([0, 1, 2].flatMap((i) => [[`action_${i}`, plain(null)], [`owner_${i}`, { v: { type: 'static_select', selected_option: null } }], [`due_${i}`, { v: { type: 'datepicker', selected_date: null } }]])),
  next_date: { v: { type: 'datepicker', selected_date: null } },
  next_time: { v: { type: 'timepicker', selected_time: null } },
});


beforeAll(async () => {
  w = await createWorld('slack_disputes');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

let signedId = '';

describe('request a change → edit and resend, from Slack', () => {
  it('Ben’s change goes back to Sam, whose message offers Edit and resend and Refer to Helen Head', async () => {
    const { recordId, sessionId } = await sentRecordForBen(w, '2026-01-05');
    signedId = recordId;
    const opened = slack.of('views.open').length;
    await click('UBEN', 'record_request_change', `${recordId}@1`);
    await submit('UBEN', 'dispute_modal', (await modal('dispute_modal', opened)).private_metadata, { reason: plain('The plan was agreed for February, not January') });
    await eventually(async () => (await latest(recordId)).state === 'disputed', 'the change asked for');
    const toSam = await eventually(() => messagesTo('DUSUP').find((m) => m.includes('Refer to Helen Head')), 'Sam’s message');
    expect(toSam).toContain('Edit and resend');
    expect(toSam).toContain('The plan was agreed for February, not January');
    expect(messagesTo('DUHEAD').join()).not.toContain('The plan was agreed');

    // Edit and resend: the record form, then both confirm again
    const before = slack.of('views.open').length;
    await click('USUP', 'record_open_modal', sessionId);
    const opening = (await eventually(() => slack.of('views.open').slice(before)[0], 'the form opening')).body;
    expect(text(opening)).toContain('Opening the record sheet');
    await eventually(() => slack.of('views.update').some((c) => text(c.body.view).includes('record_modal')), 'the form filled in');
    await submit('USUP', 'record_modal', sessionId, recordValues('Caseload and the attendance plan for February'));
    await eventually(async () => (await latest(recordId)).state === 'awaiting-confirmation', 'resent');
    expect(await latest(recordId)).toMatchObject({ confirmations: [], dispute: { outcome: 'edited' } });
    await click('UBEN', 'record_confirm', `${recordId}@1`);
    await eventually(async () => (await latest(recordId)).confirmations.length === 1, 'Ben confirms');
    await click('USUP', 'record_confirm', `${recordId}@1`);
    await eventually(async () => (await latest(recordId)).state === 'signed', 'signed');
  });
});

describe('referred, from Slack', () => {
  let recordId = '';

  it('Ben refers it; Helen gets the record with Arrange a meeting and Record the outcome', async () => {
    ({ recordId } = await sentRecordForBen(w, '2026-01-12'));
    const opened = slack.of('views.open').length;
    await click('UBEN', 'record_request_change', `${recordId}@1`);
    await submit('UBEN', 'dispute_modal', (await modal('dispute_modal', opened)).private_metadata, { reason: plain('The action owner should be Sam') });
    await eventually(async () => (await latest(recordId)).state === 'disputed', 'the change asked for');
    const stranger = await click('USTRANGER', 'record_refer', `${recordId}@1`);
    await eventually(() => slack.responses.find((r) => r.path === stranger && text(r.body).includes('Sorry')), 'the stranger refused');
    await click('UBEN', 'record_refer', `${recordId}@1`);
    const toHelen = await eventually(() => messagesTo('DUHEAD').find((m) => m.includes('Record the outcome')), 'Helen’s message');
    expect(toHelen).toContain('dispute_arrange_meeting');
    expect(toHelen).toContain('The action owner should be Sam');
  });

  it('Arrange a meeting: a modal; both parties are told in advance', async () => {
    const opened = slack.of('views.open').length;
    await click('UHEAD', 'dispute_arrange_meeting', recordId);
    const meta = (await modal('dispute_meeting_modal', opened)).private_metadata;
    expect(await submit('UHEAD', 'dispute_meeting_modal', meta, { meeting_date: { v: { type: 'datepicker', selected_date: null } }, meeting_time: { v: { type: 'timepicker', selected_time: '15:30' } } })).toEqual({ response_action: 'errors', errors: { meeting_date: 'pick the date of the meeting' } });
    await submit('UHEAD', 'dispute_meeting_modal', meta, { meeting_date: { v: { type: 'datepicker', selected_date: '2026-01-20' } }, meeting_time: { v: { type: 'timepicker', selected_time: '15:30' } } });
    for (const channel of ['DUBEN', 'DUSUP']) await eventually(() => messagesTo(channel).some((m) => m.includes('is arranged for Tue 20 Jan 2026, 15:30 with Helen Head')), `${channel} told`);
  });

  it('Record the outcome: kept as it is, it is signed with the resolution noted and leaves /overdue', async () => {
    w.clock.set(london('2026-01-21T09:00'));
    expect(await overdueRecords()).toContain(recordId);
    const opened = slack.of('views.open').length;
    await click('UHEAD', 'dispute_record_outcome', recordId);
    const meta = (await modal('dispute_outcome_modal', opened)).private_metadata;
    expect(await submit('UHEAD', 'dispute_outcome_modal', meta, { outcome: { v: { type: 'radio_buttons', selected_option: null } }, resolution: plain('x') })).toEqual({ response_action: 'errors', errors: { outcome: 'choose: keep the record, or amend it' } });
    // Sam is a party: his submission is refused and changes nothing
    await submit('USUP', 'dispute_outcome_modal', meta, { outcome: { v: { type: 'radio_buttons', selected_option: { value: 'keep' } } }, resolution: plain('Keeping my own record') });
    await eventually(() => messagesTo('DUSUP').some((m) => m.includes('Sorry')), 'Sam refused');
    expect((await latest(recordId)).state).toBe('disputed');
    await submit('UHEAD', 'dispute_outcome_modal', meta, { outcome: { v: { type: 'radio_buttons', selected_option: { value: 'keep' } } }, resolution: plain('We agreed the record is accurate as written') });
    await eventually(async () => (await latest(recordId)).state === 'signed', 'signed');
    expect(await latest(recordId)).toMatchObject({ dispute: { outcome: 'kept', resolvedById: 'head', resolution: 'We agreed the record is accurate as written' } });
    expect(await overdueRecords()).not.toContain(recordId);
    await eventually(() => messagesTo('DUBEN').some((m) => m.includes('kept as it was')), 'Ben’s message shows the outcome');
  });
});

describe('correcting a signed record, from Slack', () => {
  it('Sam starts it with a reason in a modal; the new version goes to both; the signed one is kept', async () => {
    const signedMessage = await eventually(() => messagesTo('DUSUP').find((m) => m.includes('record_correct') && m.includes(signedId)), 'Correct the record on Sam’s signed message');
    expect(signedMessage).toContain('Correct the record');
    expect(messagesTo('DUBEN').filter((m) => m.includes(signedId)).join()).not.toContain('record_correct');
    const opened = slack.of('views.open').length;
    await click('USUP', 'record_correct', `${signedId}@1`);
    const meta = (await modal('record_correct_modal', opened)).private_metadata;
    expect(await submit('USUP', 'record_correct_modal', meta, { reason: plain('  ') })).toEqual({ response_action: 'errors', errors: { reason: 'say what needs correcting' } });
    await submit('UBEN', 'record_correct_modal', meta, { reason: plain('I want it changed') });
    await eventually(() => messagesTo('DUBEN').some((m) => m.includes('Sorry')), 'Ben refused');
    expect((await latest(signedId)).version).toBe(1);
    await submit('USUP', 'record_correct_modal', meta, { reason: plain('The family worker’s name is wrong in the plan') });
    await eventually(async () => (await latest(signedId)).version === 2, 'the new version');
    await eventually(() => messagesTo('DUBEN').some((m) => m.includes('Correcting version 1') && m.includes('The family worker’s name is wrong')), 'Ben sees why');
    expect(await w.deps.records.version(signedId, 1)).toMatchObject({ state: 'signed', notes: 'Caseload and the attendance plan for February' });
  });
});
