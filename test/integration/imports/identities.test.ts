/**
 * Linking imported staff to their chat accounts, through the stand-ins of Slack's Web API and the Bot Connector:
 * Slack members matched by email (`users.list`, paged); a Teams team's roster read when the app is installed in
 * it, members matched by Entra object id or email and each given a one-to-one conversation, so a message reaches
 * someone who never wrote to the bot; someone who wrote unmatched linked by the admin in one step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../src/app/clock.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { CONVERSATION_THREAD } from '../../../src/channels/teams/notifier.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { london, school } from '../../support/school.js';
import { recordFreeText } from '../../support/free-text.js';
import { testMongoUrl, testQueuePrefix, testRedisUrl } from '../../support/services.js';

const ORG = 'org-id';
const TENANT = '11111111-2222-4333-8444-555555555555';
const guid = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
let bot: Bot;
let slack: FakeSlack;
let teams: FakeConnector;
const clock = new AdjustableClock();

type Json = Record<string, any>;
async function api(method: 'GET' | 'POST', url: string, body?: unknown, person = 'admin1'): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'x-playground-person': person };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bot.url}/api/admin${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
const staff = (n: number) => ({ id: `s${n}`, organisationId: ORG, name: `Staff ${n}`, email: `staff${n}@school.example`, identities: {}, roles: ['supervisee' as const] });

beforeAll(async () => {
  clock.set(london('2025-11-03T09:00'));
  slack = await startFakeSlack();
  teams = await startFakeConnector();
  const config = loadConfig({
    MONGODB_URI: testMongoUrl('identities'),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
  });
  bot = await startBot(config, createLogger(process.env.DEBUG_LOG ? 'info' : 'silent'), {
    clock,
    prepare: async (runtime) => {
      await runtime.deps.organisations.upsert(school({ id: ORG, dslIds: ['admin1'], deputyDslIds: [], headteacherId: undefined }));
      await runtime.deps.people.upsert({ id: 'admin1', organisationId: ORG, name: 'Ada Admin', email: 'admin@school.example', identities: {}, roles: ['admin'] });
      for (let n = 1; n <= 230; n++) await runtime.deps.people.upsert(staff(n));
    },
  });
});
afterAll(async () => {
  if (bot) await recordFreeText(bot.runtime.store.connection);
  await bot?.runtime.store.connection.dropDatabase().catch(() => undefined);
  await bot?.stop();
  await slack?.close();
  await teams?.close();
});

describe('Slack: found by email', () => {
  it('matches every member with a staff email, page by page, and lists who has no Slack account', async () => {
    // 230 staff; 225 in the workspace (two pages), one of them deactivated, plus a bot
    for (let n = 1; n <= 225; n++) slack.members.push({ id: `U${String(n).padStart(6, '0')}`, team_id: 'T1', deleted: n === 225, profile: { email: `STAFF${n}@school.example` } });
    slack.members.push({ id: 'UBOT01', is_bot: true, profile: { email: 'staff230@school.example' } });
    const { status, body } = await api('POST', '/identities/slack/sync');
    expect(status).toBe(200);
    expect(body).toMatchObject({ linked: 224, alreadyLinked: 0, conflicts: [] });
    expect(body.notFound.map((p: Json) => p.id).sort()).toEqual(['admin1', 's225', 's226', 's227', 's228', 's229', 's230']);
    expect(slack.of('users.list').length).toBe(2);
    expect((await bot.runtime.deps.people.bySlackUser('U000007'))?.id).toBe('s7');
    const again = await api('POST', '/identities/slack/sync');
    expect(again.body).toMatchObject({ linked: 0, alreadyLinked: 224 });
  });
});

describe('Teams: the roster of a team the app is installed in', () => {
  it('matches members by Entra object id or email, opens each one-to-one conversation, and a message reaches them', async () => {
    await bot.runtime.deps.people.upsert({ ...staff(1), identities: { ...(await bot.runtime.deps.people.get('s1'))!.identities, teamsAadObjectId: guid(1) } });
    teams.rosters.set('19:team-1@thread.tacv2', [
      { id: '29:m1', aadObjectId: guid(1), name: 'Staff 1' },
      { id: '29:m2', aadObjectId: guid(2), email: 'staff2@school.example' },
      { id: '29:m3', aadObjectId: guid(3), userPrincipalName: 'STAFF3@school.example' },
      { id: '29:x', aadObjectId: guid(999), email: 'stranger@elsewhere.example' },
      ...Array.from({ length: 600 }, (_, i) => ({ id: `29:p${i}`, aadObjectId: guid(1000 + i), email: `pupil${i}@pupils.example` })),
    ]);
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'conversationUpdate',
        id: 'install-1',
        channelId: 'msteams',
        serviceUrl: teams.url,
        recipient: { id: '28:bot' },
        from: { id: '29:installer', aadObjectId: guid(2) },
        conversation: { id: '19:general@thread.tacv2', tenantId: TENANT, conversationType: 'channel' },
        membersAdded: [{ id: '28:bot' }],
        channelData: { team: { id: '19:team-1@thread.tacv2' }, tenant: { id: TENANT }, eventType: 'teamMemberAdded' },
      }),
    });
    expect(res.status).toBeLessThan(300);
    await eventually(() => teams.created.length >= 3 && bot.runtime.deps.deliveries.get(CONVERSATION_THREAD, 's3', 'teams'), 'three one-to-one conversations');
    expect(teams.created.map((c) => (c.body.members as Array<{ id: string }>)[0]?.id).sort()).toEqual(['29:m1', '29:m2', '29:m3']);
    expect((await bot.runtime.deps.people.get('s2'))?.identities).toMatchObject({ teamsAadObjectId: guid(2), teamsTenantId: TENANT });
    expect((await bot.runtime.deps.people.byTeamsUser(guid(3)))?.id).toBe('s3');
    // someone who never wrote to the bot is reached in their new one-to-one conversation
    const notifier = bot.runtime.notifiers.find((n) => n.platform === 'teams')!;
    const s3 = (await bot.runtime.deps.people.get('s3'))!;
    await notifier.deliver(s3, { id: 'o-1', organisationId: ORG, recipientId: 's3', view: { type: 'text', text: 'Your first supervision session is booked' }, createdAt: clock.now() });
    const conv = teams.created.find((c) => (c.body.members as Array<{ id: string }>)[0]?.id === '29:m3')!.id;
    expect(teams.calls.some((c) => c.conversationId === conv && JSON.stringify(c.body).includes('first supervision session'))).toBe(true);
  });
});

describe('the admin’s list and one-click link', () => {
  it('shows who is unlinked and who wrote unmatched, and links them in one step', async () => {
    const newcomer = guid(5000);
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: 'm-1', channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, text: 'hello', from: { id: '29:new', aadObjectId: newcomer, name: 'Staff Two Two Nine' }, conversation: { id: 'a:new', tenantId: TENANT, conversationType: 'personal' } }),
    });
    expect(res.status).toBe(200);
    const overview = await api('GET', '/identities');
    expect(overview.status).toBe(200);
    expect(overview.body.unmatched).toEqual([expect.objectContaining({ platform: 'teams', userId: newcomer, name: 'Staff Two Two Nine', tenantId: TENANT })]);
    expect(overview.body.unlinked.map((p: Json) => p.id)).toEqual(expect.arrayContaining(['admin1', 's229']));
    const bad = await api('POST', '/identities/link', { personId: 's229', platform: 'teams', userId: 'not-a-guid' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'body.userId' } });
    const taken = await api('POST', '/identities/link', { personId: 's229', platform: 'teams', userId: guid(2) });
    expect(taken).toMatchObject({ status: 400, body: { field: 'body.userId' } });
    const linked = await api('POST', '/identities/link', { personId: 's229', platform: 'teams', userId: newcomer });
    expect(linked).toMatchObject({ status: 200, body: { person: { id: 's229' } } });
    expect((await bot.runtime.deps.people.byTeamsUser(newcomer))?.id).toBe('s229');
    const after = await api('GET', '/identities');
    expect(after.body.unmatched).toEqual([]);
    expect(after.body.unlinked.map((p: Json) => p.id)).not.toContain('s229');
    // nobody else may see or link
    expect((await api('GET', '/identities', undefined, 's5')).status).toBe(403);
  });
});
