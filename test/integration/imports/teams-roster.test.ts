/**
 * Teams identities on the queue, across a web and a worker process: the web process answers the installation
 * activity and queues the work; the worker reads the team's roster, opens the one-to-one conversations (a 429
 * from the Bot Connector held and retried), and matches someone the app was installed for personally by their
 * Teams profile, keeping that conversation as theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config.js';
import { CONVERSATION_THREAD } from '../../../src/channels/teams/notifier.js';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/eventually.js';
import { type FakeConnector, startFakeConnector } from '../../support/fake-connector.js';
import { recordFreeText } from '../../support/free-text.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const guid = (n: number) => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;
let w: World;
let teams: FakeConnector;
let web: Bot;
let worker: Bot;

const activity = (body: Record<string, unknown>) =>
  fetch(`${web.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId: 'msteams', serviceUrl: teams.url, recipient: { id: '28:bot' }, ...body }) });

beforeAll(async () => {
  w = await createWorld('teams_roster');
  teams = await startFakeConnector();
  // staff without Teams linked yet, known by email
  await w.deps.people.upsert({ ...w.people.deputy, email: 'deputy@school.example', identities: {} });
  await w.deps.people.upsert({ ...w.people.sup2, email: 'sue.other@school.example', identities: {} });
  await w.deps.people.upsert({ ...w.people.governor, email: 'gill@school.example', identities: {} });
  const env = { MONGODB_URI: w.mongoUrl, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix(), PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'silent' };
  web = await startBot(loadConfig({ ...env, ROLE: 'web' }), createLogger('silent'), { clock: w.clock });
  worker = await startBot(loadConfig({ ...env, ROLE: 'worker' }), createLogger('silent'), { clock: w.clock });
});
afterAll(async () => {
  await web?.stop();
  await worker?.stop();
  await teams?.close();
  if (w) await recordFreeText(w.store.connection);
  await w?.close();
});

describe('a team installation', () => {
  it('is answered by the web process; the worker reads the roster and opens the conversations, through a 429', async () => {
    teams.rosters.set('19:staff@thread.tacv2', [
      { id: '29:deputy', aadObjectId: guid(1), email: 'deputy@school.example' },
      { id: '29:sue', aadObjectId: guid(2), userPrincipalName: 'Sue.Other@school.example' },
      { id: '29:amy', aadObjectId: 'aad-amy' },
      { id: '29:visitor', aadObjectId: guid(9), email: 'visitor@elsewhere.example' },
    ]);
    // the first roster read is throttled: the tenant is held and the job tried again
    teams.throttleReads(1);
    const res = await activity({
      type: 'conversationUpdate',
      id: 'install-team',
      from: { id: '29:installer', aadObjectId: guid(1) },
      conversation: { id: '19:general@thread.tacv2', tenantId: TENANT, conversationType: 'channel' },
      membersAdded: [{ id: '28:bot' }],
      channelData: { team: { id: '19:staff@thread.tacv2' }, tenant: { id: TENANT }, eventType: 'teamMemberAdded' },
    });
    expect(res.status).toBeLessThan(300);
    // nothing was read inside the request
    expect(teams.readsAt.length).toBe(0);
    await eventually(async () => teams.created.length >= 2 && (await w.deps.deliveries.get(CONVERSATION_THREAD, 'sup2', 'teams')), 'two conversations opened by the worker');
    expect(teams.throttled).toBe(1);
    // amy is linked by object id already and gets her conversation too
    await eventually(() => w.deps.deliveries.get(CONVERSATION_THREAD, 'amy', 'teams'), 'amy reached');
    expect(teams.created.map((c) => (c.body.members as Array<{ id: string }>)[0]?.id).sort()).toEqual(['29:amy', '29:deputy', '29:sue']);
    expect((await w.deps.people.get('deputy'))?.identities).toMatchObject({ teamsAadObjectId: guid(1), teamsTenantId: TENANT });
    // a second installation activity opens nothing twice
    const reads = teams.readsAt.length;
    await activity({
      type: 'conversationUpdate',
      id: 'install-team-again',
      from: { id: '29:installer', aadObjectId: guid(1) },
      conversation: { id: '19:general@thread.tacv2', tenantId: TENANT, conversationType: 'channel' },
      membersAdded: [{ id: '28:bot' }],
      channelData: { team: { id: '19:staff@thread.tacv2' }, tenant: { id: TENANT } },
    });
    await eventually(() => teams.readsAt.length > reads, 'the roster read again');
    await new Promise((r) => setTimeout(r, 500));
    expect(teams.created.length).toBe(3);
  });
});

describe('an installation for one person', () => {
  it('matches someone linked to nobody by their Teams profile and keeps the installation’s conversation as theirs', async () => {
    teams.directory.push({ id: '29:gill', aadObjectId: guid(3), email: 'Gill@School.example', name: 'Gill G' });
    const res = await activity({
      type: 'installationUpdate',
      action: 'add',
      id: 'install-personal',
      from: { id: '29:gill', aadObjectId: guid(3) },
      conversation: { id: 'a:gill-personal', tenantId: TENANT, conversationType: 'personal' },
      channelData: { tenant: { id: TENANT } },
    });
    expect(res.status).toBeLessThan(300);
    const stored = await eventually(() => w.deps.deliveries.get(CONVERSATION_THREAD, 'governor', 'teams'), 'the conversation kept');
    expect(JSON.parse(stored.reference as string).conversation.id).toBe('a:gill-personal');
    expect((await w.deps.people.get('governor'))?.identities).toMatchObject({ teamsAadObjectId: guid(3), teamsTenantId: TENANT });
    // a reminder reaches them there
    const notifier = worker.runtime.notifiers.find((n) => n.platform === 'teams')!;
    await notifier.deliver((await w.deps.people.get('governor'))!, { id: 'o-gill', organisationId: w.org.id, recipientId: 'governor', view: { type: 'text', text: 'A dispute is waiting for you' }, createdAt: w.clock.now() });
    expect(teams.calls.some((c) => c.conversationId === 'a:gill-personal' && JSON.stringify(c.body).includes('dispute is waiting'))).toBe(true);
  });

  it('someone matched by no profile is linked to nobody', async () => {
    teams.directory.push({ id: '29:nobody', aadObjectId: guid(4), email: 'nobody@elsewhere.example' });
    const reads = teams.readsAt.length;
    await activity({ type: 'installationUpdate', action: 'add', id: 'install-nobody', from: { id: '29:nobody', aadObjectId: guid(4) }, conversation: { id: 'a:nobody', tenantId: TENANT, conversationType: 'personal' }, channelData: { tenant: { id: TENANT } } });
    await eventually(() => teams.readsAt.length > reads, 'the profile read');
    await new Promise((r) => setTimeout(r, 300));
    expect(await w.deps.people.byTeamsUser(guid(4))).toBeNull();
  });
});
