/**
 * "Wrote to the bot, not matched" across the two processes of a deployment: a web process (which takes Teams
 * activities and Slack's requests, and serves the admin API) and a worker process (which runs Slack's work).
 * Someone unknown writes on Slack (answered by the worker) and on Teams (answered by the web process); both are
 * in the admin's list, with no message text kept; one click links each, and their next message is answered as
 * them. An entry not refreshed for thirty days drops out of the list.
 */
import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { UNMATCHED_TTL_MS, unmatchedKeys } from '../../../src/store/unmatched.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { recordFreeText } from '../../support/free-text.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'unmatched-slack-secret';
const TENANT = '11111111-2222-4333-8444-555555555555';
const NEWCOMER_AAD = 'bbbbbbbb-0000-4000-8000-000000000001';
const PREFIX = testQueuePrefix();
let w: World;
let slack: FakeSlack;
let teams: FakeConnector;
let web: Bot;
let worker: Bot;
let redis: Redis;
let n = 0;

type Json = Record<string, any>;
function signed(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
async function slackDm(user: string, text: string) {
  const id = `EvUnmatched${++n}`;
  const body = JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: id, event_time: 1, event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `1700000${n}.000100` } });
  const res = await fetch(`${web.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(body) }, body });
  expect(res.status).toBe(200);
}
async function teamsMessage(text: string) {
  const res = await fetch(`${web.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', id: `m-${++n}`, channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, text, from: { id: '29:newcomer', aadObjectId: NEWCOMER_AAD, name: 'Nina Newcomer' }, conversation: { id: 'a:newcomer', tenantId: TENANT, conversationType: 'personal' } }),
  });
  expect(res.status).toBe(200);
}
async function api(method: 'GET' | 'POST', url: string, body?: unknown, person = 'dsl'): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${web.url}/api/admin${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
const dmText = (user: string) =>
  slack
    .of('chat.postMessage')
    .filter((c) => c.body.channel === `D${user}`)
    .map((c) => JSON.stringify(c.body));
const teamsText = () => teams.calls.filter((c) => c.conversationId === 'a:newcomer').map((c) => JSON.stringify(c.body));

beforeAll(async () => {
  w = await createWorld('unmatched');
  slack = await startFakeSlack();
  teams = await startFakeConnector();
  slack.members.push({ id: 'UNEWBIE', team_id: 'T1', profile: { email: 'Deputy.Dan@School.Example', real_name: 'Dan the Deputy' } });
  await w.deps.people.upsert({ ...w.people.deputy, email: 'deputy.dan@school.example' });
  const env = {
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: PREFIX,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-unmatched',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  };
  web = await startBot(loadConfig({ ...env, ROLE: 'web' }), createLogger('silent'), { clock: w.clock });
  worker = await startBot(loadConfig({ ...env, ROLE: 'worker' }), createLogger('silent'), { clock: w.clock });
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await web?.stop();
  await worker?.stop();
  await slack?.close();
  await teams?.close();
  await redis?.quit();
  if (w) await recordFreeText(w.store.connection);
  await w?.close();
});

describe('people who wrote to the bot unmatched', () => {
  it('are listed from either platform whichever process took the message, without what they wrote, and linked in one click', async () => {
    expect(web.runtime.workers).toBe(false);
    await slackDm('UNEWBIE', 'Is this the supervision bot for Aire Valley?');
    await eventually(() => dmText('UNEWBIE').some((t) => t.includes('not linked')), 'the Slack refusal from the worker');
    await teamsMessage('Hello from Teams, who do I talk to about supervision?');
    expect(teamsText().some((t) => t.includes('not linked'))).toBe(true);

    const listed = await api('GET', '/identities');
    expect(listed.status).toBe(200);
    expect(listed.body.unmatched).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ platform: 'slack', userId: 'UNEWBIE', name: 'Dan the Deputy', email: 'deputy.dan@school.example' }),
        expect.objectContaining({ platform: 'teams', userId: NEWCOMER_AAD, name: 'Nina Newcomer', tenantId: TENANT }),
      ]),
    );
    expect(listed.body.unmatched).toHaveLength(2);
    // nothing they wrote is kept, only who they are
    const stored = JSON.stringify(await redis.hgetall(unmatchedKeys(PREFIX).senders));
    expect(stored).not.toContain('Aire Valley');
    expect(stored).not.toContain('Hello from Teams');
    // writing again refreshes the entry (Slack's profile is asked once) and adds no second one
    await slackDm('UNEWBIE', 'Anyone there?');
    await eventually(() => dmText('UNEWBIE').length >= 2, 'the second refusal');
    expect(slack.of('users.info').length).toBe(1);
    expect((await api('GET', '/identities')).body.unmatched).toHaveLength(2);

    expect((await api('POST', '/identities/link', { personId: 'deputy', platform: 'slack', userId: 'UNEWBIE' })).status).toBe(200);
    expect((await api('POST', '/identities/link', { personId: 'sup2', platform: 'teams', userId: NEWCOMER_AAD })).status).toBe(200);
    expect((await api('GET', '/identities')).body.unmatched).toEqual([]);
    expect((await w.deps.people.get('sup2'))?.identities).toMatchObject({ teamsAadObjectId: NEWCOMER_AAD, teamsTenantId: TENANT });

    // their next message is answered as them, on both platforms
    const before = dmText('UNEWBIE').length;
    await slackDm('UNEWBIE', 'help');
    const answer = await eventually(() => dmText('UNEWBIE').slice(before).find((t) => t.length > 0), 'the Slack answer');
    expect(answer).not.toContain('not linked');
    const teamsBefore = teamsText().length;
    await teamsMessage('help');
    const teamsAnswer = teamsText().slice(teamsBefore).join('');
    expect(teamsAnswer.length).toBeGreaterThan(0);
    expect(teamsAnswer).not.toContain('not linked');
    expect((await api('GET', '/identities')).body.unmatched).toEqual([]);
  });

  it('drop out of the list thirty days after they last wrote', async () => {
    await slackDm('UOLDTIMER', 'hello?');
    await eventually(async () => (await api('GET', '/identities')).body.unmatched.some((u: Json) => u.userId === 'UOLDTIMER'), 'listed');
    const { seen, senders } = unmatchedKeys(PREFIX);
    // both keys carry a time to live
    expect(await redis.ttl(senders)).toBeGreaterThan(0);
    expect(await redis.ttl(seen)).toBeGreaterThan(0);
    // as if they last wrote thirty days and a minute ago
    await redis.zadd(seen, Date.now() - UNMATCHED_TTL_MS - 60_000, 'slack:UOLDTIMER');
    expect((await api('GET', '/identities')).body.unmatched.some((u: Json) => u.userId === 'UOLDTIMER')).toBe(false);
    expect(await redis.hexists(senders, 'slack:UOLDTIMER')).toBe(0);
  });
});
