/**
 * Closing the loops from Slack: Done / Not needed on the actions list and the late-action reminder, and
 * "Copied to the child's file" on the case-decision chase — signed requests, acknowledged at once, the work
 * done through the queues, the answer posted back; closed items leave /overdue.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverdue } from '../../../src/app/overdue.js';
import type { OverdueSummaryView } from '../../../src/app/views.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { type SignedWithLoops, signedRecordWithLoops } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-loops';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let loops: SignedWithLoops;
let n = 0;

function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function post(path: string, body: string) {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
async function click(user: string, actionId: string, value: string) {
  const id = `r${++n}`;
  const res = await post(
    '/slack/interactions',
    interaction({
      type: 'block_actions',
      user: { id: user },
      response_url: `${slack.url}/response/${id}`,
      container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
    }),
  );
  expect(res.status).toBe(200);
  return id;
}
async function submit(user: string, callbackId: string, metadata: string, values: Record<string, unknown>) {
  const res = await post('/slack/interactions', interaction({ type: 'view_submission', user: { id: user }, view: { id: `V${++n}`, hash: `h${n}`, type: 'modal', callback_id: callbackId, private_metadata: metadata, state: { values } } }));
  expect(res.status).toBe(200);
  const text = await res.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
const text = (v: unknown) => JSON.stringify(v);
const responseTo = (id: string) => eventually(() => slack.responses.find((r) => r.path === id), `the answer to ${id}`);
const dmTo = (channel: string, has: string) => slack.of('chat.postMessage').filter((c) => c.body.channel === channel && text(c.body.blocks).includes(has));
const overdue = async () => ((await computeOverdue(w.deps, 'dsl', {})) as { view: OverdueSummaryView }).view;


beforeAll(async () => {
  w = await createWorld('slack_loops');
  slack = await startFakeSlack();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  loops = await signedRecordWithLoops(w);
  w.clock.set(london('2025-11-10T09:00'));
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('actions, from Slack', () => {
  it('the late-action reminder carries Done (no Not needed for the owner); /supervision actions lists mine with Done', async () => {
    const [reminder] = await eventually(() => dmTo('DUAMY', 'An agreed action is past its date').length > 0 && dmTo('DUAMY', 'An agreed action is past its date'), 'the reminder');
    expect(text(reminder?.body.blocks)).toContain('"action_id":"action_done"');
    expect(text(reminder?.body.blocks)).toContain(loops.lateActionId);
    expect(text(reminder?.body.blocks)).not.toContain('action_not_needed');
    const id = `cmd${++n}`;
    await post('/slack/commands', form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: 'DUAMY', user_id: 'UAMY', command: '/supervision', text: 'actions', trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }));
    const list = await responseTo(id);
    expect(text(list.body.blocks)).toContain('Call the parent about attendance this week');
    expect(text(list.body.blocks)).toContain('"action_id":"action_done"');
  });

  it('a stranger’s click and a bad value are answered, and nothing changes', async () => {
    const stranger = await responseTo(await click('USTRANGER', 'action_done', loops.lateActionId));
    expect(text(stranger.body)).toContain('Sorry');
    const bad = await responseTo(await click('UAMY', 'action_done', '<!channel>'));
    expect(String(bad.body.text)).toMatch(/^value:/);
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('open');
  });

  it('Done: answered with my list without it; it leaves /overdue and is audited once', async () => {
    const answer = await responseTo(await click('UAMY', 'action_done', loops.lateActionId));
    expect(text(answer.body.blocks)).toContain('Action marked as done.');
    expect(text(answer.body.blocks)).not.toContain('Call the parent about attendance this week');
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('done');
    expect((await overdue()).actions.map((r) => r.refId)).not.toContain(loops.lateActionId);
    await responseTo(await click('UAMY', 'action_done', loops.lateActionId));
    expect((await w.deps.audit.entries('org-wl')).filter((e) => e.action === 'action.completed')).toHaveLength(1);
  });

  it('Not needed opens a modal for the reason; the owner alone cannot set it aside; the supervisor can', async () => {
    await click('USUP', 'action_not_needed', loops.laterActionId);
    const opened = await eventually(() => slack.of('views.open').find((c) => (c.body.view as { callback_id?: string }).callback_id === 'action_not_needed_modal'), 'the modal');
    const meta = (opened.body.view as { private_metadata: string }).private_metadata;
    expect(await submit('USUP', 'action_not_needed_modal', meta, { reason: { v: { type: 'plain_text_input', value: '   ' } } })).toEqual({ response_action: 'errors', errors: { reason: 'say why the action is not needed' } });
    await submit('UAMY', 'action_not_needed_modal', meta, { reason: { v: { type: 'plain_text_input', value: 'I would rather not do this one' } } });
    await eventually(() => dmTo('DUAMY', 'Sorry').length > 0, 'Amy refused');
    expect((await w.deps.actions.get(loops.laterActionId))?.status).toBe('open');
    await submit('USUP', 'action_not_needed_modal', meta, { reason: { v: { type: 'plain_text_input', value: 'The training was cancelled by the local authority' } } });
    await eventually(async () => (await w.deps.actions.get(loops.laterActionId))?.status === 'not-needed', 'set aside');
    await eventually(() => dmTo('DUSUP', 'Action set aside as not needed.').length > 0, 'the supervisor told');
  });
});

describe('case decisions, from Slack', () => {
  it('the chase carries "Copied to the child’s file"; a day past the deadline the DSL is told, without the decision', async () => {
    const [chase] = await eventually(() => dmTo('DUAMY', 'A case decision must reach the child').length > 0 && dmTo('DUAMY', 'A case decision must reach the child'), 'the chase');
    expect(text(chase?.body.blocks)).toContain(`"value":"${loops.recordId}:d1"`);
    const toDsl = await eventually(() => dmTo('DUDSL', 'A case decision is not on the child').length === 2 && dmTo('DUDSL', 'A case decision is not on the child'), 'the DSL told of both');
    expect(text(toDsl)).toContain('"action_id":"decision_copied"');
    expect(text(toDsl)).not.toContain('early help');
  });

  it('the button opens a modal with an optional reference; a bad one comes back on the field', async () => {
    await click('UAMY', 'decision_copied', `${loops.recordId}:d1`);
    const opened = await eventually(() => slack.of('views.open').find((c) => (c.body.view as { callback_id?: string }).callback_id === 'decision_copied_modal'), 'the modal');
    const meta = (opened.body.view as { private_metadata: string }).private_metadata;
    const bad = await submit('UAMY', 'decision_copied_modal', meta, { reference: { v: { type: 'plain_text_input', value: '<https://evil.example|ref>' } } });
    expect(bad.response_action).toBe('errors');
    expect(Object.keys(bad.errors as object)).toEqual(['reference']);
    await submit('USTRANGER', 'decision_copied_modal', meta, { reference: { v: { type: 'plain_text_input', value: null } } });
    await eventually(() => dmTo('DUSTRANGER', 'Sorry').length > 0, 'the stranger refused');
    expect((await w.deps.caseDecisions.get(loops.recordId, 'd1'))?.copiedToChildFileAt).toBeUndefined();
    await submit('UAMY', 'decision_copied_modal', meta, { reference: { v: { type: 'plain_text_input', value: 'CPOMS 48213' } } });
    await eventually(async () => (await w.deps.caseDecisions.get(loops.recordId, 'd1'))?.childFileRef === 'CPOMS 48213', 'copied with its reference');
    await eventually(() => dmTo('DUAMY', 'on the child’s file (CPOMS 48213)').length > 0, 'Amy told');
    expect((await overdue()).caseDecisions.map((r) => r.refId)).toEqual([`${loops.recordId}:d2`]);
  });
});
