/**
 * After a session's time, from Slack, through signed requests: Sam is asked "did it happen?" with Record it and
 * It did not happen; the latter opens a modal with why and the new time (template "intervals": refused without
 * one); the answer rebooks and tells Amy; `/supervision request` reaches Sam, whose Book button opens the date
 * and time pickers (stour App. C); two sessions in a row that did not happen reach the DSL and `/overdue
 * not-engaging` (template line manager (j)); a room holds one session at a time.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession, saveContract } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { contract, london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-tests';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let amySession = '';
let benSession = '';
let n = 0;

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
async function post(path: string, body: string, type = 'application/x-www-form-urlencoded') {
  return fetch(`${bot.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, ...sign(body) },
    body,
  });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const command = (user: string, name: string, text: string) => {
  const id = `r${++n}`;
  return {
    id,
    body: form({
      token: 't',
      team_id: 'T1',
      api_app_id: 'A1',
      channel_id: `D${user}`,
      user_id: user,
      command: name,
      text,
      trigger_id: `trig${n}`,
      response_url: `${slack.url}/response/${id}`,
    }),
  };
};
const interaction = (payload: Record<string, unknown>) =>
  form({
    payload: JSON.stringify({
      team: { id: 'T1' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: `trig${++n}`,
      ...payload,
    }),
  });
const click = (user: string, actionId: string, value: string) =>
  interaction({
    type: 'block_actions',
    user: { id: user },
    response_url: `${slack.url}/response/c${++n}`,
    container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
  });
const submit = (
  user: string,
  callbackId: string,
  metadata: string,
  hash: string,
  values: Record<string, unknown>,
) =>
  post(
    '/slack/interactions',
    interaction({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: `V${callbackId}`,
        hash,
        type: 'modal',
        callback_id: callbackId,
        private_metadata: metadata,
        state: { values },
      },
    }),
  );
const notHeldValues = (reason: string | null, date: string | null, time: string | null) => ({
  reason: { v: { type: 'static_select', selected_option: reason ? { value: reason } : null } },
  date: { v: { type: 'datepicker', selected_date: date } },
  time: { v: { type: 'timepicker', selected_time: time } },
  note: { v: { type: 'plain_text_input', value: null } },
});
const textOf = (value: unknown) => JSON.stringify(value);
const posted = (channel: string, text: string) =>
  slack.of('chat.postMessage').some((c) => c.body.channel === channel && textOf(c.body).includes(text));
async function opened(callbackId: string, after: number): Promise<string> {
  const view = await eventually(
    () =>
      slack
        .of('views.open')
        .slice(after)
        .find((v) => (v.body.view as { callback_id?: string }).callback_id === callbackId),
    `the ${callbackId} modal`,
  );
  return (view.body.view as { private_metadata: string }).private_metadata;
}
async function passTo(at: Date) {
  w.clock.set(at);
  await bot.runtime.queues.fireDueReminders();
  await bot.runtime.queues.flushOutbox();
}

beforeAll(async () => {
  w = await createWorld('slack_session_outcomes');
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
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45, Ben at the first time after that Sam is free
  amySession = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
  benSession = (await ensureNextSession(w.deps, w.org, w.contracts.ben))?.id ?? '';
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('did it happen? in Slack', () => {
  let metadata = '';

  it('the afternoon after the session, Sam is asked with Record it and It did not happen', async () => {
    await passTo(london('2025-11-11T17:15'));
    await eventually(
      () => posted('DUSUP', 'Did the session of Tue 11 Nov 2025, 15:45 happen?'),
      'Sam is asked',
    );
    expect(posted('DUSUP', 'session_not_held')).toBe(true);
    expect(posted('DUSUP', 'record_open_modal')).toBe(true);
  });

  it('It did not happen opens the modal with why and the new date and time', async () => {
    const before = slack.of('views.open').length;
    expect((await post('/slack/interactions', click('USUP', 'session_not_held', amySession))).status).toBe(
      200,
    );
    metadata = await opened('session_not_held_modal', before);
    expect(JSON.parse(metadata)).toEqual({ sessionId: amySession });
  });

  it('without a new time the modal answers on the date field with the policy’s reason; without why, on the reason', async () => {
    const noTime = (await (
      await submit('USUP', 'session_not_held_modal', metadata, 'h0', notHeldValues('other', null, null))
    ).json()) as { errors: Record<string, string> };
    expect(noTime.errors.date).toContain('never changed or cancelled without a new time');
    const noWhy = (await (
      await submit(
        'USUP',
        'session_not_held_modal',
        metadata,
        'h1',
        notHeldValues(null, '2025-11-13', '15:45'),
      )
    ).json()) as { errors: Record<string, string> };
    expect(noWhy.errors.reason).toContain('say why it did not happen');
    expect((await w.deps.sessions.get(amySession))?.status).toBe('scheduled');
  });

  it('with why and the new time: marked so, rebooked, and Amy is told', async () => {
    expect(
      (
        await submit(
          'USUP',
          'session_not_held_modal',
          metadata,
          'h2',
          notHeldValues('supervisor-absent', '2025-11-13', '15:45'),
        )
      ).status,
    ).toBe(200);
    await eventually(
      async () => (await w.deps.sessions.get(amySession))?.status === 'missed',
      'the session marked not held',
    );
    // the new session is written after the old one is marked (the command's next write), so it is waited for too
    await eventually(() => w.deps.sessions.get('c-amy.2025-11-13'), 'the new session booked');
    expect(await w.deps.sessions.get('c-amy.2025-11-13')).toMatchObject({
      status: 'scheduled',
      startsAt: london('2025-11-13T15:45'),
    });
    await eventually(
      () =>
        posted(
          'DUAMY',
          'says the supervision session of Tue 11 Nov 2025, 15:45 did not happen (the supervisor could not attend)',
        ),
      'Amy is told',
    );
    const c = command('UAMY', '/supervision', 'next');
    await post('/slack/commands', c.body);
    const answer = await eventually(() => slack.responses.find((r) => r.path.endsWith(c.id)), 'next');
    expect(textOf(answer.body)).toContain('Did not happen: Tue 11 Nov 2025, 15:45');
    expect(textOf(answer.body)).toContain('Thu 13 Nov 2025, 15:45');
  });
});

describe('on request, in Slack', () => {
  it('`/supervision request` reaches Sam; Book opens the pickers; the session is booked as extra and Amy told', async () => {
    const c = command('UAMY', '/supervision', 'request a family I am worried about');
    await post('/slack/commands', c.body);
    const answer = await eventually(() => slack.responses.find((r) => r.path.endsWith(c.id)), 'the answer');
    expect(textOf(answer.body)).toContain('Sam Supervisor will book a session with you by');
    await eventually(
      () => posted('DUSUP', 'Amy Teacher asks for a supervision session'),
      'Sam gets the card',
    );
    const [request] = await w.deps.sessionRequests.openForContract('c-amy');
    const before = slack.of('views.open').length;
    expect(
      (await post('/slack/interactions', click('USUP', 'session_book_request', request?.id ?? ''))).status,
    ).toBe(200);
    const meta = await opened('session_book_request_modal', before);
    const values = {
      date: { v: { type: 'datepicker', selected_date: '2025-11-14' } },
      time: { v: { type: 'timepicker', selected_time: '10:00' } },
    };
    expect((await submit('USUP', 'session_book_request_modal', meta, 'b1', values)).status).toBe(200);
    await eventually(
      async () => (await w.deps.sessionRequests.get(request?.id ?? ''))?.status === 'booked',
      'booked',
    );
    expect((await w.deps.sessions.byContract('c-amy')).find((s) => s.onRequest)).toMatchObject({
      startsAt: london('2025-11-14T10:00'),
    });
    await eventually(() => posted('DUAMY', 'booked the supervision session you asked for'), 'Amy is told');
  });
});

describe('not engaging, in Slack', () => {
  it('Ben’s second session in a row that did not happen reaches the DSL and /overdue not-engaging', async () => {
    const before = slack.of('views.open').length;
    await post('/slack/interactions', click('USUP', 'session_not_held', benSession));
    const meta = await opened('session_not_held_modal', before);
    await submit(
      'USUP',
      'session_not_held_modal',
      meta,
      'n1',
      notHeldValues('supervisee-absent', '2025-11-12', '15:45'),
    );
    await eventually(
      async () => (await w.deps.sessions.get('c-ben.2025-11-12'))?.status === 'scheduled',
      'rebooked',
    );
    await passTo(london('2025-11-12T17:15'));
    const again = slack.of('views.open').length;
    await post('/slack/interactions', click('USUP', 'session_not_held', 'c-ben.2025-11-12'));
    const meta2 = await opened('session_not_held_modal', again);
    await submit(
      'USUP',
      'session_not_held_modal',
      meta2,
      'n2',
      notHeldValues('supervisee-absent', '2025-11-17', '15:45'),
    );
    await eventually(() => posted('DUDSL', 'Not engaging with supervision: Ben Pastoral'), 'the DSL is told');
    const c = command('UDSL', '/overdue', 'not-engaging');
    await post('/slack/commands', c.body);
    const answer = await eventually(() => slack.responses.find((r) => r.path.endsWith(c.id)), '/overdue');
    expect(textOf(answer.body)).toContain('Not engaging');
    expect(textOf(answer.body)).toContain('Ben Pastoral');
  });
});

describe('rooms, in Slack', () => {
  it('a session in a room already taken then is answered with the next free time', async () => {
    const room = contract({
      id: 'c-deputy',
      supervisorIds: ['dsl'],
      superviseeIds: ['deputy'],
      preferredTime: '12:00',
    });
    await saveContract(w.deps, w.org, room);
    const mine = (await w.deps.sessions.byContract('c-deputy')).find((s) => s.status === 'scheduled');
    const meta = JSON.stringify({ sessionId: mine?.id, cancel: false });
    const values = {
      date: { v: { type: 'datepicker', selected_date: '2025-11-14' } },
      time: { v: { type: 'timepicker', selected_time: '10:30' } },
      reason: { v: { type: 'plain_text_input', value: 'Only time free' } },
    };
    expect((await submit('UDSL', 'session_move_modal', meta, 'm1', values)).status).toBe(200);
    await eventually(
      () => posted('DUDSL', 'clashes with another supervision session in Meeting room 2'),
      'the clash',
    );
    expect(posted('DUDSL', 'The next free time is Fri 14 Nov 2025, 11:00')).toBe(true);
    expect((await w.deps.sessions.get(mine?.id ?? ''))?.status).toBe('scheduled');
  });
});
