/**
 * "Keep supervision content out of chat" on Slack, Teams and the playground at once: with the school's setting on
 * (changed by the DSL through the administration use case, an audit entry), the main journeys run — an agenda
 * item typed, records sent, confirmed and disputed, `actions`, the reminders of a late action and a case decision
 * — and no free text the database holds (test/support/free-text.ts) appears in any request the bot made to the
 * Slack Web API stand-in or the Bot Connector stand-in, in the invoke answers Teams receives, or in the
 * playground's chat; the cards carry "Open in the dashboard" instead. The same check finds the text once the
 * setting is off again, so it can fail.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateOrganisation } from '../../../src/app/admin/organisation.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { findLeaks, freeTextIn } from '../../support/free-text.js';
import { type SignedWithLoops, sentRecordForBen, signedRecordWithLoops } from '../../support/loops.js';
import { london } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-signing-secret-for-content';
let w: World;
let slack: FakeSlack;
let teams: FakeConnector;
let bot: Bot;
let loops: SignedWithLoops;
let ben: { recordId: string; sessionId: string };
let n = 0;
/** What Teams received as the answers to its invokes (they reach Microsoft too). */
const invokeAnswers: string[] = [];
/** What the playground's chat showed. */
const playgroundAnswers: string[] = [];

// ---- Slack: signed requests ----
function sign(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function slackPost(path: string, body: string, type = 'application/x-www-form-urlencoded') {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
}
const slackEvent = (user: string, text: string) =>
  JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${++n}`, event_time: 1, event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `${n}.1` } });
async function slackSays(user: string, text: string) {
  expect((await slackPost('/slack/events', slackEvent(user, text), 'application/json')).status).toBe(200);
}
async function slackClick(user: string, actionId: string, value: string) {
  const id = `r${++n}`;
  const payload = { team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${n}`, type: 'block_actions', user: { id: user }, response_url: `${slack.url}/response/${id}`, container: { type: 'message', channel_id: `D${user}`, message_ts: '1.1' }, actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }] };
  expect((await slackPost('/slack/interactions', new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
  return id;
}

// ---- Teams: Bot Framework activities ----
const activity = (person: string, extra: Record<string, unknown>) => ({
  id: `a${++n}`,
  timestamp: new Date().toISOString(),
  channelId: 'msteams',
  serviceUrl: teams.url,
  recipient: { id: '28:bot' },
  from: { id: `29:${person}`, aadObjectId: `aad-${person}` },
  conversation: { id: `conv-${person}`, tenantId: 'tenant-1', conversationType: 'personal' },
  ...extra,
});
async function teamsSend(body: unknown) {
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function teamsInvoke(person: string, verb: string, data: Record<string, unknown>) {
  const res = await teamsSend(activity(person, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }));
  const card = JSON.stringify(((await res.json()) as { value: unknown }).value);
  invokeAnswers.push(card);
  return card;
}
const teamsCardsTo = (person: string) => teams.calls.filter((c) => c.conversationId === `conv-${person}`).map((c) => JSON.stringify(c.body));

// ---- the playground ----
async function playground(path: string, person: string, body?: unknown) {
  const res = await fetch(`${bot.url}/playground/api/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'x-playground-person': person, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  playgroundAnswers.push(text);
  return { status: res.status, text };
}
/** The bot's side of each person's playground chat (what a person typed is theirs, not the bot's). */
async function playgroundChats(): Promise<string[]> {
  const out: string[] = [];
  for (const person of ['sup', 'amy', 'ben', 'dsl', 'head']) {
    const { text } = await playground('inbox', person);
    const entries = (JSON.parse(text) as { entries: Array<{ from: string }> }).entries;
    out.push(...entries.filter((e) => e.from === 'bot').map((e) => JSON.stringify(e)));
  }
  return out;
}

/** Every outbound body: Slack's Web API calls and response_url answers, the Bot Connector's, Teams' invoke answers. */
function outbound(): string {
  return [...slack.calls.map((c) => JSON.stringify(c.body)), ...slack.responses.map((r) => JSON.stringify(r.body)), ...teams.calls.map((c) => JSON.stringify(c.body)), ...invokeAnswers].join('\n');
}
async function storedFreeText(): Promise<string[]> {
  return [...(await freeTextIn(bot.runtime.store.connection.db as Parameters<typeof freeTextIn>[0]))];
}

beforeAll(async () => {
  w = await createWorld('content_out_of_chat');
  slack = await startFakeSlack();
  teams = await startFakeConnector();
  const config = loadConfig({ MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, PORT: '0', PLAYGROUND: 'on', LOG_LEVEL: 'silent' });
  // on before the bot starts: nothing it sends, from its first reminder on, carries anyone's words
  const on = await updateOrganisation(w.deps, 'dsl', { keepContentOutOfChat: true });
  expect(on.ok).toBe(true);
  bot = await startBot(config, createLogger('silent'), { clock: w.clock });
  for (const p of ['dsl', 'sup', 'amy', 'ben', 'head']) expect((await teamsSend(activity(p, { type: 'installationUpdate', action: 'add' }))).status).toBeLessThan(300);
  // a signed record with actions and case decisions; Ben's record sent to confirm, and another he will dispute
  loops = await signedRecordWithLoops(w);
  ben = await sentRecordForBen(w, '2025-11-06', 'Caseload review and the new attendance plan for Year 5');
  await bot.runtime.queues.flushOutbox();
}, 120_000);
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await teams?.close();
  await w?.close();
});

describe('with "keep supervision content out of chat" on', () => {
  it('is the DSL’s or the administrator’s to set, and setting it is an audit entry', async () => {
    const refused = await updateOrganisation(w.deps, 'head', { keepContentOutOfChat: false });
    expect(refused).toMatchObject({ ok: false, error: { type: 'refusal' } });
    expect((await w.deps.organisations.get('org-wl'))?.keepContentOutOfChat).toBe(true);
    // the headteacher may still change the rest of the settings
    expect((await updateOrganisation(w.deps, 'head', { name: 'White Laith Primary' })).ok).toBe(true);
    const entries = await w.deps.audit.entries('org-wl');
    expect(entries.filter((e) => e.action === 'organisation.content-out-of-chat')).toEqual([expect.objectContaining({ actorId: 'dsl', detail: { on: true } })]);
  });

  it('the journeys run on Slack, Teams and the playground, and none of the stored text leaves', async () => {
    // agenda: typed on each platform; the answer says it was added without saying what
    w.clock.set(london('2025-11-07T10:00'));
    const before = slack.calls.length;
    await slackSays('UAMY', 'add The behaviour policy changes for Year 4 lunchtimes');
    const slackAgenda = await eventually(() => slack.calls.slice(before).find((c) => c.method === 'chat.postMessage' && c.body.channel === 'DUAMY'), 'the Slack answer to add');
    expect(JSON.stringify(slackAgenda.body)).toContain('Open in the dashboard');
    expect((await teamsSend(activity('amy', { type: 'message', text: 'add Planning time for the phonics intervention group' }))).status).toBe(200);
    await eventually(() => teamsCardsTo('amy').find((c) => c.includes('Open in the dashboard')), 'the Teams answer to add');
    expect((await playground('messages', 'ben', { text: 'add Supporting the new starter with safeguarding induction' })).status).toBe(200);

    // record: Ben's record reached him as a card; he confirms it on Teams
    await eventually(() => (outbound().includes(ben.recordId) ? true : undefined), 'the record card to Ben');
    const confirmed = await teamsInvoke('ben', 'record.confirm', { recordId: ben.recordId, version: 1 });
    expect(confirmed).toContain('Open in the dashboard');
    expect((await w.deps.records.latest(ben.recordId))?.confirmations.map((c) => c.personId)).toContain('ben');

    // dispute: another of Ben's records, disputed with a reason; the supervisor is told who and when, not why
    const second = await sentRecordForBen(w, '2025-11-13', 'Team around the family meeting and the next steps agreed');
    await bot.runtime.queues.flushOutbox();
    const disputed = await teamsInvoke('ben', 'record.dispute', { recordId: second.recordId, reason: 'The next steps written here are not the ones we agreed' });
    expect(disputed).toContain('Open in the dashboard');
    expect((await w.deps.records.latest(second.recordId))?.state).toBe('disputed');
    await bot.runtime.queues.flushOutbox();
    await eventually(() => teamsCardsTo('sup').find((c) => c.includes(second.recordId) && c.includes('Open in the dashboard')), 'the dispute notice to the supervisor');

    // actions: typed on each platform
    await slackSays('UAMY', 'actions');
    await eventually(() => slack.of('chat.postMessage').find((c) => c.body.channel === 'DUAMY' && JSON.stringify(c.body).includes('action_done')), 'the Slack actions list');
    expect((await teamsSend(activity('amy', { type: 'message', text: 'actions' }))).status).toBe(200);
    await eventually(() => teamsCardsTo('amy').find((c) => c.includes('Open actions')), 'the Teams actions list');
    expect((await playground('messages', 'amy', { text: 'actions' })).status).toBe(200);
    // Done from Slack's list still works: the button carries the id only
    const done = await slackClick('UAMY', 'action_done', loops.lateActionId);
    await eventually(() => slack.responses.find((r) => r.path === done), 'the answer to Done');
    expect((await w.deps.actions.get(loops.lateActionId))?.status).toBe('done');

    // reminders: the Monday after, the later action and the case decisions are chased
    w.clock.set(london('2025-11-10T09:00'));
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
    w.clock.set(london('2025-12-01T09:00'));
    await bot.runtime.queues.fireDueReminders();
    await bot.runtime.queues.flushOutbox();
    await eventually(() => teamsCardsTo('amy').find((c) => c.includes('A case decision must reach the child')) ?? slack.of('chat.postMessage').find((c) => JSON.stringify(c.body).includes('A case decision must reach the child')), 'the case decision chase');

    const values = await storedFreeText();
    // the check is not vacuous: the journeys' words are stored
    expect(values).toEqual(expect.arrayContaining(['Call the parent about attendance this week', 'The next steps written here are not the ones we agreed', 'The behaviour policy changes for Year 4 lunchtimes']));
    expect(findLeaks(outbound(), values)).toEqual([]);
    expect(findLeaks([...(await playgroundChats()), ...playgroundAnswers.filter((a) => !a.includes('"from":"person"'))].join('\n'), values)).toEqual([]);
    expect(outbound()).toContain('Open in the dashboard');
  }, 120_000);

  it('with the setting off again, the same check finds the words in the cards', async () => {
    expect((await updateOrganisation(w.deps, 'dsl', { keepContentOutOfChat: false })).ok).toBe(true);
    expect((await teamsSend(activity('sup', { type: 'message', text: 'actions' }))).status).toBe(200);
    const values = await storedFreeText();
    await eventually(() => (findLeaks(outbound(), values).length > 0 ? true : undefined), 'the words in the cards with the setting off');
  });
});
