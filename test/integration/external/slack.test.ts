/**
 * Supervision from outside the school (stour §4) in Slack (signed requests, the Web API stand-in): Erin's level-3
 * supervisor, Eve, is in no chat. After the session's time Erin's DM asks "Did it happen?" with It happened / It did
 * not happen; "It happened" opens the modal of the actions agreed; a half-filled row is refused against its block at
 * once; sent with two actions (one hers, one "my supervisor"), the record is kept by the external supervisor, the
 * session held and the actions open; another person's submission is refused; at the next session "It did not
 * happen" rebooks it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import type { Session } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { afterSession, dashboardTotals, expectKeptRecord, moveClockTo, nextExternalSession, seedExternalContract, TWO_ACTIONS } from '../../support/external.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { calendar } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { SLACK_SECRET, type SlackRequests, slackRequests } from '../../support/slack-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let slack: FakeSlack;
let bot: Bot;
let req: SlackRequests;
let session: Session;

const posted = (channel: string, text: string) => slack.of('chat.postMessage').some((c) => c.body.channel === channel && JSON.stringify(c.body).includes(text));
const text = (value: string | null) => ({ v: { type: 'plain_text_input', value } });
const select = (value: string) => ({ v: { type: 'static_select', selected_option: { value } } });
const date = (value: string) => ({ v: { type: 'datepicker', selected_date: value } });

function modalValues(): Record<string, unknown> {
  const a = TWO_ACTIONS(calendar().localDate(session.startsAt));
  return {
    action_0: text(a.action0),
    owner_0: select('self'),
    due_0: date(a.due0),
    action_1: text(a.action1),
    owner_1: select('supervisor'),
    due_1: date(a.due1),
    topics: { v: { type: 'checkboxes', selected_options: [{ value: 'professional-development' }] } },
  };
}

beforeAll(async () => {
  w = await createWorld('external_slack');
  await seedExternalContract(w);
  slack = await startFakeSlack();
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
    { clock: w.clock },
  );
  req = slackRequests(bot.url, slack.url);
  session = await nextExternalSession(w);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('a session with an external supervisor in no chat, in Slack', () => {
  let metadata = '';

  it('Erin’s DM asks whether it happened; It happened opens the modal of the actions agreed', async () => {
    await moveClockTo(w, bot, afterSession(session));
    await eventually(() => posted('DUERIN', 'Your session with Eve External was due at') && posted('DUERIN', 'session_kept_open'), 'Erin is asked');
    const { res } = await req.click('UERIN', 'session_kept_open', session.id);
    expect(res.status).toBe(200);
    const opened = await eventually(() => slack.of('views.open').find((c) => (c.body.view as { callback_id?: string } | undefined)?.callback_id === 'session_kept_modal'), 'the modal');
    metadata = (opened.body.view as { private_metadata: string }).private_metadata;
    expect(JSON.parse(metadata)).toEqual({ sessionId: session.id });
  });

  it('a row without its owner is refused against its block at once, and nothing is written', async () => {
    const values = { ...modalValues(), owner_1: { v: { type: 'static_select', selected_option: null } } };
    const res = await req.submit('UERIN', 'session_kept_modal', metadata, values);
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { owner_1: 'say who does it: you or your supervisor' } });
    expect(await w.deps.records.bySession(session.id)).toBeNull();
  });

  it('another person’s submission is refused and writes nothing', async () => {
    expect((await req.submit('UAMY', 'session_kept_modal', metadata, modalValues())).status).toBe(200);
    await eventually(() => posted('DUAMY', 'not something you can do here'), 'Amy refused');
    expect(await w.deps.records.bySession(session.id)).toBeNull();
  });

  it('sent with two actions: kept by the external supervisor, actions open, held in the figures', async () => {
    const before = await dashboardTotals(bot.url);
    expect((await req.submit('UERIN', 'session_kept_modal', metadata, modalValues())).status).toBe(200);
    // the modal is answered at once and the record written on the queue: wait until Erin is answered
    await eventually(() => posted('DUERIN', 'Kept by the external supervisor Eve External; actions recorded by Erin Early'), 'Erin sees the record');
    await expectKeptRecord(w, session.id);
    const after = await dashboardTotals(bot.url);
    expect([after.held - before.held, after.signed - before.signed]).toEqual([1, 1]);
  });

  it('the next session did not happen: Erin picks the new time and it is rebooked', async () => {
    const next = await nextExternalSession(w);
    await moveClockTo(w, bot, afterSession(next));
    await eventually(() => posted('DUERIN', next.id), 'Erin is asked again');
    const cal = calendar();
    const day = cal.nextSchoolDay(cal.localDate(w.clock.now()));
    const res = await req.submit('UERIN', 'session_not_held_modal', JSON.stringify({ sessionId: next.id }), {
      reason: select('supervisor-absent'),
      date: date(day),
      time: { v: { type: 'timepicker', selected_time: '10:00' } },
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await w.deps.sessions.get(next.id))?.status === 'missed', 'marked as not held');
    const missed = await w.deps.sessions.get(next.id);
    // the new session is written after the old one is marked (the command's next write): waited for, not read at once
    const replacement = await eventually(() => w.deps.sessions.get(missed?.replacedBy ?? ''), 'the new session booked');
    expect(replacement.status).toBe('scheduled');
  });
});
