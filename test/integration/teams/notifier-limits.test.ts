/**
 * The notifiers against stand-ins that enforce the platforms' rate limits: a Teams send that stays throttled
 * past the notifier's retries is reported as failed (so the queue retries it), never as delivered; paced sends
 * to many conversations each arrive once; a Slack DM is opened once per person, whatever the process, and a
 * workspace's messages go a few at a time.
 */
import type { Redis } from 'ioredis';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../../src/app/ports.js';
import { RateLimiter } from '../../../src/channels/rate-limiter.js';
import { SlackNotifier } from '../../../src/channels/slack/notifier.js';
import { CONVERSATION_THREAD, TeamsNotifier } from '../../../src/channels/teams/notifier.js';
import { createLogger } from '../../../src/logger.js';
import { redisConnection } from '../../../src/queue/redis.js';
import { type FakeConnector, startFakeConnector, TEAMS_LIMITS } from '../../support/fake-connector.js';
import { type FakeSlack, SLACK_LIMITS, startFakeSlack } from '../../support/fake-slack.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let throttling: FakeConnector;
let limited: FakeConnector;
let slack: FakeSlack;
let redis: Redis;
let pacing: RateLimiter;
let prefix: string;

function adapter(): CloudAdapter {
  const credentials = new ConfigurationServiceClientCredentialFactory({ MicrosoftAppId: '', MicrosoftAppPassword: '' } as never);
  const a = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '' }, credentials));
  // as the bot's: a turn error is logged and swallowed
  a.onTurnError = async () => undefined;
  return a;
}

const reference = (serviceUrl: string, conversationId: string, tenantId = 'tenant-1') =>
  JSON.stringify({ channelId: 'msteams', serviceUrl, bot: { id: '28:bot' }, user: { id: '29:u' }, conversation: { id: conversationId, tenantId, conversationType: 'personal' } });

const message = (id: string, recipientId: string): OutboxMessage => ({ id, organisationId: 'org-wl', recipientId, createdAt: new Date(), view: { type: 'text', text: `hello ${id}` } });

beforeAll(async () => {
  w = await createWorld('notifier-limits', { arrange: false });
  throttling = await startFakeConnector();
  limited = await startFakeConnector({ limits: TEAMS_LIMITS });
  slack = await startFakeSlack({ limits: SLACK_LIMITS });
  redis = redisConnection(testRedisUrl());
  prefix = testQueuePrefix();
  pacing = new RateLimiter(redis, prefix);
}, 120_000);
afterAll(async () => {
  await Promise.all([throttling?.close(), limited?.close(), slack?.close(), redis?.quit()]);
  await w?.close();
});

describe('Teams notifier', () => {
  it('a send still throttled after its retries fails, so it is not counted as delivered', async () => {
    await w.deps.deliveries.put(CONVERSATION_THREAD, 'amy', 'teams', { reference: reference(throttling.url, 'conv-amy') });
    const notifier = new TeamsNotifier(w.deps, pacing, adapter(), '', createLogger('silent'), { attempts: 2, baseMs: 10 });
    throttling.throttleNext('conv-amy', 5);
    await expect(notifier.deliver(w.people.amy, message('m1', 'amy'))).rejects.toMatchObject({ statusCode: 429 });
    expect(throttling.calls).toHaveLength(0);
    throttling.throttleNext('conv-amy', 0);
    await notifier.deliver(w.people.amy, message('m1', 'amy'));
    expect(throttling.calls.filter((c) => c.conversationId === 'conv-amy')).toHaveLength(1);
  });

  it("a 429's Retry-After holds the tenant for another process too", async () => {
    // two processes: their own notifiers and Redis connections, one pacing in Redis
    const other = redisConnection(testRedisUrl());
    try {
      const first = new TeamsNotifier(w.deps, pacing, adapter(), '', createLogger('silent'), { attempts: 3, baseMs: 10 });
      const second = new TeamsNotifier(w.deps, new RateLimiter(other, prefix), adapter(), '', createLogger('silent'));
      await w.deps.deliveries.put(CONVERSATION_THREAD, 'dsl', 'teams', { reference: reference(throttling.url, 'conv-dsl', 'tenant-2') });
      await w.deps.deliveries.put(CONVERSATION_THREAD, 'head', 'teams', { reference: reference(throttling.url, 'conv-head', 'tenant-2') });
      throttling.throttleNext('conv-dsl', 1);
      const seen = throttling.throttledAt.length;
      const throttled = first.deliver(w.people.dsl, message('ra1', 'dsl'));
      while (throttling.throttledAt.length === seen) await new Promise((r) => setTimeout(r, 5));
      // the 429 said one second: the other process's send to another conversation of the tenant waits it out
      await new Promise((r) => setTimeout(r, 50));
      await Promise.all([throttled, second.deliver(w.people.head, message('ra2', 'head'))]);
      const at429 = throttling.throttledAt.at(-1) as number;
      const sent = throttling.calls.find((c) => c.conversationId === 'conv-head');
      expect(sent?.at).toBeGreaterThanOrEqual(at429 + 1_000 - 5);
      expect(throttling.calls.filter((c) => c.conversationId === 'conv-dsl')).toHaveLength(1);
    } finally {
      await other.quit();
    }
  });

  it('paced sends to sixty conversations of one tenant each arrive once', async () => {
    const notifier = new TeamsNotifier(w.deps, pacing, adapter(), '', createLogger('silent'));
    const people = Array.from({ length: 60 }, (_, i) => ({ ...w.people.ben, id: `t${i}`, identities: { teamsAadObjectId: `aad-t${i}` } }));
    for (const p of people) await w.deps.deliveries.put(CONVERSATION_THREAD, p.id, 'teams', { reference: reference(limited.url, `conv-${p.id}`) });
    await Promise.all(people.map((p) => notifier.deliver(p, message(`m-${p.id}`, p.id))));
    for (const p of people) expect(limited.calls.filter((c) => c.conversationId === `conv-${p.id}`)).toHaveLength(1);
  });
});

describe('Slack notifier', () => {
  it('opens a DM once per person and keeps its channel id for the next process', async () => {
    await new SlackNotifier(w.deps, pacing, 'xoxb-test', slack.apiUrl).deliver(w.people.sup, message('s1', 'sup'));
    await new SlackNotifier(w.deps, pacing, 'xoxb-test', slack.apiUrl).deliver(w.people.sup, message('s2', 'sup'));
    expect(slack.of('conversations.open').filter((c) => c.body.users === 'USUP')).toHaveLength(1);
    expect(slack.of('chat.postMessage').filter((c) => c.body.channel === 'DUSUP')).toHaveLength(2);
  });

  it('lets a workspace’s messages go a few at a time, not a second’s worth at once', async () => {
    const notifier = new SlackNotifier(w.deps, pacing, 'xoxb-burst', slack.apiUrl);
    const people = Array.from({ length: 8 }, (_, i) => ({ ...w.people.sup, id: `burst-${i}`, identities: { slackUserId: `UBURST${i}` } }));
    await Promise.all(people.map((p, i) => notifier.deliver(p, message(`burst-${i}`, p.id))));
    const at = slack
      .of('chat.postMessage')
      .filter((c) => String(c.body.channel).startsWith('DUBURST'))
      .map((c) => c.at)
      .sort((a, b) => a - b);
    expect(at).toHaveLength(8);
    // six at once met the next second's six in Slack's second whenever the first six were slow on their way (P7);
    // four to the half second leave room for the way
    const most = Math.max(...at.map((t) => at.filter((u) => u >= t && u < t + 250).length));
    expect(most, at.map((t) => t - (at[0] as number)).join(', ')).toBeLessThanOrEqual(4);
  });
});
