/**
 * "Add to calendar" in Slack, through signed requests: a session moved from the modal is told to the other
 * party with their own invite link (the bot's public address), the mover's answer has theirs, and the
 * "booked" message of a session less than a week away carries one; each link serves that person's RFC 5545
 * invite for the session (METHOD:REQUEST, the session's UID, SEQUENCE 1 after one move).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNextSession } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { icsEvents, icsProperty, invitePathIn } from '../../support/ics.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-tests';
const PUBLIC = 'https://supervision.example.org';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let sessionId = '';
let n = 0;

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: Record<string, unknown>) => form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) });
async function submitMove(user: string, date: string, time: string, reason: string) {
  const body = interaction({
    type: 'view_submission',
    user: { id: user },
    view: {
      id: 'VMOVE',
      hash: `h${n}`,
      type: 'modal',
      callback_id: 'session_move_modal',
      private_metadata: JSON.stringify({ sessionId, cancel: false }),
      state: {
        values: {
          date: { v: { type: 'datepicker', selected_date: date } },
          time: { v: { type: 'timepicker', selected_time: time } },
          reason: { v: { type: 'plain_text_input', value: reason } },
        },
      },
    },
  });
  return fetch(`${bot.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
}
const posted = (channel: string, has: string) => slack.of('chat.postMessage').find((c) => c.body.channel === channel && JSON.stringify(c.body).includes(has));
/** The invite a message links to, fetched from the bot (the link is the public address; the path is the bot's). */
async function inviteOf(message: unknown) {
  const text = JSON.stringify(message);
  const path = invitePathIn(message);
  expect(path).toBeDefined();
  expect(text).toContain(`<${PUBLIC}${path}|Add to calendar>`);
  const res = await fetch(`${bot.url}${path}`);
  expect(res.status).toBe(200);
  return { path: path as string, ics: await res.text() };
}

beforeAll(async () => {
  w = await createWorld('slack_invites');
  slack = await startFakeSlack();
  const config = loadConfig({
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PUBLIC_BASE_URL: PUBLIC,
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
  });
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  // Amy sees Sam on Tue 11 Nov 2025 at 15:45
  sessionId = (await ensureNextSession(w.deps, w.org, w.contracts.amy))?.id ?? '';
  w.clock.set(london('2025-11-10T12:00'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('invites in Slack', () => {
  it('a move: Sam is told with his own invite, Amy’s answer has hers; each is METHOD:REQUEST, same UID, SEQUENCE 1', async () => {
    expect((await submitMove('UAMY', '2025-11-12', '10:00', 'Parents evening')).status).toBe(200);
    const told = await eventually(() => posted('DUSUP', 'moved the supervision session of Tue 11 Nov 2025, 15:45 to Wed 12 Nov 2025, 10:00'), 'Sam is told');
    const sam = await inviteOf(told.body);
    const answer = await eventually(() => posted('DUAMY', 'Moved. Your supervision session is now on Wed 12 Nov 2025, 10:00'), 'Amy’s answer');
    const amy = await inviteOf(answer.body);
    expect(sam.path).not.toBe(amy.path);
    for (const { ics } of [sam, amy]) {
      expect(icsProperty(ics, 'METHOD')).toBe('REQUEST');
      expect(icsEvents(ics)[0]).toMatchObject({ UID: `${sessionId}@supervision-bot`, SEQUENCE: '1', DTSTART: '20251112T100000Z' });
    }
  });

  it('the "booked" message of a session less than a week away carries the invite', async () => {
    const booked = await eventually(() => posted('DUSUP', 'Supervision booked for Wed 12 Nov 2025'), 'the booked message');
    const { ics } = await inviteOf(booked.body);
    expect(icsEvents(ics)[0]).toMatchObject({ UID: `${sessionId}@supervision-bot`, DTSTART: '20251112T100000Z' });
  });
});
