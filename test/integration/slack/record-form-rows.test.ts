/**
 * The record form as a Slack modal, through signed requests: the agenda and last session's actions in the
 * modal; "Add another" answered by `views.update` with every typed value kept; a refusal of the use case's
 * rules answered with `response_action: "errors"` on its block (so nothing typed is lost), nothing written;
 * the outcomes applied when it is sent.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { type FormToWrite, formWithAgendaAndActions } from '../../support/loops.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-record-rows';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let form: FormToWrite;
let n = 0;

function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function post(path: string, body: string) {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
}
const interaction = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) }).toString();

type Block = Record<string, any>;
type ModalView = { blocks: Block[]; private_metadata: string; callback_id: string };
let modal: ModalView;
const blockIds = (view: { blocks: Block[] }) => view.blocks.map((b) => b.block_id).filter(Boolean) as string[];

async function submit(values: Record<string, unknown>) {
  const res = await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: 'USUP' }, view: { id: 'VREC', hash: `h${++n}`, type: 'modal', callback_id: 'record_modal', private_metadata: modal.private_metadata, state: { values } } }));
  expect(res.status).toBe(200);
  const text = await res.text();
  return text ? (JSON.parse(text) as { response_action?: string; errors?: Record<string, string> }) : {};
}
const plain = (value: string | null) => ({ v: { type: 'plain_text_input', value } });
const select = (value: string | null) => ({ v: { type: 'static_select', selected_option: value ? { value } : null } });
const date = (value: string | null) => ({ v: { type: 'datepicker', selected_date: value } });
const radio = (value: string) => ({ v: { type: 'radio_buttons', selected_option: { value } } });
const filled = (extra: Record<string, unknown> = {}) => ({
  topics: { v: { type: 'checkboxes', selected_options: [{ value: 'performance' }] } },
  notes: plain('Went through the Year 2 lunchtime concern'),
  concerns: plain(null),
  risk: plain(null),
  prev_0: radio('done'),
  prev_note_0: plain(null),
  prev_1: radio('dropped'),
  prev_note_1: plain(null),
  child_ref: plain('JS'),
  decision: plain('Start a food diary'),
  rationale: plain('Hunger noticed three times'),
  follow_up: select('amy'),
  action_0: plain('Ring the school nurse'),
  owner_0: select('sup'),
  due_0: date('2025-11-21'),
  action_1: plain('Keep the food diary'),
  owner_1: select('amy'),
  due_1: date('2025-12-05'),
  next_date: date(null),
  next_time: { v: { type: 'timepicker', selected_time: null } },
  ...extra,
});

beforeAll(async () => {
  w = await createWorld('slack_record_rows');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  form = await formWithAgendaAndActions(w);
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('the record modal, in Slack', () => {
  it('opens with the agenda (parked first, marked) and each of last session’s open actions with an outcome', async () => {
    const res = await post('/slack/interactions', interaction({ type: 'block_actions', user: { id: 'USUP' }, response_url: `${slack.url}/response/open`, container: { type: 'message', channel_id: 'DUSUP', message_ts: '1.1' }, actions: [{ type: 'button', action_id: 'record_open_modal', block_id: 'b', value: form.sessionId, action_ts: '1.2' }] }));
    expect(res.status).toBe(200);
    const update = await eventually(() => slack.of('views.update').find((c) => (c.body.view as ModalView | undefined)?.callback_id === 'record_modal'), 'the filled-in modal');
    modal = update.body.view as ModalView;
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain('Raised informally on Wed 12 Nov 2025');
    expect(text.indexOf('Workload since the new timetable')).toBeLessThan(text.indexOf('A Year 2 child who is often hungry at lunch'));
    expect(text).toContain('Sense – Feel – Think – Do');
    expect(blockIds(modal)).toEqual(expect.arrayContaining(['prev_0', 'prev_note_0', 'prev_1', 'prev_note_1', 'action_0', 'child_ref', 'add_action', 'add_decision']));
    expect(modal.blocks.find((b) => b.block_id === 'prev_1')?.label.text).toBe('Book the safeguarding refresher training');
    expect(modal.blocks.find((b) => b.block_id === 'prev_1')?.element.initial_option.value).toBe('carried-forward');
    expect(blockIds(modal)).not.toContain('action_1');
    // the modal carries the rules its submission is checked with
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ s: form.sessionId, d: '2025-11-19', p: ['sup', 'amy'], a: [[form.lateActionId, 'Action from 5 Nov ‘Call the parent about attendance this…’'], [form.laterActionId, 'Action from 5 Nov ‘Book the safeguarding refresher training’']] });
  });

  it('“Add another” updates the modal with one more row, everything typed kept', async () => {
    const before = slack.of('views.update').length;
    const state = { values: { action_0: plain('Ring the school nurse'), owner_0: select('sup'), due_0: date('2025-11-21'), notes: plain('Went through the Year 2 lunchtime concern'), prev_1: radio('dropped') } };
    const res = await post('/slack/interactions', interaction({ type: 'block_actions', user: { id: 'USUP' }, container: { type: 'view', view_id: 'VREC' }, view: { id: 'VREC', hash: 'h-add', type: 'modal', ...modal, state }, actions: [{ type: 'button', action_id: 'record_add_row', block_id: 'add_action', value: 'action', action_ts: '1.3' }] }));
    expect(res.status).toBe(200);
    const update = await eventually(() => slack.of('views.update')[before], 'the modal with a row added');
    expect(update.body.view_id).toBe('VREC');
    expect(update.body.hash).toBe('h-add');
    const next = update.body.view as ModalView;
    const block = (id: string) => next.blocks.find((b) => b.block_id === id);
    expect(block('action_1')).toBeDefined();
    expect(block('owner_1')?.element.options.map((o: { value: string }) => o.value)).toEqual(['sup', 'amy']);
    expect(block('action_0')?.element.initial_value).toBe('Ring the school nurse');
    expect(block('owner_0')?.element.initial_option.value).toBe('sup');
    expect(block('due_0')?.element.initial_date).toBe('2025-11-21');
    expect(block('notes')?.element.initial_value).toBe('Went through the Year 2 lunchtime concern');
    expect(block('prev_1')?.element.initial_option.value).toBe('dropped');
    expect(next.private_metadata).toBe(modal.private_metadata);
    modal = next;
  });

  it('a refusal of the form’s rules comes back on its block with the ack; nothing is written', async () => {
    const body = await submit(filled());
    expect(body).toEqual({ response_action: 'errors', errors: { prev_note_1: 'Action from 5 Nov ‘Book the safeguarding refresher training’: a note is needed to drop it' } });
    const late = await submit(filled({ prev_note_1: plain('The office booked it for everyone'), due_1: date('2027-01-04'), next_date: date('2025-12-20') }));
    expect(late.errors).toEqual({
      due_1: 'Action 2: the due date must be between the session and a year after it',
      next_date: 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday',
    });
    const name = await submit(filled({ prev_note_1: plain('The office booked it for everyone'), child_ref: plain('Kim Lee') }));
    expect(Object.keys(name.errors ?? {})).toEqual(['child_ref']);
    expect(await w.deps.records.latest(`rec.${form.sessionId}`)).toBeNull();
    expect((await w.deps.actions.get(form.lateActionId))?.status).toBe('open');
  });

  it('sent: the rows are on the record; done and dropped close last session’s actions', async () => {
    const body = await submit(filled({ prev_note_1: plain('The office booked it for everyone') }));
    expect(body).toEqual({});
    const record = await eventually(async () => {
      const r = await w.deps.records.latest(`rec.${form.sessionId}`);
      return r?.state === 'awaiting-confirmation' ? r : undefined;
    }, 'the record sent to confirm');
    expect(record.actions.map((a) => a.text)).toEqual(['Ring the school nurse', 'Keep the food diary']);
    expect(await w.deps.actions.get(form.lateActionId)).toMatchObject({ status: 'done', closedById: 'sup' });
    expect(await w.deps.actions.get(form.laterActionId)).toMatchObject({ status: 'not-needed', notNeeded: { reason: 'The office booked it for everyone' } });
  });
});
