/**
 * Moving and cancelling a session from Slack, through signed requests: `/supervision move` and the Move /
 * Cancel and rebook buttons open a modal with date and time pickers; a cancellation without a new time comes
 * back on the date field with the policy's reason (template "intervals"); a clash is answered with the next
 * free time; a move is told to the other party.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';
import { eventually } from '../../support/eventually.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let sessionId = '';
let n = 0;

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
async function post(path: string, body: string, type = 'application/x-www-form-urlencoded') {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const command = (user: string, name: string, text: string) => {
  const id = `r${++n}`;
  return { id, body: form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: name, text, trigger_id: `trig${n}`, response_url: `${slack.url}/response/${id}` }) };
};
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
const click = (user: string, actionId: string, value: string) =>
  interaction({
    type: 'block_actions',
    user: { id: user },
    response_url: `${slack.url}/response/c${++n}`,
    container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
  });
const submitMove = (user: string, metadata: string, hash: string, date?: string, time?: string, reason?: string) =>
  post(
    '/slack/interactions',
    interaction({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: 'VMOVE',
        hash,
        type: 'modal',
        callback_id: 'session_move_modal',
        private_metadata: metadata,
        state: {
          values: {
            date: { v: { type: 'datepicker', selected_date: date ?? null } },
            time: { v: { type: 'timepicker', selected_time: time ?? null } },
            reason: { v: { type: 'plain_text_input', value: reason ?? null } },
          },
        },
      },
    }),
  );
const textOf = (value: unknown) => JSON.stringify(value);


beforeAll(async () => {
  w = await createWorld('slack_sessions');
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
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free (16:45)
  sessionId = (await ensureNextSession(w.deps, w.org, w.contracts.amy))!.id;
  await ensureNextSession(w.deps, w.org, w.contracts.ben);
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('moving a session in Slack', () => {
  let metadata = '';

  it('`/supervision move` answers with a button; the button opens the modal with date and time pickers', async () => {
    const c = command('UAMY', '/supervision', 'move');
    expect((await post('/slack/commands', c.body)).status).toBe(200);
    const answer = await eventually(() => slack.responses.find((r) => r.path.endsWith(c.id)), 'the answer');
    expect(textOf(answer.body)).toContain('session_move');
    expect(textOf(answer.body)).toContain(sessionId);
    expect((await post('/slack/interactions', click('UAMY', 'session_cancel', sessionId))).status).toBe(200);
    const opened = await eventually(() => slack.of('views.open').find((v) => (v.body.view as { callback_id?: string }).callback_id === 'session_move_modal'), 'the modal');
    const view = opened.body.view as { private_metadata: string };
    expect(textOf(view)).toContain('datepicker');
    expect(textOf(view)).toContain('timepicker');
    metadata = view.private_metadata;
    expect(JSON.parse(metadata)).toEqual({ sessionId, cancel: true });
  });

  it('cancelling without a new time comes back on the date field with the policy’s reason, and nothing changes', async () => {
    const res = await submitMove('UAMY', metadata, 'h0');
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.date).toContain('never changed or cancelled without a new time set at once');
    expect((await w.deps.sessions.get(sessionId))?.status).toBe('scheduled');
  });

  it('a clash with Sam’s session with Ben is answered with the next free time, and nothing changes', async () => {
    expect((await submitMove('UAMY', metadata, 'h1', '2025-11-11', '16:00', 'Parents evening')).status).toBe(200);
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUAMY' && textOf(c.body).includes('The next free time is Wed 12 Nov 2025, 15:45')), 'the offer');
    expect((await w.deps.sessions.get(sessionId))?.status).toBe('scheduled');
  });

  it('cancel and rebook to a school day: the new session replaces the old, and Sam is told', async () => {
    expect((await submitMove('UAMY', metadata, 'h2', '2025-11-12', '10:00', 'Parents evening')).status).toBe(200);
    await eventually(async () => (await w.deps.sessions.get(sessionId))?.status === 'cancelled', 'the old session cancelled');
    expect(await w.deps.sessions.get('c-amy.2025-11-12')).toMatchObject({ status: 'scheduled', startsAt: london('2025-11-12T10:00') });
    await eventually(() => slack.of('chat.postMessage').some((c) => c.body.channel === 'DUSUP' && textOf(c.body).includes('Amy Teacher cancelled the supervision session of Tue 11 Nov 2025, 15:45 and rebooked it for Wed 12 Nov 2025, 10:00')), 'Sam is told');
  });
});
