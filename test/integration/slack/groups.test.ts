/**
 * Group supervision in Slack, through signed requests: attendance in the record modal, every member's
 * confirmation, two absences in a row reported and listed, a referral to the line manager that carries none of
 * the session (test/support/group-journeys.ts).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { groupJourneys } from '../../support/group-journeys.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-groups';
const SLACK_ID: Record<string, string> = { sup: 'USUP', amy: 'UAMY', ben: 'UBEN', dsl: 'UDSL' };
let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;

function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function post(path: string, body: string) {
  const res = await fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
  expect(res.status).toBe(200);
  return res;
}
const interaction = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) }).toString();
const click = (user: string, actionId: string, value: string) =>
  interaction({ type: 'block_actions', user: { id: user }, response_url: `${slack.url}/response/c${++n}`, container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' }, actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }] });
// biome-ignore lint/suspicious/noExplicitAny: Slack's blocks are read loosely here, as in record-form-rows.test.ts
type ModalView = { blocks: Array<Record<string, any>>; private_metadata: string; callback_id: string };
const modals = new Map<string, ModalView>();
const plain = (value: string | null) => ({ v: { type: 'plain_text_input', value } });

beforeAll(async () => {
  w = await createWorld('slack_groups');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

async function open(sessionId: string, personId = 'sup'): Promise<ModalView> {
  const before = slack.of('views.update').length;
  await post('/slack/interactions', click(SLACK_ID[personId] as string, 'record_open_modal', sessionId));
  const update = await eventually(() => slack.of('views.update').slice(before).find((c) => (c.body.view as ModalView | undefined)?.callback_id === 'record_modal'), 'the record modal');
  const modal = update.body.view as ModalView;
  modals.set(sessionId, modal);
  return modal;
}

groupJourneys({
  world: () => w,
  async openForm(sessionId) {
    const modal = await open(sessionId);
    const members: string[] = JSON.parse(modal.private_metadata).m;
    const blocks = modal.blocks.filter((b) => /^attend_\d+$/.test(b.block_id ?? ''));
    if (blocks.length !== members.length || blocks.some((b) => b.element.initial_option.value !== 'present')) throw new Error('attendance blocks do not match the members');
    return members;
  },
  async send(sessionId, attendance) {
    const modal = modals.get(sessionId) ?? (await open(sessionId));
    const members: string[] = JSON.parse(modal.private_metadata).m;
    const values = {
      topics: { v: { type: 'checkboxes', selected_options: [{ value: 'performance' }] } },
      notes: plain('The group talked through the new referral route'),
      concerns: plain(null),
      risk: plain(null),
      next_date: { v: { type: 'datepicker', selected_date: null } },
      next_time: { v: { type: 'timepicker', selected_time: null } },
      ...Object.fromEntries(members.map((id, i) => [`attend_${i}`, { v: { type: 'static_select', selected_option: { value: attendance[id] ?? 'present' } } }])),
    };
    const res = await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: 'USUP' }, view: { id: 'VREC', hash: `h${++n}`, type: 'modal', callback_id: 'record_modal', private_metadata: modal.private_metadata, state: { values } } }));
    const text = await res.text();
    if (text && JSON.parse(text).response_action === 'errors') throw new Error(text);
  },
  async confirm(personId, recordId, version) {
    await post('/slack/interactions', click(SLACK_ID[personId] as string, 'record_confirm', `${recordId}@${version}`));
  },
  async received(personId) {
    await bot.runtime.queues.flushOutbox();
    const id = SLACK_ID[personId] as string;
    return JSON.stringify(slack.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && (c.body.channel === id || c.body.channel === `D${id}`)).map((c) => c.body));
  },
  async openFormAs(personId, sessionId) {
    return JSON.stringify((await open(sessionId, personId)).blocks);
  },
  async sendAs(personId, sessionId, fields) {
    const modal = await open(sessionId, personId);
    const values = {
      topics: { v: { type: 'checkboxes', selected_options: [{ value: 'performance' }] } },
      notes: plain(fields.notes),
      concerns: plain(null),
      risk: plain(null),
      next_date: { v: { type: 'datepicker', selected_date: null } },
      next_time: { v: { type: 'timepicker', selected_time: null } },
      refer_kind: { v: { type: 'static_select', selected_option: fields.referKind ? { value: fields.referKind } : null } },
      refer_note: plain(fields.referNote ?? null),
    };
    const res = await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: SLACK_ID[personId] }, view: { id: 'VREF', hash: `h${++n}`, type: 'modal', callback_id: 'record_modal', private_metadata: modal.private_metadata, state: { values } } }));
    const text = await res.text();
    if (text && JSON.parse(text).response_action === 'errors') throw new Error(text);
  },
  async overdue(personId) {
    const id = `o${++n}`;
    const user = SLACK_ID[personId] as string;
    await post('/slack/commands', new URLSearchParams({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: '/overdue', text: 'not-engaging', trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }).toString());
    const answer = await eventually(() => slack.responses.find((r) => r.path === id), '/overdue');
    return JSON.stringify(answer.body);
  },
});
