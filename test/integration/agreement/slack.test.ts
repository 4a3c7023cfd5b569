/**
 * The supervision agreement and the annual review in Slack (signed requests, the Web API stand-in): the cards
 * arrive as DMs, Agree and "Keep as it is" are `block_actions` answered through the `response_url`, "Ask a
 * question" and "Change…" open modals sent back as `view_submission`. The journeys: test/support/agreement-journeys.ts.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { agreementJourneys } from '../../support/agreement-journeys.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { SLACK_SECRET, type SlackRequests, slackRequests } from '../../support/slack-requests.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let slack: FakeSlack;
let bot: Bot;
let req: SlackRequests;
/** The answers to each person's clicks (their `response_url`s). */
const answered = new Map<string, string[]>();

const userOf = (personId: string) => w.people[personId as keyof World['people']]?.identities?.slackUserId ?? '';
/** Messages to the person's DM, and those updated in place (a card of the same thread, e.g. the agreement asked again). */
const dm = (personId: string) => slack.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.body.channel === `D${userOf(personId)}`).map((c) => JSON.stringify(c.body));
const answers = (personId: string) => slack.responses.filter((r) => (answered.get(personId) ?? []).includes(r.path)).map((r) => JSON.stringify(r.body));

async function click(personId: string, actionId: string, value: string): Promise<string> {
  const { res, responseId } = await req.click(userOf(personId), actionId, value);
  expect(res.status).toBe(200);
  answered.set(personId, [...(answered.get(personId) ?? []), responseId]);
  return eventually(() => slack.responses.find((r) => r.path === responseId) && JSON.stringify(slack.responses.find((r) => r.path === responseId)?.body), `the answer to ${personId}’s ${actionId}`);
}

/** The modal a click opened (its private metadata names the contract). */
async function modal(personId: string, actionId: string, callbackId: string, contractId: string): Promise<string> {
  const before = slack.of('views.open').length;
  const { res } = await req.click(userOf(personId), actionId, contractId);
  expect(res.status).toBe(200);
  const opened = await eventually(
    () => slack.of('views.open').slice(before).find((c) => (c.body.view as { callback_id?: string }).callback_id === callbackId && JSON.stringify(c.body.view).includes(contractId)),
    `${callbackId} opened`,
  );
  return (opened.body.view as { private_metadata: string }).private_metadata;
}

beforeAll(async () => {
  w = await createWorld('agreement_slack');
  w.clock.set(london('2025-11-17T09:00'));
  slack = await startFakeSlack();
  bot = await startBot(
    loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
    { clock: w.clock },
  );
  req = slackRequests(bot.url, slack.url);
}, 180_000);
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

agreementJourneys({
  world: () => w,
  bot: () => bot,
  marks: { agree: 'agreement_agree', review: 'contract_review_keep' },
  received: (personId) => [...dm(personId), ...answers(personId)].join('\n'),
  async agree(personId, contractId) {
    const terms = (await w.deps.contracts.get(contractId))?.agreement?.terms ?? '';
    const value = `${terms}.${contractId}`;
    await eventually(() => dm(personId).some((m) => m.includes(`"value":"${value}"`)), `${personId}’s card for ${value}`);
    return click(personId, 'agreement_agree', value);
  },
  async ask(personId, contractId, question) {
    const metadata = await modal(personId, 'agreement_ask', 'agreement_question_modal', contractId);
    const res = await req.submit(userOf(personId), 'agreement_question_modal', metadata, { question: { v: { type: 'plain_text_input', value: question } } });
    expect(res.status).toBe(200);
  },
  expectInert(received) {
    expect(received).toContain('&lt;@UDSL&gt;');
    expect(received).not.toMatch(/<@UDSL>|<https?:|https:\/\/evil|<!here>/);
  },
  keep: (personId, contractId) => click(personId, 'contract_review_keep', contractId),
  async change(personId, contractId, terms) {
    const metadata = await modal(personId, 'contract_review_change', 'contract_review_modal', contractId);
    const before = dm(personId).length;
    const res = await req.submit(userOf(personId), 'contract_review_modal', metadata, {
      cadence: { v: { type: 'plain_text_input', value: terms.cadence } },
      minutes: { v: { type: 'number_input', value: String(terms.minutes) } },
      location: { v: { type: 'plain_text_input', value: terms.location } },
      level: { v: { type: 'static_select', selected_option: null } },
      supervisor: { v: { type: 'users_select', selected_user: null } },
    });
    expect(res.status).toBe(200);
    return eventually(() => dm(personId).slice(before).find((m) => m.includes('the next review is')), 'the review’s answer');
  },
  async type(personId, text) {
    const { res, responseId } = await req.command(userOf(personId), text);
    expect(res.status).toBe(200);
    return eventually(() => slack.responses.filter((r) => r.path === responseId).map((r) => JSON.stringify(r.body)).join('\n'), `the answer to ${text}`);
  },
});
