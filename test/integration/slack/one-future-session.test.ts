/**
 * One and only one future session per contract, from Slack, through signed requests: a session passes with no
 * record and the bot restarts (its start-up pass books the next session) before Sam answers "did it happen?";
 * the "It did not happen" modal with the new time leaves one future session; a Move on the passed session (an
 * old message's button) is refused; a move of the session to come keeps one.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let n = 0;

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
const post = (path: string, body: string) => fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
const click = (user: string, actionId: string, value: string) =>
  interaction({
    type: 'block_actions',
    user: { id: user },
    response_url: `${slack.url}/response/c${++n}`,
    container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
  });
const submit = (user: string, callbackId: string, metadata: string, values: Record<string, unknown>) =>
  post('/slack/interactions', interaction({ type: 'view_submission', user: { id: user }, view: { id: `V${callbackId}${++n}`, hash: `h${n}`, type: 'modal', callback_id: callbackId, private_metadata: metadata, state: { values } } }));
const pickers = (date: string, time: string, extra: Record<string, unknown> = {}) => ({
  date: { v: { type: 'datepicker', selected_date: date } },
  time: { v: { type: 'timepicker', selected_time: time } },
  ...extra,
});
const posted = (channel: string, text: string) => slack.of('chat.postMessage').some((c) => c.body.channel === channel && JSON.stringify(c.body).includes(text));
async function opened(callbackId: string, after: number): Promise<string> {
  const view = await eventually(() => slack.of('views.open').slice(after).find((v) => (v.body.view as { callback_id?: string }).callback_id === callbackId), `the ${callbackId} modal`);
  return (view.body.view as { private_metadata: string }).private_metadata;
}
async function passTo(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}
async function future(contractId: string) {
  const now = w.clock.now();
  return (await w.deps.sessions.byContract(contractId)).filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt > now);
}

beforeAll(async () => {
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45 (Ben's contract is not arranged: Sam has Amy's session alone)
  w = await createWorld('slack_one_future', { arrange: false });
  const { saveContract } = await import('../../../src/app/sessions.js');
  await saveContract(w.deps, w.org, w.contracts.amy);
  slack = await startFakeSlack();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('one future session per contract, in Slack', () => {
  it('the session passes with no record; Sam is asked; the start-up pass books one next session, and only one', async () => {
    expect((await future('c-amy')).map((s) => s.id)).toEqual(['c-amy.2025-11-11']);
    await passTo(london('2025-11-11T17:15'));
    await eventually(() => posted('DUSUP', 'Did the session of Tue 11 Nov 2025, 15:45 happen?'), 'Sam is asked');
    await bot.runtime.queues.rebuildReminders();
    await bot.runtime.queues.rebuildReminders();
    expect(await future('c-amy')).toHaveLength(1);
  });

  it('Move on the passed session (an old reminder’s button) is refused; nothing changes', async () => {
    const before = slack.of('views.open').length;
    expect((await post('/slack/interactions', click('UAMY', 'session_move', 'c-amy.2025-11-11'))).status).toBe(200);
    const metadata = await opened('session_move_modal', before);
    expect((await submit('UAMY', 'session_move_modal', metadata, pickers('2025-11-20', '10:00', { reason: { v: { type: 'plain_text_input', value: 'A course' } } }))).status).toBe(200);
    await eventually(() => posted('DUAMY', 'say whether it happened'), 'Amy is told why');
    expect((await w.deps.sessions.get('c-amy.2025-11-11'))?.status).toBe('scheduled');
    expect(await future('c-amy')).toHaveLength(1);
  });

  it('It did not happen, with the new time: the session booked meanwhile is replaced; one future session, after a restart too', async () => {
    const [meanwhile] = await future('c-amy');
    const before = slack.of('views.open').length;
    expect((await post('/slack/interactions', click('USUP', 'session_not_held', 'c-amy.2025-11-11'))).status).toBe(200);
    const metadata = await opened('session_not_held_modal', before);
    const values = pickers('2025-11-14', '10:00', {
      reason: { v: { type: 'static_select', selected_option: { value: 'supervisee-absent' } } },
      note: { v: { type: 'plain_text_input', value: null } },
    });
    expect((await submit('USUP', 'session_not_held_modal', metadata, values)).status).toBe(200);
    await eventually(async () => (await w.deps.sessions.get('c-amy.2025-11-11'))?.status === 'missed', 'marked as not held');
    await eventually(async () => (await w.deps.sessions.get(meanwhile?.id ?? ''))?.status === 'cancelled', 'the session booked meanwhile replaced');
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-14T10:00').toISOString()]);
    await bot.runtime.queues.rebuildReminders();
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-14T10:00').toISOString()]);
  });

  it('a move of the session to come keeps one future session', async () => {
    const [current] = await future('c-amy');
    const before = slack.of('views.open').length;
    expect((await post('/slack/interactions', click('UAMY', 'session_move', current?.id ?? ''))).status).toBe(200);
    const metadata = await opened('session_move_modal', before);
    expect((await submit('UAMY', 'session_move_modal', metadata, pickers('2025-11-17', '10:00', { reason: { v: { type: 'plain_text_input', value: 'A course' } } }))).status).toBe(200);
    // the old session is cancelled first (its status decides which of two moves wins), then the new one booked
    await eventually(async () => (await w.deps.sessions.get(current?.id ?? ''))?.status === 'cancelled' && (await future('c-amy')).length > 0, 'moved');
    expect((await future('c-amy')).map((s) => s.startsAt.toISOString())).toEqual([london('2025-11-17T10:00').toISOString()]);
  });
});
