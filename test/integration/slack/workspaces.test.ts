/**
 * Many Slack workspaces on one deployment: two schools' workspaces install the app through Slack's OAuth flow
 * (against the Slack stand-in), each is linked to its own organisation, and their people — who have the same
 * Slack user ids in each workspace — see only their own school's people and data, are sent to with their own
 * workspace's token, and an uninstall stops one workspace's deliveries while the other keeps working.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveContract } from '../../../src/app/sessions.js';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import type { Organisation, Person } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { contract, london, person, school } from '../../support/school.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const SECRET = 'slack-workspaces-secret';
const TOKEN_A = 'xoxb-workspace-a-0123456789';
const TOKEN_B = 'xoxb-workspace-b-9876543210';
let w: World;
let slack: FakeSlack;
let bot: Bot;
let orgB: Organisation;
let peopleB: Record<'dsl' | 'sup' | 'amy' | 'ben', Person>;
let n = 0;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function post(path: string, body: string, type = 'application/x-www-form-urlencoded') {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
}
/** A slash command typed in a workspace; its reply comes back to the stand-in's `response_url`. */
async function type(team: string, user: string, name: string, text: string): Promise<string> {
  const id = `ws${++n}`;
  const body = form({ token: 't', team_id: team, api_app_id: 'A1', channel_id: `D${user}`, user_id: user, command: name, text, trigger_id: `trig-ws${n}`, response_url: `${slack.url}/response/${id}` });
  expect((await post('/slack/commands', body)).status).toBe(200);
  const reply = await eventually(() => slack.responses.find((r) => r.path === id), `the reply to ${name} ${text} in ${team}`);
  return JSON.stringify(reply.body);
}

/** The whole OAuth flow as a browser goes through it: the install link, Slack's consent (the stand-in's code), the redirect back. */
async function installWorkspace(code: string): Promise<Response> {
  const start = await fetch(`${bot.url}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const state = new URL(String(start.headers.get('location'))).searchParams.get('state');
  const cookie = String(start.headers.get('set-cookie')).split(';')[0] as string;
  expect(state).toBeTruthy();
  return fetch(`${bot.url}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(String(state))}`, { headers: { cookie }, redirect: 'manual' });
}

/** The dashboard's admin API as a person of either school. */
const admin = (as: string, method = 'GET', body?: Record<string, unknown>) =>
  fetch(`${bot.url}/tab/api/admin/organisation`, { method, headers: { 'x-playground-person': as, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

/** Every document of every collection, as the raw driver returns it. */
async function dump(): Promise<string> {
  const db = w.store.connection.db!;
  const parts: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for await (const doc of db.collection(c.name).find({})) parts.push(mongo.BSON.EJSON.stringify(doc));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  w = await createWorld('slack-workspaces');
  w.clock.set(london('2025-11-10T09:00'));
  // the second school: its people have the same Slack user ids as the first's, in their own workspace
  orgB = school({ id: 'org-b', name: 'Brook Lane Academy', dslIds: ['b-dsl'], deputyDslIds: [], headteacherId: undefined, safeguardingGovernorId: undefined });
  await w.deps.organisations.upsert(orgB);
  peopleB = {
    dsl: person('b-dsl', ['dsl', 'supervisor'], { organisationId: orgB.id, name: 'Bea Brook', identities: { slackUserId: 'UDSL' } }),
    sup: person('b-sup', ['supervisor'], { organisationId: orgB.id, name: 'Bill Brook', identities: { slackUserId: 'USUP' } }),
    amy: person('b-amy', ['supervisee'], { organisationId: orgB.id, name: 'Bryony Brook', identities: { slackUserId: 'UAMY' } }),
    ben: person('b-ben', ['supervisee'], { organisationId: orgB.id, name: 'Barney Brook', identities: { slackUserId: 'UBEN' } }),
  };
  // two of the second school's staff not linked to Slack yet: one by hand, one by email
  await w.deps.people.upsert(person('b-head', ['supervisor'], { organisationId: orgB.id, name: 'Bob Brook' }));
  await w.deps.people.upsert(person('b-sync', ['supervisor'], { organisationId: orgB.id, name: 'Sid Brook' }));
  for (const p of Object.values(peopleB)) await w.deps.people.upsert(p);
  for (const supervisee of ['b-amy', 'b-ben']) {
    const c = contract({ id: `c-${supervisee}`, organisationId: orgB.id, supervisorIds: ['b-sup'], superviseeIds: [supervisee] });
    await w.deps.contracts.upsert(c);
    await saveContract(w.deps, orgB, c);
  }

  slack = await startFakeSlack();
  slack.workspaces.push({ code: 'code-a', teamId: 'T0WLAITH', teamName: 'White Laith', token: TOKEN_A }, { code: 'code-b', teamId: 'T0BROOK', teamName: 'Brook Lane', token: TOKEN_B });
  const env = {
    MONGODB_URI: w.mongoUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testQueuePrefix(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_CLIENT_ID: '1234.5678',
    SLACK_CLIENT_SECRET: 'client-secret-of-the-app',
    SLACK_STATE_SECRET: 'state-secret-state-secret-state-secret',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    // on loopback, the dashboard API takes who is asking from a header (each school's DSL links its workspace)
    PLAYGROUND: 'on',
    LOG_LEVEL: 'silent',
  };
  bot = await startBot(loadConfig(env), createLogger('silent'), { clock: w.clock });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await w?.close();
});

describe('many Slack workspaces', () => {
  it('installs each workspace through the OAuth flow and keeps its token encrypted', async () => {
    const a = await installWorkspace('code-a');
    expect(a.status).toBe(200);
    expect(await a.text()).toContain('Supervision Bot is installed');
    expect((await installWorkspace('code-b')).status).toBe(200);
    expect(slack.of('oauth.v2.access')).toHaveLength(2);
    const kept = await w.deps.slackInstallations.list();
    expect(kept.map((k) => k.teamId).sort()).toEqual(['T0BROOK', 'T0WLAITH']);
    // no organisation claims either yet
    expect(kept.every((k) => k.organisationId === undefined)).toBe(true);
    const stored = await dump();
    expect(stored).toContain('team:T0WLAITH');
    expect(stored).not.toContain(TOKEN_A);
    expect(stored).not.toContain(TOKEN_B);
  });

  it('a code used twice, or a redirect without the browser’s state, installs nothing', async () => {
    expect((await installWorkspace('code-a')).status).toBe(400);
    const forged = await fetch(`${bot.url}/slack/oauth_redirect?code=code-b&state=forged`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(await w.deps.slackInstallations.list()).toHaveLength(2);
  });

  it('whatever the install routes are sent, nothing is installed and nothing fails (fuzzed)', async () => {
    const before = slack.of('oauth.v2.access').length;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/slack/install', '/slack/oauth_redirect'),
        fc.dictionary(fc.constantFrom('code', 'state', 'error', 'redirect_uri', 'x'), fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('code-a', 'code-b', 'access_denied'))),
        fc.option(fc.string({ maxLength: 200 }).map((v) => `slack-app-oauth-state=${encodeURIComponent(v)}`)),
        async (path, query, cookie) => {
          const res = await fetch(`${bot.url}${path}?${new URLSearchParams(query)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
          await res.body?.cancel();
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    // without the state its own install link set in the browser, no code is ever exchanged
    expect(slack.of('oauth.v2.access')).toHaveLength(before);
    expect(await w.deps.slackInstallations.list()).toHaveLength(2);
  });

  it('a workspace no organisation claims answers that it is not linked to a school yet', async () => {
    expect(await type('T0BROOK', 'UAMY', '/supervision', 'next')).toContain('not linked to a school yet');
  });

  it('linked, each workspace sees only its own school’s people and data', async () => {
    // each school's admin (here its DSL) sees the installed workspaces no other school claims, and links its own
    const before = (await (await admin('b-dsl')).json()) as { slackWorkspaces: Array<{ teamId: string; name?: string; linked: boolean }> };
    expect(before.slackWorkspaces).toEqual([
      { teamId: 'T0BROOK', name: 'Brook Lane', linked: false },
      { teamId: 'T0WLAITH', name: 'White Laith', linked: false },
    ]);
    expect((await admin('dsl', 'PATCH', { slackTeamId: 'T0WLAITH' })).status).toBe(200);
    const taken = await admin('b-dsl', 'PATCH', { slackTeamId: 'T0WLAITH' });
    expect(taken.status).toBe(400);
    expect(await taken.json()).toMatchObject({ field: 'slackTeamId' });
    expect((await admin('b-dsl', 'PATCH', { slackTeamId: 'not a team' })).status).toBe(400);
    const linked = (await (await admin('b-dsl', 'PATCH', { slackTeamId: 'T0BROOK' })).json()) as typeof before & { slackTeamId?: string };
    expect(linked.slackTeamId).toBe('T0BROOK');
    expect(linked.slackWorkspaces).toEqual([{ teamId: 'T0BROOK', name: 'Brook Lane', linked: true }]);
    expect((await w.deps.slackInstallations.summary('T0BROOK'))?.organisationId).toBe(orgB.id);
    expect((await w.deps.audit.entries(orgB.id)).some((e) => e.action === 'slack.linked' && e.detail.teamId === 'T0BROOK')).toBe(true);
    // the tokens now under each organisation's own data key, still not in plain text
    const stored = await dump();
    expect(stored).not.toContain(TOKEN_A);
    expect(stored).toMatch(/enc1:org-b#\d+:/);

    // a Slack user id the first school's head has is the second school's to link in its own workspace
    const link = await fetch(`${bot.url}/api/admin/identities/link`, { method: 'POST', headers: { 'x-playground-person': 'b-dsl', 'content-type': 'application/json' }, body: JSON.stringify({ personId: 'b-head', platform: 'slack', userId: 'UHEAD' }) });
    expect(link.status).toBe(200);
    expect((await w.deps.people.bySlackUser('UHEAD', orgB.id))?.id).toBe('b-head');
    expect((await w.deps.people.bySlackUser('UHEAD', w.org.id))?.id).toBe('head');
    // matching by email reads the second school's workspace, with its token
    slack.members.push({ id: 'USYNC', team_id: 'T0BROOK', profile: { email: 'b-sync@school.example', real_name: 'Sid Brook' } });
    const sync = await fetch(`${bot.url}/api/admin/identities/slack/sync`, { method: 'POST', headers: { 'x-playground-person': 'b-dsl' } });
    expect(await sync.json()).toMatchObject({ linked: 1 });
    expect(slack.of('users.list').at(-1)?.token).toBe(TOKEN_B);

    // someone linked to nobody who writes in the first school's workspace is listed for that school's admin only
    const event = JSON.stringify({ token: 't', team_id: 'T0WLAITH', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev-unmatched-a', event_time: 1, event: { type: 'message', channel: 'DUNEW', channel_type: 'im', user: 'UNEW', text: 'hello', ts: '5.1' } });
    expect((await post('/slack/events', event, 'application/json')).status).toBe(200);
    const senders = async (as: string) => ((await (await fetch(`${bot.url}/api/admin/identities`, { headers: { 'x-playground-person': as } })).json()) as { unmatched: Array<{ userId: string }> }).unmatched.map((u) => u.userId);
    await eventually(async () => ((await senders('dsl')).includes('UNEW') ? true : undefined), 'the sender listed for the first school');
    expect(await senders('b-dsl')).not.toContain('UNEW');

    const overdueA = await type('T0WLAITH', 'UDSL', '/overdue', '');
    const overdueB = await type('T0BROOK', 'UDSL', '/overdue', '');
    expect(overdueA).toContain('Overdue');
    expect(overdueB).toContain('Overdue');
    for (const name of ['Bea Brook', 'Bill Brook', 'Bryony Brook', 'Brook Lane']) expect(overdueA).not.toContain(name);
    for (const name of ['Amy Teacher', 'Sam Supervisor', 'Dee Lead', 'White Laith']) expect(overdueB).not.toContain(name);

    const nextA = await type('T0WLAITH', 'UAMY', '/supervision', 'next');
    const nextB = await type('T0BROOK', 'UAMY', '/supervision', 'next');
    expect(nextA).toContain('Sam Supervisor');
    expect(nextA).not.toContain('Bill Brook');
    expect(nextB).toContain('Bill Brook');
    expect(nextB).not.toContain('Sam Supervisor');
  });

  it('a message to a person goes out with their own workspace’s token', async () => {
    await type('T0WLAITH', 'UAMY', '/supervision', 'request a chat about workload soon');
    await type('T0BROOK', 'UAMY', '/supervision', 'request a chat about a pupil soon');
    const toA = await eventually(() => slack.of('chat.postMessage').find((c) => c.token === TOKEN_A && c.body.channel === 'DUSUP'), 'the request sent in workspace A');
    const toB = await eventually(() => slack.of('chat.postMessage').find((c) => c.token === TOKEN_B && c.body.channel === 'DUSUP'), 'the request sent in workspace B');
    expect(JSON.stringify(toA.body)).toContain('Amy Teacher');
    expect(JSON.stringify(toB.body)).toContain('Bryony Brook');
    expect(JSON.stringify(toB.body)).not.toContain('Amy Teacher');
    // every call the bot made in either workspace carried that workspace's token
    expect(slack.calls.filter((c) => c.method !== 'oauth.v2.access').every((c) => c.token === TOKEN_A || c.token === TOKEN_B)).toBe(true);
  });

  it('app_uninstalled removes a workspace’s installation: its people are not reachable on Slack, the other workspace keeps working', async () => {
    const event = JSON.stringify({ token: 't', team_id: 'T0BROOK', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev-uninstall-b', event_time: Math.floor(Date.now() / 1000), event: { type: 'app_uninstalled', event_ts: '1.0' } });
    expect((await post('/slack/events', event, 'application/json')).status).toBe(200);
    await eventually(async () => ((await w.deps.slackInstallations.summary('T0BROOK')) === null ? true : undefined), 'the installation removed');
    const entry = await eventually(async () => (await w.deps.audit.entries(orgB.id)).find((e) => e.action === 'slack.uninstalled'), 'the uninstall audited');
    expect(entry.detail).toEqual({ event: 'app_uninstalled', teamId: 'T0BROOK' });

    const sentB = slack.of('chat.postMessage').filter((c) => c.token === TOKEN_B).length;
    // a command from the uninstalled workspace is acknowledged and does nothing
    const gone = form({ token: 't', team_id: 'T0BROOK', api_app_id: 'A1', channel_id: 'DUAMY', user_id: 'UAMY', command: '/supervision', text: 'next', trigger_id: 'trig-gone', response_url: `${slack.url}/response/gone` });
    expect((await post('/slack/commands', gone)).status).toBe(200);
    // a request in workspace A still reaches its supervisor
    const sentA = slack.of('chat.postMessage').filter((c) => c.token === TOKEN_A && c.body.channel === 'DUSUP').length;
    await type('T0WLAITH', 'UBEN', '/supervision', 'request to talk about the spring term');
    await eventually(() => (slack.of('chat.postMessage').filter((c) => c.token === TOKEN_A && c.body.channel === 'DUSUP').length > sentA ? true : undefined), 'the request sent in workspace A');
    expect(slack.responses.some((r) => r.path === 'gone')).toBe(false);
    // one made for workspace B's people reaches nobody on Slack: its supervisor is marked not reachable there
    const result = await bot.runtime.queues.dispatchAndWait({ commandId: 'ws-after-uninstall', type: 'requestSession', actorId: peopleB.ben.id, input: {} }, 10_000);
    expect(result !== 'pending' && result.ok).toBe(true);
    await eventually(async () => ((await w.deps.people.unreachable(orgB.id)).some((u) => u.person.id === 'b-sup' && u.platform === 'slack') ? true : undefined), 'workspace B’s supervisor not reachable on Slack');
    expect(slack.of('chat.postMessage').filter((c) => c.token === TOKEN_B)).toHaveLength(sentB);
  });

  it('tokens_revoked: a user token alone leaves the installation; the bot token revoked removes it, audited', async () => {
    const revoked = (id: string, tokens: Record<string, string[]>) =>
      post('/slack/events', JSON.stringify({ token: 't', team_id: 'T0WLAITH', api_app_id: 'A1', type: 'event_callback', event_id: id, event_time: 1, event: { type: 'tokens_revoked', tokens } }), 'application/json');
    expect((await revoked('Ev-revoke-user', { oauth: ['UINSTALLER'] })).status).toBe(200);
    // still answering in its workspace after the first event's work
    expect(await type('T0WLAITH', 'UAMY', '/supervision', 'next')).toContain('Sam Supervisor');
    expect(await w.deps.slackInstallations.summary('T0WLAITH')).not.toBeNull();
    expect((await revoked('Ev-revoke-bot', { bot: ['UBOT'] })).status).toBe(200);
    const entry = await eventually(async () => (await w.deps.audit.entries(w.org.id)).find((e) => e.action === 'slack.uninstalled'), 'the revocation audited');
    expect(entry.detail).toEqual({ event: 'tokens_revoked', teamId: 'T0WLAITH' });
    expect(await w.deps.slackInstallations.list()).toEqual([]);
  });
});
