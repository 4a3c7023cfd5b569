/**
 * The Teams app installed through Microsoft Graph (`teamwork/installedApps`) for people in no team with it,
 * against the Graph and Bot Connector stand-ins: queued by the admin, paced, a lapsed token renewed, a 429 and a
 * 503 waited out, "already installed" taken as done, a person Entra does not know shown to the admin; Teams'
 * installation activity then gives the bot each person's conversation, and a message reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { CONVERSATION_THREAD } from '../../../src/channels/teams/notifier.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { type FakeGraph, startFakeGraph } from '../../support/fake-graph.js';
import { recordFreeText } from '../../support/free-text.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const APP = 'dddddddd-1111-4222-8333-444444444444';
const DEPUTY = 'eeeeeeee-0000-4000-8000-000000000001';
const SUE = 'eeeeeeee-0000-4000-8000-000000000002';
let w: World;
let graph: FakeGraph;
let teams: FakeConnector;
let bot: Bot;

type Json = Record<string, any>;
async function api(method: 'GET' | 'POST', url: string, person = 'dsl'): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${bot.url}/api/admin${url}`, { method, headers: { 'x-playground-person': person } });
  return { status: res.status, body: (await res.json()) as Json };
}
const waiting = async () => ((await api('GET', '/identities')).body.teams.waiting as Json[]).map((p) => ({ id: p.id, state: p.state, reason: p.reason }));
const installation = (memberId: string, aadObjectId: string, conversationId: string) =>
  fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'installationUpdate', action: 'add', id: `inst-${memberId}`, channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, from: { id: memberId, aadObjectId }, conversation: { id: conversationId, tenantId: TENANT, conversationType: 'personal' }, channelData: { tenant: { id: TENANT } } }),
  });

beforeAll(async () => {
  w = await createWorld('teams_install');
  graph = await startFakeGraph();
  teams = await startFakeConnector();
  // deputy: no Teams account linked, known to Entra by email; sue: linked, the app installed for her already;
  // the governor: not in Entra. Everyone else has a Teams conversation already.
  await w.deps.people.upsert({ ...w.people.deputy, email: 'deputy@school.example', identities: {} });
  await w.deps.people.upsert({ ...w.people.sup2, email: 'sue@school.example', identities: { teamsAadObjectId: SUE } });
  await w.deps.people.upsert({ ...w.people.governor, email: 'gill@school.example', identities: {} });
  for (const id of ['dsl', 'head', 'sup', 'amy', 'ben', 'auditor', 'stranger']) await w.deps.deliveries.put(CONVERSATION_THREAD, id, 'teams', { reference: JSON.stringify({ serviceUrl: teams.url, conversation: { id: `a:${id}` } }) });
  graph.users.push({ id: DEPUTY, userPrincipalName: 'deputy@school.example' }, { id: SUE, userPrincipalName: 'sue@school.example' });
  graph.installed.push({ userId: SUE, appId: APP, at: Date.now() });
  teams.directory.push({ id: '29:deputy', aadObjectId: DEPUTY, email: 'deputy@school.example' });
  bot = await startBot(
    loadConfig({
      MONGODB_URI: w.mongoUrl,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      PORT: '0',
      PLAYGROUND: 'on',
      LOG_LEVEL: 'silent',
      GRAPH_TENANT_ID: TENANT,
      GRAPH_CLIENT_ID: '99999999-8888-4777-8666-555555555555',
      GRAPH_CLIENT_SECRET: 'graph-secret',
      GRAPH_BASE_URL: graph.baseUrl,
      GRAPH_TOKEN_URL: graph.tokenUrl,
      TEAMS_APP_CATALOG_ID: APP,
    }),
    createLogger('silent'),
    { clock: w.clock },
  );
});
afterAll(async () => {
  await bot?.stop();
  await graph?.close();
  await teams?.close();
  if (w) await recordFreeText(w.store.connection);
  await w?.close();
});

describe('installing the Teams app through Graph', () => {
  it('installs it for everyone Teams cannot reach, through a 429 and a 503, and shows who is left', async () => {
    expect((await api('GET', '/identities')).body.teams.installs).toBe(true);
    expect(await waiting()).toEqual([
      { id: 'deputy', state: 'not installed', reason: undefined },
      { id: 'governor', state: 'not installed', reason: undefined },
      { id: 'sup2', state: 'not installed', reason: undefined },
    ]);
    // nobody but an administrator may ask
    expect((await api('POST', '/identities/teams/install', 'amy')).status).toBe(403);

    graph.fail(429, { 'retry-after': '1' });
    graph.fail(503);
    const asked = await api('POST', '/identities/teams/install');
    expect(asked).toEqual({ status: 202, body: { queued: 3 } });
    await eventually(async () => (await waiting()).every((p) => p.state !== 'not installed'), 'every installation tried');
    expect(await waiting()).toEqual([
      { id: 'deputy', state: 'requested', reason: undefined },
      { id: 'governor', state: 'failed', reason: expect.stringContaining('Entra has no user') },
      { id: 'sup2', state: 'requested', reason: undefined },
    ]);
    // one installation for the deputy (by user principal name), none twice for sue (409 taken as done)
    expect(graph.installed.filter((i) => i.userId === DEPUTY)).toHaveLength(1);
    expect(graph.installed.filter((i) => i.userId === SUE)).toHaveLength(1);
    const installCalls = graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps'));
    expect(installCalls.map((c) => c.status)).toEqual(expect.arrayContaining([429, 503, 201, 409, 404]));
    expect(installCalls.find((c) => c.path.includes('deputy%40school.example') || c.path.includes('deputy@school.example'))).toBeDefined();
  });

  it('a lapsed token is renewed', async () => {
    graph.expireTokens();
    const before = graph.tokensIssued;
    await w.deps.people.upsert({ id: 'newstaff', organisationId: w.org.id, name: 'Nell New', email: 'nell@school.example', identities: {}, roles: ['supervisee'] });
    graph.users.push({ id: 'eeeeeeee-0000-4000-8000-000000000003', userPrincipalName: 'nell@school.example' });
    expect((await api('POST', '/identities/teams/install')).status).toBe(202);
    await eventually(() => graph.installed.some((i) => i.userId === 'eeeeeeee-0000-4000-8000-000000000003'), 'installed after a new token');
    expect(graph.tokensIssued).toBeGreaterThan(before);
    expect(graph.calls.some((c) => c.status === 401 && c.path.endsWith('/teamwork/installedApps'))).toBe(true);
  });

  it('Teams’ installation activity gives the bot each person’s conversation, and a message reaches them', async () => {
    // the deputy was installed by email: matched by their Teams profile on the queue
    expect((await installation('29:deputy', DEPUTY, 'a:deputy-personal')).status).toBeLessThan(300);
    // sue is linked already: kept at once
    expect((await installation('29:sue', SUE, 'a:sue-personal')).status).toBeLessThan(300);
    await eventually(async () => (await w.deps.deliveries.get(CONVERSATION_THREAD, 'deputy', 'teams')) && (await w.deps.deliveries.get(CONVERSATION_THREAD, 'sup2', 'teams')), 'both conversations kept');
    expect((await w.deps.people.get('deputy'))?.identities).toMatchObject({ teamsAadObjectId: DEPUTY, teamsTenantId: TENANT });
    const left = (await waiting()).map((p) => p.id);
    expect(left).not.toContain('deputy');
    expect(left).not.toContain('sup2');
    expect(left).toContain('governor');
    const notifier = bot.runtime.notifiers.find((n) => n.platform === 'teams')!;
    await notifier.deliver((await w.deps.people.get('deputy'))!, { id: 'o-dep', organisationId: w.org.id, recipientId: 'deputy', view: { type: 'text', text: 'An escalation needs you' }, createdAt: w.clock.now() });
    expect(teams.calls.some((c) => c.conversationId === 'a:deputy-personal' && JSON.stringify(c.body).includes('escalation needs you'))).toBe(true);
    // asking again installs nothing twice: only those still unreachable are tried
    const installs = graph.installed.length;
    const refused = graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps') && c.status === 404).length;
    // the governor (not in Entra) and Nell (installed, her installation activity not come yet)
    expect((await api('POST', '/identities/teams/install')).body.queued).toBe(2);
    await eventually(async () => graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps') && c.status === 404).length > refused, 'the governor tried again');
    await eventually(async () => graph.calls.filter((c) => c.path.endsWith('/teamwork/installedApps') && c.status === 409).length >= 2, 'Nell’s found installed');
    expect(graph.installed.length).toBe(installs);
  });
});
